/**
 * Session 3 data protocol: the pool with each row's file and id, and a time-shifted validation slice.
 *
 * Same filtering as `readSentimentPool` (src/triage/model/data.ts): repeated ids dropped, every TweetEval val/test
 * text and near-duplicate left out, texts anonymised. In addition, a hash-chosen 30 % of `twitter-2016test-A.tsv`
 * (tweets from 2016, the period closest to TweetEval test) is held out as "ts-val", and every other pool row whose
 * match key equals a ts-val text (or contains the first 40 normalised characters of one) is left out of training.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { anonymise, matchKey, NEAR_DUP_CHARS, readTweetEval, type LabelledText } from '../../src/triage/model/data.js';
import { fmix, hashString } from '../../src/triage/model/features.js';

export const SHARED = process.env.EARSHOT_SHARED_DATA ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

export interface PoolRow extends LabelledText {
  id: string;
  file: string;
}

const LABEL_INDEX: Readonly<Record<string, number>> = { negative: 0, neutral: 1, positive: 2 };
const HOLDOUT_FILE = 'twitter-2016test-A.tsv';
/** A row of 2016test is in ts-val when fmix(FNV(id)) % 100 < HOLDOUT_PCT. */
export const HOLDOUT_PCT = 30;

function readLines(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function prefixSet(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) if (k.length >= NEAR_DUP_CHARS) out.add(k.slice(0, NEAR_DUP_CHARS));
  return out;
}

function containsPrefix(key: string, prefixes: ReadonlySet<string>): boolean {
  for (let i = 0; i + NEAR_DUP_CHARS <= key.length; i++) if (prefixes.has(key.slice(i, i + NEAR_DUP_CHARS))) return true;
  return false;
}

/** Every kept pool row (TweetEval val/test and near-duplicates removed), in file-name order. */
export function readPoolRows(shared = SHARED): PoolRow[] {
  const poolDir = path.join(shared, 'semeval2017_task4A_english');
  const files = readdirSync(poolDir).filter((f) => f.endsWith('.tsv')).sort();
  const bad = new Set([...readTweetEval(shared, 'val'), ...readTweetEval(shared, 'test')].map((e) => matchKey(e.text)));
  bad.delete('');
  const badPrefixes = prefixSet(bad);
  const seen = new Set<string>();
  const rows: PoolRow[] = [];
  for (const f of files) {
    for (const line of readLines(path.join(poolDir, f))) {
      if (line.trim() === '') continue;
      const t1 = line.indexOf('\t');
      const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
      const id = t1 < 0 ? '' : line.slice(0, t1);
      const label = t2 < 0 ? undefined : LABEL_INDEX[line.slice(t1 + 1, t2).trim()];
      const raw = t2 < 0 ? '' : line.slice(t2 + 1).replace(/[\t\r\n ]+$/, '');
      if (label === undefined || raw === '' || seen.has(id)) continue;
      seen.add(id);
      const key = matchKey(raw);
      if (bad.has(key) || containsPrefix(key, badPrefixes)) continue;
      const text = anonymise(raw);
      if (text === '') continue;
      rows.push({ id, file: f, text, label });
    }
  }
  return rows;
}

export interface Protocol {
  /** Training rows (pool minus ts-val and its duplicates). */
  train: PoolRow[];
  /** Time-shifted validation: 30 % of 2016test by id hash. */
  tsval: PoolRow[];
  /** TweetEval sentiment val. */
  val: LabelledText[];
}

export function isHoldout(r: PoolRow): boolean {
  return r.file === HOLDOUT_FILE && fmix(hashString(r.id)) % 100 < HOLDOUT_PCT;
}

export function loadProtocol(shared = SHARED): Protocol {
  const rows = readPoolRows(shared);
  const tsval = rows.filter(isHoldout);
  const keys = new Set(tsval.map((r) => matchKey(r.text)));
  const prefixes = prefixSet(keys);
  const train = rows.filter((r) => {
    if (isHoldout(r)) return false;
    const k = matchKey(r.text);
    return !keys.has(k) && !containsPrefix(k, prefixes);
  });
  return { train, tsval, val: readTweetEval(shared, 'val') };
}

/** Unlabelled text allowed for unsupervised features: TweetEval emotion + offensive texts (all splits) and twcs, minus anything matching a TweetEval sentiment val/test text. */
export function readUnlabelledTexts(shared = SHARED): string[] {
  const bad = new Set([...readTweetEval(shared, 'val'), ...readTweetEval(shared, 'test')].map((e) => matchKey(e.text)));
  const out: string[] = [];
  for (const task of ['emotion', 'offensive']) {
    for (const split of ['train', 'val', 'test']) {
      for (const t of readLines(path.join(shared, 'tweeteval', task, `${split}_text.txt`))) {
        const k = matchKey(t);
        if (k === '' || bad.has(k)) continue;
        out.push(t);
      }
    }
  }
  return out;
}
