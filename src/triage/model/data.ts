/**
 * Sentiment training and evaluation data from ../shared/data (see its SOURCES.md, sections 1–2).
 *
 * - Training: the SemEval-2017 Task 4A English pool (`semeval2017_task4A_english/*.tsv`), the pool TweetEval
 *   sentiment train and val were drawn from. Every pool tweet that also appears in TweetEval val or test is left out
 *   (and every near-duplicate of one: a retweet or quote that contains its first 40 normalised characters),
 *   and the rest is anonymised the way TweetEval did (`@handle` → `@user`, URLs dropped), so train and test look alike.
 * - Tuning: TweetEval sentiment val (2,000). Evaluation: TweetEval sentiment test (12,284), once per final config.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SENTIMENT_LABELS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** A labelled text; `label` indexes SENTIMENT_LABELS (0 negative, 1 neutral, 2 positive — TweetEval's mapping). */
export interface LabelledText {
  text: string;
  label: number;
}

export interface PoolReport {
  files: number;
  /** Data rows read from the TSV files. */
  rows: number;
  /** Rows dropped because their tweet id was already read from an earlier file. */
  duplicateIds: number;
  /** Rows with an unknown label or an empty text. */
  malformed: number;
  /** Rows left out because their normalised text is a TweetEval val text. */
  removedVal: number;
  /** … or a TweetEval test text (checked after val). */
  removedTest: number;
  /**
   * Rows left out as near-duplicates: their normalised text contains the first NEAR_DUP_CHARS characters of a (long
   * enough) val or test text — retweets, quotes and re-posts of it.
   */
  removedNearVal: number;
  removedNearTest: number;
  /** Training examples kept. */
  kept: number;
  /** Kept examples per label (negative, neutral, positive). */
  perLabel: [number, number, number];
}

const LABEL_INDEX: Readonly<Record<string, number>> = { negative: 0, neutral: 1, positive: 2 };

/** Decode the literal `\uXXXX` escapes of the pool (and of TweetEval val, which kept them): `I\u2019m` → `I’m`. */
export function decodeEscapes(text: string): string {
  return text.includes('\\u') ? text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : text;
}

const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** Decode the few HTML entities tweets carry (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`). */
export function decodeEntities(text: string): string {
  return text.includes('&') ? text.replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m) : text;
}

/** A whitespace-separated word that is a handle, perhaps after opening quotes or brackets: `@acme:`, `"@acme`, `.@acme`. */
const HANDLE_WORD = /^[^\p{L}\p{N}\s]*@[\p{L}\p{N}_]/u;

/**
 * TweetEval's anonymisation, word by word as TweetEval did it (its test set shows "RT @user It’s" for
 * "RT @handle: It’s", its val set `@user F-Main, …"` for `"@francescamain F-Main, …"`): a whitespace-separated word
 * that is a handle becomes `@user`, with what clings to it; one that starts with `http` is dropped; whitespace is
 * collapsed to single spaces.
 */
export function anonymise(text: string): string {
  const out: string[] = [];
  for (const w of text.split(/\s+/)) {
    if (w === '') continue;
    if (w.startsWith('http')) continue;
    out.push(HANDLE_WORD.test(w) ? '@user' : w);
  }
  return out.join(' ');
}

/**
 * Key used to find the same tweet in the pool and in TweetEval: escapes and entities decoded, anonymised as above,
 * lower-cased, and everything but letters and digits removed (so quoting, punctuation and spacing differences vanish).
 */
export function matchKey(text: string): string {
  return anonymise(decodeEntities(decodeEscapes(text)))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Trailing tabs and spaces (2016test rows end in a tab). The quotes the TSV export wrapped some texts in are kept, as TweetEval kept them. */
function cleanPoolText(raw: string): string {
  return raw.replace(/[\t\r\n ]+$/, '');
}

function readLines(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** TweetEval sentiment split `val` or `test` (or `train` labels only, whose text is missing). */
export function readTweetEval(sharedDir: string, split: 'val' | 'test'): LabelledText[] {
  const dir = path.join(sharedDir, 'tweeteval', 'sentiment');
  const texts = readLines(path.join(dir, `${split}_text.txt`));
  const labels = readLines(path.join(dir, `${split}_labels.txt`));
  if (texts.length !== labels.length) throw new Error(`tweeteval ${split}: ${texts.length} texts but ${labels.length} labels`);
  return texts.map((text, i) => {
    const label = Number(labels[i]);
    if (label !== 0 && label !== 1 && label !== 2) throw new Error(`tweeteval ${split}: bad label on line ${i + 1}`);
    return { text, label };
  });
}

/** Length of the normalised prefix that marks a near-duplicate (about eight words). */
export const NEAR_DUP_CHARS = 40;

function prefixSet(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) if (k.length >= NEAR_DUP_CHARS) out.add(k.slice(0, NEAR_DUP_CHARS));
  return out;
}

function containsPrefix(key: string, prefixes: ReadonlySet<string>): boolean {
  for (let i = 0; i + NEAR_DUP_CHARS <= key.length; i++) if (prefixes.has(key.slice(i, i + NEAR_DUP_CHARS))) return true;
  return false;
}

export interface PoolOptions {
  /** Keep only every n-th kept example (for quick experiments and tests). Default 1. */
  every?: number;
}

/**
 * The training set: the SemEval-2017 pool minus TweetEval val and test, anonymised. Files are read in name order;
 * a tweet id seen in an earlier file is skipped. Deterministic: the same files give the same list in the same order.
 */
export function readSentimentPool(sharedDir: string, options: PoolOptions = {}): { examples: LabelledText[]; report: PoolReport } {
  const poolDir = path.join(sharedDir, 'semeval2017_task4A_english');
  const files = readdirSync(poolDir).filter((f) => f.endsWith('.tsv')).sort();
  const valKeys = new Set(readTweetEval(sharedDir, 'val').map((e) => matchKey(e.text)));
  const testKeys = new Set(readTweetEval(sharedDir, 'test').map((e) => matchKey(e.text)));
  valKeys.delete('');
  testKeys.delete('');
  const valPrefixes = prefixSet(valKeys);
  const testPrefixes = prefixSet(testKeys);
  const seen = new Set<string>();
  const every = Math.max(1, Math.floor(options.every ?? 1));
  const report: PoolReport = { files: files.length, rows: 0, duplicateIds: 0, malformed: 0, removedVal: 0, removedTest: 0, removedNearVal: 0, removedNearTest: 0, kept: 0, perLabel: [0, 0, 0] };
  const examples: LabelledText[] = [];
  let n = 0;
  for (const f of files) {
    for (const line of readLines(path.join(poolDir, f))) {
      if (line.trim() === '') continue;
      report.rows++;
      const t1 = line.indexOf('\t');
      const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
      const id = t1 < 0 ? '' : line.slice(0, t1);
      const label = t2 < 0 ? undefined : LABEL_INDEX[line.slice(t1 + 1, t2).trim()];
      const raw = t2 < 0 ? '' : cleanPoolText(line.slice(t2 + 1));
      if (label === undefined || raw === '') {
        report.malformed++;
        continue;
      }
      if (seen.has(id)) {
        report.duplicateIds++;
        continue;
      }
      seen.add(id);
      const key = matchKey(raw);
      if (valKeys.has(key)) {
        report.removedVal++;
        continue;
      }
      if (testKeys.has(key)) {
        report.removedTest++;
        continue;
      }
      if (containsPrefix(key, valPrefixes)) {
        report.removedNearVal++;
        continue;
      }
      if (containsPrefix(key, testPrefixes)) {
        report.removedNearTest++;
        continue;
      }
      const text = anonymise(raw);
      if (text === '') {
        report.malformed++;
        continue;
      }
      if (n++ % every !== 0) continue;
      examples.push({ text, label });
      report.kept++;
      report.perLabel[label as 0 | 1 | 2]++;
    }
  }
  return { examples, report };
}
