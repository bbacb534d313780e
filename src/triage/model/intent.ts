/**
 * The intent + needs-reply model: the sentiment model's hashed features (features.ts) plus intent cues (below) →
 * a 9-class softmax (linear.ts) for intent, and a binary softmax head for needs-reply on the same features plus the
 * intent probabilities. Trained on the set labelled in this project (intent-data.ts, training/intent/GUIDE.md).
 *
 * Intent cues, added to the hashed n-grams as post-level features:
 * - the rule-based decision of `../intent.ts` as a one-hot (and crossed with "addressed to someone");
 * - the phrase lists of `../phrases.ts` that fired (request, idea, spam, sales, news, urgency), each by list and by
 *   phrase; problem words; a question opener;
 * - a question mark, "?" as the last punctuation, the post opening with a @mention, counts of mentions / hashtags /
 *   URLs, "RT @", BREAKING, all caps, repeated characters, a care agent's sign-off ("^JAY", "-KC"), length;
 * - the lexicon sentiment (through the sentiment features, and its sign here).
 *
 * File format (`models/intent.bin`), all integers little-endian, the whole file gzip-compressed (level 9):
 *   bytes 0..3   "EINT"
 *   u32          format version (1)
 *   u32          length L of the UTF-8 JSON header (IntentModelMeta)
 *   L bytes      JSON header, padded to a multiple of 4
 *   per head (intent with K = 9 classes, then needs-reply with K = 2):
 *     f32 × K bias, f32 × K per-class scale s_k, i16 × D·K weights (row-major [feature][class], weight = q · s_k)
 * Same model → same bytes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Intent } from '../../core/triage.js';
import { extractFeatures, type Features } from '../features.js';
import { decideIntent } from '../intent.js';
import { scoreSentiment, type SentimentScore } from '../lexicon.js';
import type { Token } from '../tokenize.js';
import { DEFAULT_FEATURES, extractSentimentFeatures, FeatureBuffer, fmix, hashString, sentimentTokens, tokenLabel, cleanText, type FeatureConfig } from './features.js';
import { INTENT_LABELS, readIntentSet, type IntentExample } from './intent-data.js';
import { linearScores, mulberry32, shuffledOrder, softmaxInPlace, trainSoftmax, type LinearModel, type SparseExample } from './linear.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { cachedLoader, committedModelPath, writeModelFile } from './model-file.js';
import { quantise } from './sentiment.js';

export const INTENT_MAGIC = 'EINT';
export const INTENT_VERSION = 1;
const K = INTENT_LABELS.length;

export interface IntentHyper {
  epochs: number;
  lr: number;
  l2: number;
  /** Class weight = (n / (K · n_k))^power: 1 is 'balanced', 0 is none. */
  classWeightPower: number;
  /** Add the rule/cue features (see the file comment). */
  cues: boolean;
  /** Value of one cue feature (n-grams have 1). */
  cueWeight: number;
  /** Feed the intent probabilities (out-of-fold while training) to the needs-reply head. */
  replyUsesIntent: boolean;
  /** Choose per-class logit offsets for macro-F1 on the out-of-fold logits of cross-validation on train. */
  offsets: boolean;
  /** Needs-reply recall the decision threshold is set for (from cross-validation on train). */
  replyRecall: number;
  /** Intent head: average of this many models trained on shuffles seeded seed, seed+1, … */
  ensemble: number;
  /** Folds for the out-of-fold probabilities and the threshold. */
  folds: number;
}

export const DEFAULT_INTENT_HYPER: IntentHyper = {
  epochs: 10,
  lr: 0.1,
  l2: 1e-6,
  classWeightPower: 0.5,
  cues: true,
  cueWeight: 3,
  replyUsesIntent: true,
  offsets: false,
  replyRecall: 0.9,
  ensemble: 1,
  folds: 5,
};

export const DEFAULT_INTENT_FEATURES: FeatureConfig = { ...DEFAULT_FEATURES, bits: 18 };

export interface IntentModelMeta {
  format: 'earshot-intent';
  labels: readonly Intent[];
  features: FeatureConfig;
  cues: boolean;
  cueWeight: number;
  replyUsesIntent: boolean;
  /** Added to the intent logits before the softmax (macro-F1 offsets from cross-validation on train; zeros if off). */
  intentOffsets: number[];
  /**
   * Offset added to the needs-reply logit so that `needsReply >= 0.5` is the operating point chosen by
   * cross-validation on train (recall >= hyper.replyRecall). `replyThreshold` is the raw probability it stands for.
   */
  replyOffset: number;
  replyThreshold: number;
  training: Record<string, unknown>;
}

export interface IntentPrediction {
  intent: Intent;
  /** Index into INTENT_LABELS. */
  index: number;
  probability: number;
  /** In INTENT_LABELS order. */
  probabilities: number[];
  /** Probability-like score that a brand should answer, 0..1; `>= 0.5` is the model's decision. */
  needsReply: number;
}

export interface IntentReason {
  /** A word ("refund"), a phrase cue ("request: can you"), or a post-level cue ("question mark"). */
  term: string;
  weight: number;
}

export const DEFAULT_INTENT_MODEL_PATH = committedModelPath('intent.bin');

// ---- cue features ----------------------------------------------------------------------------------------------------

const CUE_SEED = 0x1a7e17;
const cueHash = (name: string): number => fmix(hashString(name, CUE_SEED));
/** Cue names whose hash is computed once. */
const cueCache = new Map<string, number>();
function cueIndex(name: string, mask: number): number {
  let h = cueCache.get(name);
  if (h === undefined) {
    h = cueHash(name);
    if (cueCache.size < 10_000) cueCache.set(name, h);
  }
  return h & mask;
}

/** Care agents sign their replies: "^JAY", "-KC", "*ErikS" at the end. */
const SIGNOFF = /(?:\^[A-Za-z]{1,12}|\s[-*~][A-Z][A-Za-z]{0,10})\s*$/;
/** The longest text SIGNOFF can match before its trailing whitespace. */
const SIGNOFF_MAX = 13;

/**
 * SIGNOFF.test(text), on the end of the text only: a match ends where the trailing whitespace starts and is at most
 * SIGNOFF_MAX long, so it lies in the last SIGNOFF_MAX characters of the trimmed text (`trimEnd` removes exactly
 * what `\s` matches). The regex tried at every position of the post cost more than the other cues together.
 */
export function signedOff(text: string): boolean {
  const t = text.trimEnd();
  return SIGNOFF.test(t.length > SIGNOFF_MAX ? t.slice(t.length - SIGNOFF_MAX) : t);
}

/**
 * Cue names of one shape, each built once: `get(a, b)` returns the same string every time, so no cue name is
 * concatenated again per post and its hash (cueIndex) is found at once. Names come from small sets (intents, phrase
 * lists and their phrases, question openers); past 10,000 the names are built each time, as before.
 */
class CueNames {
  private readonly byA = new Map<string, Map<string, string>>();
  private size = 0;

  constructor(private readonly join: (a: string, b: string) => string) {}

  get(a: string, b = ''): string {
    let m = this.byA.get(a);
    if (m === undefined) {
      m = new Map();
      this.byA.set(a, m);
    }
    let name = m.get(b);
    if (name === undefined) {
      name = this.join(a, b);
      if (this.size < 10_000) {
        m.set(b, name);
        this.size++;
      }
    }
    return name;
  }
}

const RULE_CUE = new CueNames((intent) => `rule: ${intent}`);
const RULE_ADDRESSED_CUE = new CueNames((intent) => `rule: ${intent}, addressed`);
const LIST_CUE = new CueNames((list) => `${list} phrase`);
const PHRASE_CUE = new CueNames((list, phrase) => `${list}: ${phrase}`);
const OPENER_CUE = new CueNames((word) => `question opener: ${word}`);
const SENTIMENT_CUE = new CueNames((sentiment) => `sentiment ${sentiment}`);

const BINS_1_2_3 = ['none', '1', '2', '3+'];
const BINS_HASHTAGS = ['none', '1', '2', '3-4', '5+'];
const BINS_WORDS = ['0-2', '3-5', '6-11', '12-19', '20+'];
const MENTIONS_CUES = BINS_1_2_3.map((b) => `mentions: ${b}`);
const HASHTAGS_CUES = BINS_HASHTAGS.map((b) => `hashtags: ${b}`);
const LINKS_CUES = BINS_1_2_3.map((b) => `links: ${b}`);
const WORDS_CUES = BINS_WORDS.map((b) => `words: ${b}`);
const bin = (n: number, edges: readonly number[]): number => {
  let b = 0;
  while (b < edges.length && n >= edges[b]!) b++;
  return b;
};

/**
 * Where addCues writes its cues: an object reused for every post rather than a closure made per post (the
 * TypeScript loader wraps each named closure in a `__name` call, which cost as much as the cues themselves).
 */
class CueWriter {
  private out = new FeatureBuffer();
  private names: string[] | null = null;
  private mask = 0;
  private weight = 0;

  start(out: FeatureBuffer, names: string[] | null, mask: number, weight: number): this {
    this.out = out;
    this.names = names;
    this.mask = mask;
    this.weight = weight;
    return this;
  }

  push(name: string, v1 = 1): void {
    const v = v1 * this.weight;
    if (this.names !== null) {
      this.out.push(cueIndex(name, this.mask), v, -2 - this.names.length);
      this.names.push(name);
    } else this.out.push(cueIndex(name, this.mask), v, -1);
  }
}
const CUES = new CueWriter();

/**
 * Appends the intent cues to `out` (after the sentiment features). Post-level cues get source −2 − i, where
 * `names[i]` is their readable name (for reasons). `given` is `extractFeatures(tokens, text, {})` when the caller
 * has it already (the triage step computes it for its rules), so it is not computed twice.
 */
function addCues(tokens: readonly Token[], text: string, lex: SentimentScore, config: FeatureConfig, weight: number, out: FeatureBuffer, names: string[] | null, given?: Features): void {
  const cues = CUES.start(out, names, (1 << config.bits) - 1, weight);
  const f = given ?? extractFeatures(tokens, text, {});
  const sentiment = lex.score >= 1 ? 'positive' : lex.score <= -1 ? 'negative' : 'neutral';
  const negativeTerms = lex.hits.filter((h) => h.score < 0).map((h) => h.term);
  const positiveTerms = lex.hits.filter((h) => h.score > 0 && !h.negated).map((h) => h.term);
  const isRepost = text.startsWith('RT @');
  const rule = decideIntent({ features: f, sentiment, score: lex.score, negativeTerms, positiveTerms, isRepost });
  cues.push(RULE_CUE.get(rule.intent));
  if (f.addressed) cues.push(RULE_ADDRESSED_CUE.get(rule.intent));
  // In the order the lists were first hit (as Object.entries would list them).
  for (const list in f.phrases) {
    const hits = f.phrases[list as keyof Features['phrases']];
    if (hits === undefined || hits.length === 0) continue;
    cues.push(LIST_CUE.get(list));
    for (const h of hits) cues.push(PHRASE_CUE.get(list, h));
  }
  if (f.problemWords.length > 0) cues.push('problem words', Math.min(3, f.problemWords.length) / 3);
  if (f.urgency.length > 0) cues.push('urgency words');
  if (f.questionOpener !== null) cues.push(OPENER_CUE.get(f.questionOpener));
  if (f.questionMark) cues.push('question mark');
  let lastPunct = '';
  let firstKind = '';
  for (const t of tokens) {
    if (firstKind === '') firstKind = t.kind;
    if (t.kind === 'punct') lastPunct = t.norm;
    else if (t.kind !== 'url' && t.kind !== 'emoji' && t.kind !== 'emoticon' && t.kind !== 'hashtag') lastPunct = '';
  }
  if (lastPunct.includes('?')) cues.push('ends with ?');
  if (firstKind === 'mention') cues.push('starts with @mention');
  if (f.addressed) cues.push('addressed to someone');
  if (f.personal) cues.push('first person');
  cues.push(MENTIONS_CUES[bin(f.mentions, [1, 2, 3])]!);
  cues.push(HASHTAGS_CUES[bin(f.hashtags, [1, 2, 3, 5])]!);
  cues.push(LINKS_CUES[bin(f.urls, [1, 2, 3])]!);
  cues.push(WORDS_CUES[bin(f.words, [3, 6, 12, 20])]!);
  if (isRepost) cues.push('retweet');
  if (f.breaking) cues.push('BREAKING');
  if (f.allCaps) cues.push('all caps');
  if (f.repeatedChars) cues.push('repeated characters');
  if (signedOff(text)) cues.push('agent sign-off');
  cues.push(SENTIMENT_CUE.get(sentiment));
}

/** Readable name of a post-level (source −1) feature: the lexicon's dense features. */
const POST_LEVEL = 'lexicon sentiment';

/** All features of a post into `out`; `text` is the cleaned text the tokens came from. */
export function extractIntentFeatures(tokens: readonly Token[], text: string, features: FeatureConfig, cueWeight: number, out: FeatureBuffer, lex?: SentimentScore, names: string[] | null = null): SentimentScore {
  let allCaps = false;
  if (lex === undefined) {
    let words = 0;
    let caps = 0;
    for (const t of tokens) {
      if (t.kind !== 'word') continue;
      words++;
      if (t.caps) caps++;
    }
    allCaps = words >= 3 && caps === words;
  }
  const score = lex ?? scoreSentiment(tokens, allCaps);
  extractSentimentFeatures(tokens, features, out, score);
  if (cueWeight > 0) addCues(tokens, text, score, features, cueWeight, out, names);
  return score;
}

/** Index of the needs-reply head's input "probability of intent k". */
function probIndex(k: number, bits: number): number {
  return cueIndex(`p(${INTENT_LABELS[k]!})`, (1 << bits) - 1);
}

// ---- the model -------------------------------------------------------------------------------------------------------

/** A row of the fused weight table: the 9 intent weights of a feature, then its 2 needs-reply weights. */
const ROW = K + 2;

/**
 * Whether `a` and `b` hash the same features and differ at most in `bits`: then the features of one, masked to the
 * other's smaller hash space, are exactly the other's (every index is a 32-bit hash masked to `bits`).
 */
export function sameFeaturesUpToBits(a: FeatureConfig, b: FeatureConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof FeatureConfig>);
  for (const key of keys) if (key !== 'bits' && a[key] !== b[key]) return false;
  return true;
}

/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export class IntentModel {
  private readonly buf = new FeatureBuffer();
  private readonly s = new Float64Array(K);
  private readonly probIdx: Int32Array;
  /**
   * Both heads' weights side by side, one row [9 intent, 2 needs-reply] per feature that has any weight, in feature
   * order: a feature's 11 weights are one read from one place, and both heads are scored in one pass. Trained on
   * 2,000 posts, the model gave weight to about a fifth of its 2^18 features, so the rows take 2.5 MB instead of the
   * heads' 9 + 2 MB: the weights a post needs stay in the cache, which is what scoring waits on. The same float32
   * values as the heads', so the same sums in the same order.
   */
  private readonly rows: Float32Array;
  /**
   * One bit per feature: set when it has a row (any of its 11 weights is not zero). A fifth of a tweet's features
   * have none; scoring skips them (adding v · 0 = ±0 would change no sum).
   */
  private readonly live: Uint32Array;
  /** Rows before each 32-bit word of `live`: a live feature's row is that plus the set bits below it in its word. */
  private readonly rank: Int32Array;
  /** Scratch for attribute: the contribution of each token. */
  private perToken = new Float64Array(64);
  /** The readable names of the last prediction's cues (a cue's source is −2 − its index here), for its reasons. */
  private readonly names: string[] = [];

  constructor(
    readonly meta: IntentModelMeta,
    readonly intentHead: LinearModel,
    readonly replyHead: LinearModel,
  ) {
    const dim = 2 ** meta.features.bits;
    // The scoring loop is written out for the 9 intents of INTENT_LABELS.
    if (K !== 9 || intentHead.classes !== K || replyHead.classes !== 2) throw new Error('intent model needs 9 + 2 classes');
    if (intentHead.dim !== dim || replyHead.dim !== dim) throw new Error(`weights for ${intentHead.dim} features, config says 2^${meta.features.bits}`);
    this.probIdx = Int32Array.from(INTENT_LABELS, (_, k) => probIndex(k, meta.features.bits));
    const wi = intentHead.weights;
    const wr = replyHead.weights;
    const live = new Uint32Array(Math.ceil(dim / 32));
    const rank = new Int32Array(live.length);
    let used = 0;
    for (let j = 0; j < dim; j++) {
      if ((j & 31) === 0) rank[j >>> 5] = used;
      let any = wr[j * 2] !== 0 || wr[j * 2 + 1] !== 0;
      for (let k = 0; k < K && !any; k++) any = wi[j * K + k] !== 0;
      if (!any) continue;
      live[j >>> 5] = live[j >>> 5]! | (1 << (j & 31));
      used++;
    }
    const rows = new Float32Array(used * ROW);
    for (let j = 0, r = 0; j < dim; j++) {
      if ((live[j >>> 5]! & (1 << (j & 31))) === 0) continue;
      for (let k = 0; k < K; k++) rows[r * ROW + k] = wi[j * K + k]!;
      rows[r * ROW + K] = wr[j * 2]!;
      rows[r * ROW + K + 1] = wr[j * 2 + 1]!;
      r++;
    }
    this.rows = rows;
    this.live = live;
    this.rank = rank;
  }

  /**
   * Intent probabilities (into this.s) and needs-reply score of the features in this.buf. One pass over the features
   * for both heads, eleven running sums: the same products added in the same order as `linearScores` per head, less
   * the features without weights, whose products are ±0.
   */
  private score(): number {
    const { idx, val, n } = this.buf;
    const w = this.rows;
    const live = this.live;
    const rank = this.rank;
    const ib = this.intentHead.bias;
    const rb = this.replyHead.bias;
    let s0 = ib[0]!, s1 = ib[1]!, s2 = ib[2]!, s3 = ib[3]!, s4 = ib[4]!, s5 = ib[5]!, s6 = ib[6]!, s7 = ib[7]!, s8 = ib[8]!;
    let r0 = rb[0]!;
    let r1 = rb[1]!;
    for (let i = 0; i < n; i++) {
      const j = idx[i]!;
      const word = live[j >>> 5]!;
      const bit = 1 << (j & 31);
      if ((word & bit) === 0) continue;
      const b = (rank[j >>> 5]! + popcount(word & (bit - 1))) * ROW;
      const v = val[i]!;
      s0 += v * w[b]!;
      s1 += v * w[b + 1]!;
      s2 += v * w[b + 2]!;
      s3 += v * w[b + 3]!;
      s4 += v * w[b + 4]!;
      s5 += v * w[b + 5]!;
      s6 += v * w[b + 6]!;
      s7 += v * w[b + 7]!;
      s8 += v * w[b + 8]!;
      r0 += v * w[b + 9]!;
      r1 += v * w[b + 10]!;
    }
    const s = this.s;
    const off = this.meta.intentOffsets;
    s[0] = s0 + (off[0] ?? 0);
    s[1] = s1 + (off[1] ?? 0);
    s[2] = s2 + (off[2] ?? 0);
    s[3] = s3 + (off[3] ?? 0);
    s[4] = s4 + (off[4] ?? 0);
    s[5] = s5 + (off[5] ?? 0);
    s[6] = s6 + (off[6] ?? 0);
    s[7] = s7 + (off[7] ?? 0);
    s[8] = s8 + (off[8] ?? 0);
    softmaxInPlace(s, K);
    if (this.meta.replyUsesIntent) {
      const wr = this.replyHead.weights;
      for (let k = 0; k < K; k++) {
        const base = this.probIdx[k]! * 2;
        r0 += s[k]! * wr[base]!;
        r1 += s[k]! * wr[base + 1]!;
      }
    }
    return 1 / (1 + Math.exp(-(r1 - r0 + this.meta.replyOffset)));
  }

  private prediction(): IntentPrediction {
    const needsReply = this.score();
    const s = this.s;
    let best = 0;
    for (let k = 1; k < K; k++) if (s[k]! > s[best]!) best = k;
    return { intent: INTENT_LABELS[best]!, index: best, probability: s[best]!, probabilities: Array.from(s), needsReply };
  }

  /**
   * Classify tokens of the cleaned text (`sentimentTokens(text)`, i.e. `tokenize(cleanText(text))`). `text` (the
   * cleaned text) feeds a few cues (sign-offs, "RT @", repeated characters); without it they are read from the
   * tokens. Pass the lexicon score when it is already computed for these tokens.
   */
  predictTokens(tokens: readonly Token[], lex?: SentimentScore, text?: string): IntentPrediction {
    this.names.length = 0;
    extractIntentFeatures(tokens, text ?? tokens.map((t) => t.raw).join(' '), this.meta.features, this.meta.cues ? this.meta.cueWeight : 0, this.buf, lex, this.names);
    return this.prediction();
  }

  /** Whether `predictFromSentimentFeatures` can take the features of a sentiment model with this feature config. */
  canShareFeatures(sentimentFeatures: FeatureConfig): boolean {
    return sentimentFeatures.bits >= this.meta.features.bits && sameFeaturesUpToBits(sentimentFeatures, this.meta.features);
  }

  /**
   * `predictTokens(tokens, lex, text)` without its own pass over the n-grams: `shared` holds the features the
   * sentiment model just computed for the same tokens and lexicon score (its `lastFeatures`, from a config for which
   * `canShareFeatures` is true). Masked to this model's hash space they are the very features this model would
   * compute — the pass that was half the cost of the intent model — so the prediction is the same. `f` is
   * `extractFeatures(tokens, text, {})` when the caller has it (the intent cues read it).
   */
  predictFromSentimentFeatures(shared: FeatureBuffer, tokens: readonly Token[], lex: SentimentScore, text: string, f?: Features): IntentPrediction {
    this.buf.copyMasked(shared, (1 << this.meta.features.bits) - 1);
    this.names.length = 0;
    if (this.meta.cues && this.meta.cueWeight > 0) addCues(tokens, text, lex, this.meta.features, this.meta.cueWeight, this.buf, this.names, f);
    return this.prediction();
  }

  predict(text: string): IntentPrediction {
    const clean = cleanText(text);
    return this.predictTokens(sentimentTokens(text), undefined, clean);
  }

  /**
   * What pushed hardest toward `intent` (default: the predicted one): per token, the weight of its features for that
   * intent minus their mean over the others; cues are named ("rule: request", "question mark"). The `limit` largest.
   */
  explainTokens(tokens: readonly Token[], intent?: Intent, limit = 3, lex?: SentimentScore, text?: string): IntentReason[] {
    const k = intent === undefined ? this.predictTokens(tokens, lex, text).index : INTENT_LABELS.indexOf(intent);
    if (k < 0) throw new Error(`unknown intent ${String(intent)}`);
    this.names.length = 0;
    extractIntentFeatures(tokens, text ?? tokens.map((t) => t.raw).join(' '), this.meta.features, this.meta.cues ? this.meta.cueWeight : 0, this.buf, lex, this.names);
    return this.attribute(tokens, k, limit);
  }

  /**
   * `explainTokens(tokens, intent, limit)` for the post of the last prediction (`predictTokens` or
   * `predictFromSentimentFeatures`, with these tokens), read from the features that prediction computed: no second
   * pass, same reasons.
   */
  explainLastPrediction(tokens: readonly Token[], intent: Intent, limit = 3): IntentReason[] {
    const k = INTENT_LABELS.indexOf(intent);
    if (k < 0) throw new Error(`unknown intent ${String(intent)}`);
    return this.attribute(tokens, k, limit);
  }

  /**
   * The attribution of explainTokens over the features in this.buf and the cue names in this.names: per feature, its
   * weight for intent k minus its mean weight over the other intents; summed per token, per cue, and for the lexicon's
   * post-level features together; a token's label takes the best of its tokens. The `limit` largest positive ones.
   */
  private attribute(tokens: readonly Token[], k: number, limit: number): IntentReason[] {
    const names = this.names;
    // The fused rows the prediction just read (in cache), not the intent head's own table: the same float32 values.
    const w = this.rows;
    const live = this.live;
    const rank = this.rank;
    const { idx, val, src: source, n } = this.buf;
    if (this.perToken.length < tokens.length) this.perToken = new Float64Array(tokens.length * 2);
    const perToken = this.perToken;
    perToken.fill(0, 0, tokens.length);
    const best = new Map<string, number>();
    // The post-level features add up under one name, in feature order (a local sum instead of a Map entry updated
    // per feature: the same additions in the same order).
    let postLevel = 0;
    let anyPostLevel = false;
    for (let i = 0; i < n; i++) {
      // A feature without weights contributes v · 0 = ±0, which changes no sum and no comparison below.
      const j = idx[i]!;
      const word = live[j >>> 5]!;
      const bit = 1 << (j & 31);
      if ((word & bit) === 0) continue;
      const b = (rank[j >>> 5]! + popcount(word & (bit - 1))) * ROW;
      // The 9 intent weights added in order, as a loop over them would (the constructor checks there are 9).
      const sum = 0 + w[b]! + w[b + 1]! + w[b + 2]! + w[b + 3]! + w[b + 4]! + w[b + 5]! + w[b + 6]! + w[b + 7]! + w[b + 8]!;
      const wk = w[b + k]!;
      const c = val[i]! * (wk - (sum - wk) / (K - 1));
      const src = source[i]!;
      if (src >= 0) perToken[src] = perToken[src]! + c;
      else {
        const term = src === -1 ? POST_LEVEL : (names[-2 - src] ?? POST_LEVEL);
        if (term === POST_LEVEL) {
          postLevel = (anyPostLevel ? postLevel : 0) + c;
          anyPostLevel = true;
        } else best.set(term, (best.get(term) ?? 0) + c);
      }
    }
    if (anyPostLevel) best.set(POST_LEVEL, postLevel);
    // A token can only raise its label's entry to a positive value; one with nothing positive to add is skipped
    // before its label is built (only positive entries are kept below).
    for (let i = 0; i < tokens.length; i++) {
      const p = perToken[i]!;
      if (!(p > 0)) continue;
      const term = tokenLabel(tokens[i]!);
      if (p > (best.get(term) ?? 0)) best.set(term, p);
    }
    const kept: Array<[string, number]> = [];
    for (const entry of best) if (entry[1] > 0) kept.push(entry);
    return kept
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([term, weight]) => ({ term, weight: Math.round(weight * 1000) / 1000 }));
  }

  explain(text: string, intent?: Intent, limit = 3): IntentReason[] {
    return this.explainTokens(sentimentTokens(text), intent, limit, undefined, cleanText(text));
  }
}

// ---- serialisation ---------------------------------------------------------------------------------------------------

function writeHead(parts: Buffer[], linear: LinearModel): void {
  const { q, scales } = quantise(linear);
  const head = Buffer.alloc(8 * linear.classes);
  for (let k = 0; k < linear.classes; k++) {
    head.writeFloatLE(linear.bias[k]!, 4 * k);
    head.writeFloatLE(scales[k]!, 4 * (linear.classes + k));
  }
  parts.push(head, Buffer.from(q.buffer, q.byteOffset, q.byteLength));
}

function readHead(raw: Buffer, p: number, classes: number, dim: number): { linear: LinearModel; end: number } {
  const end = p + 8 * classes + 2 * dim * classes;
  if (raw.length < end) throw new Error(`intent model truncated: ${raw.length} bytes`);
  const bias = new Float32Array(classes);
  const scales = new Float32Array(classes);
  for (let k = 0; k < classes; k++) bias[k] = raw.readFloatLE(p + 4 * k);
  for (let k = 0; k < classes; k++) scales[k] = raw.readFloatLE(p + 4 * (classes + k));
  p += 8 * classes;
  const q = new Int16Array(dim * classes);
  Buffer.from(q.buffer).set(raw.subarray(p, p + 2 * dim * classes));
  const weights = new Float32Array(q.length);
  for (let j = 0; j < q.length; j++) weights[j] = q[j]! * scales[j % classes]!;
  return { linear: { classes, dim, weights, bias }, end };
}

export function encodeIntentModel(model: IntentModel): Buffer {
  const header = Buffer.from(JSON.stringify(model.meta), 'utf8');
  const start = Buffer.alloc(Math.ceil((12 + header.length) / 4) * 4);
  start.write(INTENT_MAGIC, 0, 'latin1');
  start.writeUInt32LE(INTENT_VERSION, 4);
  start.writeUInt32LE(header.length, 8);
  header.copy(start, 12);
  const parts = [start];
  writeHead(parts, model.intentHead);
  writeHead(parts, model.replyHead);
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

export function decodeIntentModel(file: Buffer): IntentModel {
  const raw = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file;
  if (raw.length < 12 || raw.toString('latin1', 0, 4) !== INTENT_MAGIC) throw new Error('not an Earshot intent model (bad magic)');
  const version = raw.readUInt32LE(4);
  if (version !== INTENT_VERSION) throw new Error(`intent model format ${version}, this build reads ${INTENT_VERSION}`);
  const headerLen = raw.readUInt32LE(8);
  const meta = JSON.parse(raw.toString('utf8', 12, 12 + headerLen)) as IntentModelMeta;
  if (meta.format !== 'earshot-intent') throw new Error('not an Earshot intent model (bad header)');
  const dim = 2 ** meta.features.bits;
  const a = readHead(raw, Math.ceil((12 + headerLen) / 4) * 4, meta.labels.length, dim);
  const b = readHead(raw, a.end, 2, dim);
  if (b.end !== raw.length) throw new Error(`intent model has ${raw.length - b.end} trailing bytes`);
  return new IntentModel(meta, a.linear, b.linear);
}

/** The model as it is after a save and a load (weights rounded to int16 steps). */
export function roundTripIntent(model: IntentModel): IntentModel {
  return decodeIntentModel(encodeIntentModel(model));
}

export function saveIntentModel(model: IntentModel, file: string = DEFAULT_INTENT_MODEL_PATH): number {
  return writeModelFile(encodeIntentModel(model), file);
}

/** Load (once per path per process) the committed model, or the one at `file`. */
export const loadIntentModel: (file?: string) => IntentModel = cachedLoader(decodeIntentModel, DEFAULT_INTENT_MODEL_PATH);

// ---- training --------------------------------------------------------------------------------------------------------

interface Featurised {
  idx: Int32Array;
  val: Float32Array;
  intent: number;
  reply: number;
}

function featuriseAll(data: readonly IntentExample[], features: FeatureConfig, cueWeight: number): Featurised[] {
  const buf = new FeatureBuffer();
  return data.map((d) => {
    const clean = cleanText(d.text);
    extractIntentFeatures(sentimentTokens(d.text), clean, features, cueWeight, buf);
    return { idx: buf.idx.slice(0, buf.n), val: buf.val.slice(0, buf.n), intent: d.intent, reply: d.needsReply };
  });
}

/** Fold of every example: stratified by intent, from a seeded shuffle. */
export function stratifiedFolds(labels: readonly number[], folds: number, seed: number, groups?: readonly (string | null)[]): Int32Array {
  const order = shuffledOrder(labels.length, mulberry32(seed ^ 0x5eed));
  const fold = new Int32Array(labels.length);
  const next = new Map<number, number>();
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    const c = next.get(labels[j]!) ?? 0;
    fold[j] = c % folds;
    next.set(labels[j]!, c + 1);
  }
  if (groups) {
    // Copies of one example (a weighted correction) share the fold of the first: a copy left in training would let
    // cross-validation score it on itself and pick an optimistic needs-reply threshold.
    const first = new Map<string, number>();
    groups.forEach((g, i) => {
      if (g === null) return;
      const f = first.get(g);
      if (f === undefined) first.set(g, fold[i]!);
      else fold[i] = f;
    });
  }
  return fold;
}

/** The fold groups of `data`: an agent's correction by its post, every other example on its own (null). */
const foldGroups = (data: readonly IntentExample[]): Array<string | null> => data.map((d) => (d.source === 'feedback' ? `feedback:${d.id}` : null));

function classWeights(labels: readonly number[], power: number): number[] {
  const counts = new Array<number>(K).fill(0);
  for (const l of labels) counts[l]! += 1;
  return counts.map((c) => (c > 0 ? Math.pow(labels.length / (K * c), power) : 0));
}

function trainIntentHead(ex: readonly Featurised[], dim: number, hyper: IntentHyper, seed: number): LinearModel {
  const labels = ex.map((e) => e.intent);
  const examples = ex.map((e) => ({ idx: e.idx, val: e.val, label: e.intent }));
  const cw = classWeights(labels, hyper.classWeightPower);
  const members = Math.max(1, Math.floor(hyper.ensemble));
  const first = trainSoftmax(examples, { classes: K, dim, epochs: hyper.epochs, lr: hyper.lr, l2: hyper.l2, seed, classWeights: cw });
  if (members === 1) return first;
  for (let m = 1; m < members; m++) {
    const one = trainSoftmax(examples, { classes: K, dim, epochs: hyper.epochs, lr: hyper.lr, l2: hyper.l2, seed: seed + 7919 * m, classWeights: cw });
    for (let j = 0; j < first.weights.length; j++) first.weights[j] = first.weights[j]! + one.weights[j]!;
    for (let k = 0; k < K; k++) first.bias[k] = first.bias[k]! + one.bias[k]!;
  }
  for (let j = 0; j < first.weights.length; j++) first.weights[j] = first.weights[j]! / members;
  for (let k = 0; k < K; k++) first.bias[k] = first.bias[k]! / members;
  return first;
}

function intentProbs(head: LinearModel, e: Featurised, out: Float64Array): void {
  linearScores(head, e.idx, e.val, e.idx.length, out);
  softmaxInPlace(out, K);
}

/** Reply-head examples: the features, plus the intent probabilities when the head uses them. */
function replyExamples(ex: readonly Featurised[], probs: readonly Float64Array[] | null, bits: number): SparseExample[] {
  const pidx = Int32Array.from(INTENT_LABELS, (_, k) => probIndex(k, bits));
  return ex.map((e, i) => {
    if (probs === null) return { idx: e.idx, val: e.val, label: e.reply };
    const p = probs[i]!;
    const idx = new Int32Array(e.idx.length + K);
    const val = new Float32Array(e.val.length + K);
    idx.set(e.idx);
    val.set(e.val);
    for (let k = 0; k < K; k++) {
      idx[e.idx.length + k] = pidx[k]!;
      val[e.val.length + k] = p[k]!;
    }
    return { idx, val, label: e.reply };
  });
}

/** Both heads, trained on `ex`; the reply head on out-of-fold intent probabilities. No threshold (offset 0). */
function trainHeads(ex: readonly Featurised[], features: FeatureConfig, hyper: IntentHyper, seed: number, groups?: readonly (string | null)[]): { intentHead: LinearModel; replyHead: LinearModel } {
  const dim = 2 ** features.bits;
  const intentHead = trainIntentHead(ex, dim, hyper, seed);
  let probs: Float64Array[] | null = null;
  if (hyper.replyUsesIntent) {
    probs = ex.map(() => new Float64Array(K));
    const fold = stratifiedFolds(
      ex.map((e) => e.intent),
      hyper.folds,
      seed + 101,
      groups,
    );
    for (let f = 0; f < hyper.folds; f++) {
      const head = trainIntentHead(
        ex.filter((_, i) => fold[i] !== f),
        dim,
        hyper,
        seed + 1 + f,
      );
      ex.forEach((e, i) => {
        if (fold[i] === f) intentProbs(head, e, probs![i]!);
      });
    }
  }
  const replyHead = trainSoftmax(replyExamples(ex, probs, features.bits), { classes: 2, dim, epochs: hyper.epochs, lr: hyper.lr, l2: hyper.l2, seed: seed + 7, classWeights: 'balanced' });
  return { intentHead, replyHead };
}

/** Highest threshold whose recall on (score, gold) is at least `recall` (the most precise such point). */
export function thresholdForRecall(scores: ArrayLike<number>, gold: ArrayLike<number>, recall: number): number {
  const pos: number[] = [];
  for (let i = 0; i < scores.length; i++) if (gold[i] === 1) pos.push(scores[i]!);
  if (pos.length === 0) return 0.5;
  pos.sort((a, b) => b - a);
  const need = Math.ceil(recall * pos.length);
  return pos[Math.max(0, need - 1)]!;
}

export interface BinaryMetrics {
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
  support: number;
}

export function binaryMetrics(scores: ArrayLike<number>, gold: ArrayLike<number>, threshold: number): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]! >= threshold;
    if (p && gold[i] === 1) tp++;
    else if (p) fp++;
    else if (gold[i] === 1) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, threshold, support: tp + fn };
}

export interface IntentCrossValidation {
  folds: number;
  intent: Metrics;
  /** Out-of-fold needs-reply at the threshold chosen on the out-of-fold scores themselves. */
  needsReply: BinaryMetrics;
  /** Out-of-fold raw needs-reply probabilities and intent predictions, in example order. */
  replyScores: Float64Array;
  predicted: Int32Array;
  /** Out-of-fold intent logits, in example order. */
  logits: Float64Array[];
}

/** k-fold cross-validation of the whole pipeline on `data` (the train split): what experiments compare. */
export function crossValidateIntent(data: readonly IntentExample[], options: { seed?: number; features?: Partial<FeatureConfig>; hyper?: Partial<IntentHyper> } = {}): IntentCrossValidation {
  const seed = options.seed ?? 1;
  const features = { ...DEFAULT_INTENT_FEATURES, ...options.features };
  const hyper = { ...DEFAULT_INTENT_HYPER, ...options.hyper };
  const ex = featuriseAll(data, features, hyper.cues ? hyper.cueWeight : 0);
  const fold = stratifiedFolds(
    ex.map((e) => e.intent),
    hyper.folds,
    seed,
    foldGroups(data),
  );
  const predicted = new Int32Array(ex.length);
  const logits = ex.map(() => new Float64Array(K));
  const replyScores = new Float64Array(ex.length);
  const s = new Float64Array(K);
  const r = new Float64Array(2);
  const groups = foldGroups(data);
  for (let f = 0; f < hyper.folds; f++) {
    const heads = trainHeads(
      ex.filter((_, i) => fold[i] !== f),
      features,
      hyper,
      seed + 1000 * (f + 1),
      groups.filter((_, i) => fold[i] !== f),
    );
    ex.forEach((e, i) => {
      if (fold[i] !== f) return;
      linearScores(heads.intentHead, e.idx, e.val, e.idx.length, logits[i]!);
      intentProbs(heads.intentHead, e, s);
      let best = 0;
      for (let k = 1; k < K; k++) if (s[k]! > s[best]!) best = k;
      predicted[i] = best;
      const [re] = replyExamples([e], hyper.replyUsesIntent ? [s] : null, features.bits);
      linearScores(heads.replyHead, re!.idx, re!.val, re!.idx.length, r);
      replyScores[i] = 1 / (1 + Math.exp(-(r[1]! - r[0]!)));
    });
  }
  // The needs-reply threshold and the reported figures come from the labelled set alone: agents' corrections are
  // trained on but do not move the recall target (a desk that dismisses a lot would otherwise raise the threshold
  // until real customers are missed). Without corrections, every example counts.
  const labelled = data.map((d) => d.source !== 'feedback');
  const pick = <T,>(xs: ArrayLike<T>): T[] => Array.from(xs).filter((_, i) => labelled[i]);
  const gold = pick(ex.map((e) => e.intent));
  const replyGold = pick(ex.map((e) => e.reply));
  const scores = pick(replyScores);
  const t = thresholdForRecall(scores, replyGold, hyper.replyRecall);
  return { folds: hyper.folds, intent: computeMetrics(gold, pick(predicted), K), needsReply: binaryMetrics(scores, replyGold, t), replyScores, predicted, logits };
}

function argmaxWith(l: Float64Array, off: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (l[k]! + off[k]! > l[best]! + off[best]!) best = k;
  return best;
}

/**
 * Per-class logit offsets that raise macro-F1 on (out-of-fold) logits: coordinate ascent over a coarse grid
 * (−2..2 by 0.25), two passes, ties to the smaller offset. Coarse on purpose, so it cannot fit the folds' noise.
 */
export function chooseIntentOffsets(logits: readonly Float64Array[], gold: readonly number[]): number[] {
  const off = new Array<number>(K).fill(0);
  const pred = new Int32Array(gold.length);
  const score = (): number => {
    for (let i = 0; i < logits.length; i++) pred[i] = argmaxWith(logits[i]!, off);
    return computeMetrics(gold, pred, K).macroF1;
  };
  let best = score();
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < K; k++) {
      const keep = off[k]!;
      let bestV = keep;
      for (let g = -8; g <= 8; g++) {
        off[k] = g / 4;
        const f = score();
        if (f > best + 1e-9 || (Math.abs(f - best) <= 1e-9 && Math.abs(off[k]!) < Math.abs(bestV))) {
          best = f;
          bestV = off[k]!;
        }
      }
      off[k] = bestV;
    }
  }
  return off;
}

export interface TrainIntentReport {
  seed: number;
  examples: number;
  perLabel: Record<string, number>;
  features: FeatureConfig;
  hyper: IntentHyper;
  /** Cross-validation on the train split (the threshold comes from it). */
  cv: { intent: Metrics; needsReply: BinaryMetrics };
  /** Chosen intent logit offsets, and the CV metrics with them (optimistic: the offsets were chosen on these folds). */
  intentOffsets: number[];
  cvWithOffsets: Metrics;
  seconds: number;
}

/**
 * Train on examples (the train split) with a fixed seed: cross-validation for the needs-reply threshold and the
 * report, then both heads on all of them. Deterministic; the returned model is the quantised one.
 */
export function trainIntentFromExamples(
  data: readonly IntentExample[],
  options: { seed?: number; features?: Partial<FeatureConfig>; hyper?: Partial<IntentHyper> } = {},
): { model: IntentModel; report: TrainIntentReport } {
  const t0 = process.hrtime.bigint();
  const seed = options.seed ?? 1;
  const features = { ...DEFAULT_INTENT_FEATURES, ...options.features };
  const hyper = { ...DEFAULT_INTENT_HYPER, ...options.hyper };
  const cv = crossValidateIntent(data, { seed, features, hyper });
  const heads = trainHeads(featuriseAll(data, features, hyper.cues ? hyper.cueWeight : 0), features, hyper, seed, foldGroups(data));
  const t = Math.min(1 - 1e-6, Math.max(1e-6, cv.needsReply.threshold));
  const replyOffset = -Math.log(t / (1 - t));
  const gold = data.map((d) => d.intent);
  const intentOffsets = hyper.offsets ? chooseIntentOffsets(cv.logits, gold) : new Array<number>(K).fill(0);
  const cvWithOffsets = computeMetrics(
    gold,
    cv.logits.map((l) => argmaxWith(l, intentOffsets)),
    K,
  );
  const perLabel: Record<string, number> = {};
  for (const l of INTENT_LABELS) perLabel[l] = 0;
  for (const d of data) perLabel[INTENT_LABELS[d.intent]!]! += 1;
  const meta: IntentModelMeta = {
    format: 'earshot-intent',
    labels: INTENT_LABELS,
    features,
    cues: hyper.cues,
    cueWeight: hyper.cueWeight,
    replyUsesIntent: hyper.replyUsesIntent,
    intentOffsets,
    replyOffset,
    replyThreshold: t,
    training: { data: 'training/intent/labels.csv (train split) joined to ../shared/data', seed, examples: data.length, perLabel, ...hyper },
  };
  const model = roundTripIntent(new IntentModel(meta, heads.intentHead, heads.replyHead));
  return {
    model,
    report: { seed, examples: data.length, perLabel, features, hyper, cv: { intent: cv.intent, needsReply: cv.needsReply }, intentOffsets, cvWithOffsets, seconds: Number(process.hrtime.bigint() - t0) / 1e9 },
  };
}

/** Train from ../shared/data and training/intent/labels.csv (train split only). */
export function trainIntentModel(options: {
  sharedDir: string;
  seed?: number;
  labelsFile?: string;
  features?: Partial<FeatureConfig>;
  hyper?: Partial<IntentHyper>;
  /** Folds extra examples (agents' corrections, see feedback.ts) into the train split; absent: the split as read. */
  extraExamples?: (train: readonly IntentExample[]) => IntentExample[];
}): { model: IntentModel; report: TrainIntentReport } {
  const labelled = readIntentSet(options.sharedDir, options.labelsFile).filter((d) => d.split === 'train');
  const train = options.extraExamples ? options.extraExamples(labelled) : labelled;
  return trainIntentFromExamples(train, options);
}

export interface IntentEvaluation {
  n: number;
  intent: Metrics;
  /** At the model's own decision point (needsReply >= 0.5). */
  needsReply: BinaryMetrics;
  /** Posts per second on one core (tokenize + features + both heads) over the test texts. */
  postsPerSecond: number;
}

/** Metrics of a model on the labelled test split (for final models only; compare experiments by CV on train). */
export function evaluateIntent(model: IntentModel, sharedDir: string, labelsFile?: string): IntentEvaluation {
  const test = readIntentSet(sharedDir, labelsFile).filter((d) => d.split === 'test');
  const preds = test.map((d) => model.predict(d.text));
  const intent = computeMetrics(
    test.map((d) => d.intent),
    preds.map((p) => p.index),
    K,
  );
  const needsReply = binaryMetrics(
    preds.map((p) => p.needsReply),
    test.map((d) => d.needsReply),
    0.5,
  );
  return { n: test.length, intent, needsReply, postsPerSecond: measureIntentSpeed(model, test.map((d) => d.text)) };
}

/** Median posts/s over 5 rounds of at least 20,000 predictions, after a warm-up. */
export function measureIntentSpeed(model: IntentModel, texts: readonly string[]): number {
  if (texts.length === 0) return 0;
  let sink = 0;
  for (const t of texts) sink += model.predict(t).index;
  const n = Math.max(20_000, texts.length);
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += model.predict(texts[i % texts.length]!).index;
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  return sink >= 0 ? rates[2]! : 0;
}
