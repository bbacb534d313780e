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
import { extractFeatures } from '../features.js';
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

const BINS_1_2_3 = ['none', '1', '2', '3+'];
const BINS_HASHTAGS = ['none', '1', '2', '3-4', '5+'];
const BINS_WORDS = ['0-2', '3-5', '6-11', '12-19', '20+'];
const bin = (n: number, edges: readonly number[]): number => {
  let b = 0;
  while (b < edges.length && n >= edges[b]!) b++;
  return b;
};

/**
 * Appends the intent cues to `out` (after the sentiment features). Post-level cues get source −2 − i, where
 * `names[i]` is their readable name (for reasons).
 */
function addCues(tokens: readonly Token[], text: string, lex: SentimentScore, config: FeatureConfig, weight: number, out: FeatureBuffer, names: string[] | null): void {
  const mask = (1 << config.bits) - 1;
  const push = (name: string, v1 = 1): void => {
    const v = v1 * weight;
    if (names !== null) {
      out.push(cueIndex(name, mask), v, -2 - names.length);
      names.push(name);
    } else out.push(cueIndex(name, mask), v, -1);
  };
  const f = extractFeatures(tokens, text, {});
  const sentiment = lex.score >= 1 ? 'positive' : lex.score <= -1 ? 'negative' : 'neutral';
  const negativeTerms = lex.hits.filter((h) => h.score < 0).map((h) => h.term);
  const positiveTerms = lex.hits.filter((h) => h.score > 0 && !h.negated).map((h) => h.term);
  const isRepost = /^RT @/.test(text);
  const rule = decideIntent({ features: f, sentiment, score: lex.score, negativeTerms, positiveTerms, isRepost });
  push(`rule: ${rule.intent}`);
  if (f.addressed) push(`rule: ${rule.intent}, addressed`);
  for (const [list, hits] of Object.entries(f.phrases)) {
    if (hits === undefined || hits.length === 0) continue;
    push(`${list} phrase`);
    for (const h of hits) push(`${list}: ${h}`);
  }
  if (f.problemWords.length > 0) push('problem words', Math.min(3, f.problemWords.length) / 3);
  if (f.urgency.length > 0) push('urgency words');
  if (f.questionOpener !== null) push(`question opener: ${f.questionOpener}`);
  if (f.questionMark) push('question mark');
  let lastPunct = '';
  let firstKind = '';
  for (const t of tokens) {
    if (firstKind === '') firstKind = t.kind;
    if (t.kind === 'punct') lastPunct = t.norm;
    else if (t.kind !== 'url' && t.kind !== 'emoji' && t.kind !== 'emoticon' && t.kind !== 'hashtag') lastPunct = '';
  }
  if (lastPunct.includes('?')) push('ends with ?');
  if (firstKind === 'mention') push('starts with @mention');
  if (f.addressed) push('addressed to someone');
  if (f.personal) push('first person');
  push(`mentions: ${BINS_1_2_3[bin(f.mentions, [1, 2, 3])]!}`);
  push(`hashtags: ${BINS_HASHTAGS[bin(f.hashtags, [1, 2, 3, 5])]!}`);
  push(`links: ${BINS_1_2_3[bin(f.urls, [1, 2, 3])]!}`);
  push(`words: ${BINS_WORDS[bin(f.words, [3, 6, 12, 20])]!}`);
  if (isRepost) push('retweet');
  if (f.breaking) push('BREAKING');
  if (f.allCaps) push('all caps');
  if (f.repeatedChars) push('repeated characters');
  if (SIGNOFF.test(text)) push('agent sign-off');
  push(`sentiment ${sentiment}`);
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

export class IntentModel {
  private readonly buf = new FeatureBuffer();
  private readonly s = new Float64Array(K);
  private readonly r = new Float64Array(2);
  private readonly probIdx: Int32Array;

  constructor(
    readonly meta: IntentModelMeta,
    readonly intentHead: LinearModel,
    readonly replyHead: LinearModel,
  ) {
    const dim = 2 ** meta.features.bits;
    if (intentHead.classes !== K || replyHead.classes !== 2) throw new Error('intent model needs 9 + 2 classes');
    if (intentHead.dim !== dim || replyHead.dim !== dim) throw new Error(`weights for ${intentHead.dim} features, config says 2^${meta.features.bits}`);
    this.probIdx = Int32Array.from(INTENT_LABELS, (_, k) => probIndex(k, meta.features.bits));
  }

  /** Intent probabilities (into this.s) and needs-reply score of the features in this.buf. */
  private score(): number {
    const buf = this.buf;
    const s = this.s;
    linearScores(this.intentHead, buf.idx, buf.val, buf.n, s);
    const off = this.meta.intentOffsets;
    for (let k = 0; k < K; k++) s[k] = s[k]! + (off[k] ?? 0);
    softmaxInPlace(s, K);
    const r = this.r;
    linearScores(this.replyHead, buf.idx, buf.val, buf.n, r);
    if (this.meta.replyUsesIntent) {
      const w = this.replyHead.weights;
      for (let k = 0; k < K; k++) {
        const base = this.probIdx[k]! * 2;
        r[0] = r[0]! + s[k]! * w[base]!;
        r[1] = r[1]! + s[k]! * w[base + 1]!;
      }
    }
    return 1 / (1 + Math.exp(-(r[1]! - r[0]! + this.meta.replyOffset)));
  }

  /**
   * Classify tokens of the cleaned text (`sentimentTokens(text)`, i.e. `tokenize(cleanText(text))`). `text` (the
   * cleaned text) feeds a few cues (sign-offs, "RT @", repeated characters); without it they are read from the
   * tokens. Pass the lexicon score when it is already computed for these tokens.
   */
  predictTokens(tokens: readonly Token[], lex?: SentimentScore, text?: string): IntentPrediction {
    extractIntentFeatures(tokens, text ?? tokens.map((t) => t.raw).join(' '), this.meta.features, this.meta.cues ? this.meta.cueWeight : 0, this.buf, lex);
    const needsReply = this.score();
    const s = this.s;
    let best = 0;
    for (let k = 1; k < K; k++) if (s[k]! > s[best]!) best = k;
    return { intent: INTENT_LABELS[best]!, index: best, probability: s[best]!, probabilities: Array.from(s), needsReply };
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
    const names: string[] = [];
    extractIntentFeatures(tokens, text ?? tokens.map((t) => t.raw).join(' '), this.meta.features, this.meta.cues ? this.meta.cueWeight : 0, this.buf, lex, names);
    const w = this.intentHead.weights;
    const best = new Map<string, number>();
    const add = (term: string, c: number): void => {
      best.set(term, (best.get(term) ?? 0) + c);
    };
    const perToken = new Float64Array(tokens.length);
    for (let i = 0; i < this.buf.n; i++) {
      const base = this.buf.idx[i]! * K;
      let sum = 0;
      for (let j = 0; j < K; j++) sum += w[base + j]!;
      const c = this.buf.val[i]! * (w[base + k]! - (sum - w[base + k]!) / (K - 1));
      const src = this.buf.src[i]!;
      if (src >= 0) perToken[src] = perToken[src]! + c;
      else if (src === -1) add(POST_LEVEL, c);
      else add(names[-2 - src] ?? POST_LEVEL, c);
    }
    for (let i = 0; i < tokens.length; i++) {
      const term = tokenLabel(tokens[i]!);
      if (perToken[i]! > (best.get(term) ?? 0)) best.set(term, perToken[i]!);
    }
    return [...best.entries()]
      .filter(([, c]) => c > 0)
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
export function stratifiedFolds(labels: readonly number[], folds: number, seed: number): Int32Array {
  const order = shuffledOrder(labels.length, mulberry32(seed ^ 0x5eed));
  const fold = new Int32Array(labels.length);
  const next = new Map<number, number>();
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    const c = next.get(labels[j]!) ?? 0;
    fold[j] = c % folds;
    next.set(labels[j]!, c + 1);
  }
  return fold;
}

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
function trainHeads(ex: readonly Featurised[], features: FeatureConfig, hyper: IntentHyper, seed: number): { intentHead: LinearModel; replyHead: LinearModel } {
  const dim = 2 ** features.bits;
  const intentHead = trainIntentHead(ex, dim, hyper, seed);
  let probs: Float64Array[] | null = null;
  if (hyper.replyUsesIntent) {
    probs = ex.map(() => new Float64Array(K));
    const fold = stratifiedFolds(
      ex.map((e) => e.intent),
      hyper.folds,
      seed + 101,
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
  );
  const predicted = new Int32Array(ex.length);
  const logits = ex.map(() => new Float64Array(K));
  const replyScores = new Float64Array(ex.length);
  const s = new Float64Array(K);
  const r = new Float64Array(2);
  for (let f = 0; f < hyper.folds; f++) {
    const heads = trainHeads(
      ex.filter((_, i) => fold[i] !== f),
      features,
      hyper,
      seed + 1000 * (f + 1),
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
  const gold = ex.map((e) => e.intent);
  const replyGold = ex.map((e) => e.reply);
  const t = thresholdForRecall(replyScores, replyGold, hyper.replyRecall);
  return { folds: hyper.folds, intent: computeMetrics(gold, predicted, K), needsReply: binaryMetrics(replyScores, replyGold, t), replyScores, predicted, logits };
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
  const heads = trainHeads(featuriseAll(data, features, hyper.cues ? hyper.cueWeight : 0), features, hyper, seed);
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
export function trainIntentModel(options: { sharedDir: string; seed?: number; labelsFile?: string; features?: Partial<FeatureConfig>; hyper?: Partial<IntentHyper> }): { model: IntentModel; report: TrainIntentReport } {
  const train = readIntentSet(options.sharedDir, options.labelsFile).filter((d) => d.split === 'train');
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
