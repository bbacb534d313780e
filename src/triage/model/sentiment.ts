/**
 * The sentiment model: hashed features (features.ts) → softmax (linear.ts) → negative / neutral / positive with
 * probabilities, and the words that drove the decision.
 *
 * File format (`models/sentiment.bin`), all integers little-endian:
 *   bytes 0..3   "ESNT"
 *   u32          format version (1)
 *   u32          length L of the UTF-8 JSON header
 *   L bytes      JSON header: SentimentModelMeta
 *   pad to a multiple of 4
 *   f32 × K      bias
 *   f32 × K      per-class weight scale s_k
 *   i16 × D·K    weights, row-major [feature][class]; weight = q · s_k
 * The whole file is gzip-compressed (level 9). Same model → same bytes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { scoreSentiment, type SentimentScore } from '../lexicon.js';
import type { Token } from '../tokenize.js';
import { extractSentimentFeatures, FeatureBuffer, sentimentTokens, tokenLabel, type FeatureConfig } from './features.js';
import { softmaxInPlace, type LinearModel } from './linear.js';
import { cachedLoader, committedModelPath, writeModelFile } from './model-file.js';
import { SENTIMENT_LABELS, type SentimentLabel } from './data.js';

export const MODEL_MAGIC = 'ESNT';
export const MODEL_VERSION = 1;

export interface SentimentModelMeta {
  format: 'earshot-sentiment';
  labels: readonly SentimentLabel[];
  features: FeatureConfig;
  /**
   * Offsets added to the logits before the decision (and the probabilities), chosen for macro-averaged recall.
   * Zeros when the class weighting alone balances the classes.
   */
  logitOffsets: number[];
  /** How the model was trained: seed, hyper-parameters, data counts. Informational. */
  training: Record<string, unknown>;
}

export interface SentimentPrediction {
  label: SentimentLabel;
  /** Index into SENTIMENT_LABELS. */
  index: number;
  /** Probability of the chosen label. */
  probability: number;
  /** Probabilities in SENTIMENT_LABELS order: negative, neutral, positive. */
  probabilities: [number, number, number];
}

export interface SentimentReason {
  /** The word, hashtag, emoji or emoticon as a reader would recognise it ("not good", "#fail", "😍"). */
  term: string;
  /** Its contribution to the chosen label's logit relative to the other labels (higher: more decisive). */
  weight: number;
}

/** Repo root `models/sentiment.bin`, found from this file (src/triage/model/ → ../../../models). */
export const DEFAULT_MODEL_PATH = committedModelPath('sentiment.bin');

export class SentimentModel {
  private readonly buf = new FeatureBuffer();
  private readonly scores = new Float64Array(3);
  /** Scratch for explainLastPrediction. */
  private perToken = new Float64Array(64);
  private readonly topIds = new Int32Array(16);
  private readonly topScores = new Float64Array(16);
  private topCount = 0;
  /** The weights as int16 steps of a per-class scale: half the memory traffic of float32 on the hot path. */
  private readonly q: Int16Array;
  private readonly scales: Float32Array;

  constructor(
    readonly meta: SentimentModelMeta,
    readonly linear: LinearModel,
  ) {
    if (linear.classes !== 3) throw new Error(`sentiment model needs 3 classes, has ${linear.classes}`);
    if (linear.dim !== 2 ** meta.features.bits) throw new Error(`weights for ${linear.dim} features, config says 2^${meta.features.bits}`);
    const { q, scales } = quantise(linear);
    this.q = q;
    this.scales = scales;
  }

  /**
   * The features of the last prediction (`predictTokens`, `predict`, `predictIndex`), until the next one: the intent
   * model reads them instead of computing the same n-grams again. Read-only for callers.
   */
  get lastFeatures(): FeatureBuffer {
    return this.buf;
  }

  /** Logits (with offsets) of a token list; the feature buffer is left holding its features. */
  private logits(tokens: readonly Token[], lex?: SentimentScore): Float64Array {
    const buf = this.buf;
    extractSentimentFeatures(tokens, this.meta.features, buf, lex);
    const q = this.q;
    const idx = buf.idx;
    const val = buf.val;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < buf.n; i++) {
      const base = idx[i]! * 3;
      const v = val[i]!;
      s0 += v * q[base]!;
      s1 += v * q[base + 1]!;
      s2 += v * q[base + 2]!;
    }
    const b = this.linear.bias;
    const sc = this.scales;
    const off = this.meta.logitOffsets;
    this.scores[0] = b[0]! + sc[0]! * s0 + (off[0] ?? 0);
    this.scores[1] = b[1]! + sc[1]! * s1 + (off[1] ?? 0);
    this.scores[2] = b[2]! + sc[2]! * s2 + (off[2] ?? 0);
    return this.scores;
  }

  /**
   * Classify tokens from `tokenize` (of the cleaned text: see `sentimentTokens`). Pass the lexicon score when it is
   * already computed for these tokens (`scoreSentiment(tokens, allCaps)`) to save recomputing it.
   */
  predictTokens(tokens: readonly Token[], lex?: SentimentScore): SentimentPrediction {
    const s = this.logits(tokens, lex);
    softmaxInPlace(s, 3);
    let best = 0;
    if (s[1]! > s[best]!) best = 1;
    if (s[2]! > s[best]!) best = 2;
    return {
      label: SENTIMENT_LABELS[best]!,
      index: best,
      probability: s[best]!,
      probabilities: [s[0]!, s[1]!, s[2]!],
    };
  }

  /** Classify a post's text. */
  predict(text: string): SentimentPrediction {
    return this.predictTokens(sentimentTokens(text));
  }

  /** Predicted class index only (the evaluation loop). */
  predictIndex(text: string): number {
    const s = this.logits(sentimentTokens(text));
    let best = 0;
    if (s[1]! > s[best]!) best = 1;
    if (s[2]! > s[best]!) best = 2;
    return best;
  }

  /**
   * The words that pushed hardest toward `label` (default: the predicted one): each token's features' weight for
   * that label minus their mean weight over the other labels, summed per token; the post-level lexicon features'
   * share goes to the lexicon words that point the same way ("awful" for negative). The `limit` largest positive
   * ones. Costs one more feature pass; call it only for the posts whose reasons are shown.
   */
  explainTokens(tokens: readonly Token[], label?: SentimentLabel, limit = 3, lex?: SentimentScore): SentimentReason[] {
    const k = label === undefined ? this.predictTokens(tokens, lex).index : SENTIMENT_LABELS.indexOf(label);
    if (k < 0) throw new Error(`unknown sentiment label ${String(label)}`);
    const score = lex ?? scoreSentiment(tokens, false);
    extractSentimentFeatures(tokens, this.meta.features, this.buf, score);
    const w = this.linear.weights;
    const perToken = new Float64Array(tokens.length);
    let postLevel = 0;
    for (let i = 0; i < this.buf.n; i++) {
      const base = this.buf.idx[i]! * 3;
      const v = this.buf.val[i]!;
      const others = (w[base]! + w[base + 1]! + w[base + 2]! - w[base + k]!) / 2;
      const c = v * (w[base + k]! - others);
      const s = this.buf.src[i]!;
      if (s >= 0) perToken[s] = perToken[s]! + c;
      else postLevel += c;
    }
    // The same word twice counts once, under its best contribution.
    const best = new Map<string, number>();
    const offer = (term: string, c: number): void => {
      if (c > 0 && (best.get(term) ?? 0) < c) best.set(term, c);
    };
    for (let i = 0; i < tokens.length; i++) offer(tokenLabel(tokens[i]!), perToken[i]!);
    // Lexicon words of the label's polarity share the post-level part, by strength.
    const sign = k === 0 ? -1 : k === 2 ? 1 : 0;
    const hits = sign === 0 ? [] : score.hits.filter((h) => Math.sign(h.score) === sign);
    const total = hits.reduce((a, h) => a + Math.abs(h.score), 0);
    if (postLevel > 0 && total > 0) {
      for (const h of hits) {
        const term = h.negated ? `not ${h.term}` : h.term;
        offer(term, (best.get(term) ?? 0) + (postLevel * Math.abs(h.score)) / total);
      }
    }
    return [...best.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([term, weight]) => ({ term, weight: Math.round(weight * 1000) / 1000 }));
  }

  /**
   * `explainTokens` without its second feature pass, for the ingest hot path: reads the features the last
   * `predictTokens` call left in the buffer, so call it right after `predictTokens(tokens, lex)` with the same tokens
   * and lexicon score. Same attribution (per token, plus the lexicon words' share of the post-level part); only the
   * terms, best first, at most `limit` (up to 8). `skip` leaves tokens out (function words a reader learns nothing
   * from). Strings are built only for the few winners.
   */
  explainLastPrediction(tokens: readonly Token[], index: number, lex: SentimentScore, limit = 3, skip?: (t: Token) => boolean): string[] {
    const k = index;
    const n = tokens.length;
    if (this.perToken.length < n) this.perToken = new Float64Array(n * 2);
    const perToken = this.perToken;
    perToken.fill(0, 0, n);
    // The int16 weights the prediction just read (still in cache), not the float32 copy: same values.
    const q = this.q;
    const s0 = this.scales[0]!;
    const s1 = this.scales[1]!;
    const s2 = this.scales[2]!;
    const sk = this.scales[k]!;
    const buf = this.buf;
    let postLevel = 0;
    for (let i = 0; i < buf.n; i++) {
      const base = buf.idx[i]! * 3;
      const wk = q[base + k]! * sk;
      const others = (q[base]! * s0 + q[base + 1]! * s1 + q[base + 2]! * s2 - wk) / 2;
      const c = buf.val[i]! * (wk - others);
      const s = buf.src[i]!;
      if (s >= 0) perToken[s] = perToken[s]! + c;
      else postLevel += c;
    }
    // Keep the best `want` candidates by a numeric insertion (no strings yet): a token i as i, a lexicon hit j as
    // −1 − j. Twice the limit, so that merging a word that appears twice still leaves enough.
    const cap = Math.min(8, Math.max(0, limit));
    const want = cap * 2;
    const top = this.topIds;
    this.topCount = 0;
    for (let i = 0; i < n; i++) if (perToken[i]! > 0 && (skip === undefined || !skip(tokens[i]!))) this.consider(i, perToken[i]!, want);
    // Lexicon words of the label's polarity share the post-level part, by strength, on top of the word's own best
    // token contribution (explainTokens does the same through its per-term map).
    const sign = k === 0 ? -1 : k === 2 ? 1 : 0;
    if (sign !== 0 && postLevel > 0) {
      let total = 0;
      for (const h of lex.hits) if (Math.sign(h.score) === sign) total += Math.abs(h.score);
      for (let j = 0; j < lex.hits.length && total > 0; j++) {
        const h = lex.hits[j]!;
        if (Math.sign(h.score) !== sign) continue;
        let own = 0;
        for (let i = 0; i < n; i++) {
          const t = tokens[i]!;
          if (perToken[i]! > own && t.norm === h.term && t.negated === h.negated && t.kind !== 'hashtag' && t.kind !== 'mention') own = perToken[i]!;
        }
        this.consider(-1 - j, own + (postLevel * Math.abs(h.score)) / total, want);
      }
    }
    const out: string[] = [];
    for (let x = 0; x < this.topCount && out.length < cap; x++) {
      const id = top[x]!;
      let term: string;
      if (id >= 0) term = tokenLabel(tokens[id]!);
      else {
        const h = lex.hits[-1 - id]!;
        term = h.negated ? `not ${h.term}` : h.term;
      }
      if (!out.includes(term)) out.push(term);
    }
    return out;
  }

  /**
   * Offer candidate `id` with contribution `c` to the best `want` kept in topIds/topScores (numeric insertion, no
   * strings). A method, not a closure made per call: the TypeScript loader wraps named closures in a `__name` call.
   */
  private consider(id: number, c: number, want: number): void {
    if (!(c > 0)) return;
    const top = this.topIds;
    const topC = this.topScores;
    const m = this.topCount;
    let j = m;
    while (j > 0 && topC[j - 1]! < c) j--;
    if (j >= want) return;
    for (let x = Math.min(m, want - 1); x > j; x--) {
      top[x] = top[x - 1]!;
      topC[x] = topC[x - 1]!;
    }
    top[j] = id;
    topC[j] = c;
    if (m < want) this.topCount = m + 1;
  }

  explain(text: string, label?: SentimentLabel, limit = 3): SentimentReason[] {
    return this.explainTokens(sentimentTokens(text), label, limit);
  }
}

// ---- serialisation ---------------------------------------------------------------------------------------------------

/** Quantise weights to int16 per class (scale = max |w| / 32767) and back: what a saved and loaded model holds. */
export function quantise(linear: LinearModel): { q: Int16Array; scales: Float32Array } {
  const K = linear.classes;
  const scales = new Float32Array(K);
  const w = linear.weights;
  for (let k = 0; k < K; k++) {
    let max = 0;
    for (let j = k; j < w.length; j += K) max = Math.max(max, Math.abs(w[j]!));
    scales[k] = max > 0 ? max / 32767 : 1;
  }
  const q = new Int16Array(w.length);
  for (let j = 0; j < w.length; j++) q[j] = Math.round(w[j]! / scales[j % K]!);
  return { q, scales };
}

function dequantise(q: Int16Array, scales: Float32Array, K: number): Float32Array {
  const w = new Float32Array(q.length);
  for (let j = 0; j < q.length; j++) w[j] = q[j]! * scales[j % K]!;
  return w;
}

/** The model as it will be after a save and a load (weights rounded to int16 steps). */
export function roundTrip(model: SentimentModel): SentimentModel {
  return decodeSentimentModel(encodeSentimentModel(model));
}

export function encodeSentimentModel(model: SentimentModel): Buffer {
  const K = model.linear.classes;
  const header = Buffer.from(JSON.stringify(model.meta), 'utf8');
  const headerEnd = 12 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const { q, scales } = quantise(model.linear);
  const total = dataStart + 4 * K + 4 * K + 2 * q.length;
  const out = Buffer.alloc(total);
  out.write(MODEL_MAGIC, 0, 'latin1');
  out.writeUInt32LE(MODEL_VERSION, 4);
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  let p = dataStart;
  for (let k = 0; k < K; k++, p += 4) out.writeFloatLE(model.linear.bias[k]!, p);
  for (let k = 0; k < K; k++, p += 4) out.writeFloatLE(scales[k]!, p);
  Buffer.from(q.buffer, q.byteOffset, q.byteLength).copy(out, p);
  return gzipSync(out, { level: 9 });
}

export function decodeSentimentModel(file: Buffer): SentimentModel {
  const raw = file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file;
  if (raw.length < 12 || raw.toString('latin1', 0, 4) !== MODEL_MAGIC) throw new Error('not an Earshot sentiment model (bad magic)');
  const version = raw.readUInt32LE(4);
  if (version !== MODEL_VERSION) throw new Error(`sentiment model format ${version}, this build reads ${MODEL_VERSION}`);
  const headerLen = raw.readUInt32LE(8);
  const meta = JSON.parse(raw.toString('utf8', 12, 12 + headerLen)) as SentimentModelMeta;
  if (meta.format !== 'earshot-sentiment') throw new Error('not an Earshot sentiment model (bad header)');
  const K = meta.labels.length;
  const dim = 2 ** meta.features.bits;
  let p = Math.ceil((12 + headerLen) / 4) * 4;
  if (raw.length !== p + 8 * K + 2 * dim * K) throw new Error(`sentiment model truncated: ${raw.length} bytes`);
  const bias = new Float32Array(K);
  const scales = new Float32Array(K);
  for (let k = 0; k < K; k++, p += 4) bias[k] = raw.readFloatLE(p);
  for (let k = 0; k < K; k++, p += 4) scales[k] = raw.readFloatLE(p);
  // Copy into an aligned buffer: `raw` may sit at any byte offset of a pooled allocation.
  const q = new Int16Array(dim * K);
  Buffer.from(q.buffer).set(raw.subarray(p, p + 2 * dim * K));
  return new SentimentModel(meta, { classes: K, dim, weights: dequantise(q, scales, K), bias });
}

export function saveSentimentModel(model: SentimentModel, file: string): number {
  return writeModelFile(encodeSentimentModel(model), file);
}

/** Load (once per path per process) the committed model, or the one at `file`. */
export const loadSentimentModel: (file?: string) => SentimentModel = cachedLoader(decodeSentimentModel, DEFAULT_MODEL_PATH);
