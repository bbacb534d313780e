/**
 * Session 3 experiment helpers: featurise with the committed features plus optional extra features, train a softmax
 * (the committed trainer, or a copy with per-example weights), score on TweetEval val and on ts-val.
 */
import { SENTIMENT_LABELS } from '../../src/triage/model/data.js';
import { DEFAULT_FEATURES, extractSentimentFeatures, FeatureBuffer, sentimentTokens, type FeatureConfig } from '../../src/triage/model/features.js';
import { linearScores, mulberry32, resolveClassWeights, shuffledOrder, softmaxInPlace, type LinearModel, type SparseExample } from '../../src/triage/model/linear.js';
import { computeMetrics, type Metrics } from '../../src/triage/model/metrics.js';
import type { Token } from '../../src/triage/tokenize.js';

export { SENTIMENT_LABELS };

/** Extra features appended after the committed ones: push (index, value, src) into `out`, indices < 2^bits. */
export type ExtraFeatures = (tokens: readonly Token[], out: FeatureBuffer, mask: number) => void;

export function featuriseTokens(tokens: readonly (readonly Token[])[], labels: readonly number[], config: FeatureConfig, extra?: ExtraFeatures): SparseExample[] {
  const buf = new FeatureBuffer();
  const mask = (1 << config.bits) - 1;
  return tokens.map((t, i) => {
    extractSentimentFeatures(t, config, buf);
    if (extra) extra(t, buf, mask);
    return { idx: buf.idx.slice(0, buf.n), val: buf.val.slice(0, buf.n), label: labels[i]! };
  });
}

export const tokensOf = (texts: readonly { text: string }[]): Token[][] => texts.map((d) => sentimentTokens(d.text));

export interface TrainOpts {
  epochs: number;
  lr: number;
  l2: number;
  seed: number;
  classWeights?: 'balanced' | 'none' | readonly number[];
  /** Per-example loss weights (multiplied with the class weight). */
  sampleWeights?: Float64Array;
  loss?: 'softmax' | 'sqhinge';
  /** Per-(feature, class) value multipliers (NB-SVM style), dim·K; folded into the returned weights. */
  scale?: Float32Array;
}

/**
 * NB log-count ratios, one-vs-rest per class: r_k(f) = log((α + Σ_{y=k}|x_f|)/‖·‖₁) − log((α + Σ_{y≠k}|x_f|)/‖·‖₁)
 * over the features seen; the multiplier is floor + |r|^power (features never seen keep 1: they get no gradient).
 */
export function nbScale(examples: readonly SparseExample[], dim: number, alpha: number, floor: number, power = 1): Float32Array {
  const K = 3;
  const cnt = new Float64Array(dim * K);
  const tot = new Float64Array(dim);
  for (const e of examples) {
    for (let i = 0; i < e.idx.length; i++) {
      const a = Math.abs(e.val[i]!);
      cnt[e.idx[i]! * K + e.label] = cnt[e.idx[i]! * K + e.label]! + a;
      tot[e.idx[i]!] = tot[e.idx[i]!]! + a;
    }
  }
  const sumK = new Float64Array(K);
  let seen = 0;
  for (let f = 0; f < dim; f++) if (tot[f]! > 0) seen++;
  for (let f = 0; f < dim; f++) for (let k = 0; k < K; k++) sumK[k] = sumK[k]! + cnt[f * K + k]!;
  const all = sumK.reduce((a, b) => a + b, 0);
  const out = new Float32Array(dim * K).fill(1);
  for (let f = 0; f < dim; f++) {
    if (tot[f] === 0) continue;
    for (let k = 0; k < K; k++) {
      const p = (alpha + cnt[f * K + k]!) / (alpha * seen + sumK[k]!);
      const q = (alpha + tot[f]! - cnt[f * K + k]!) / (alpha * seen + all - sumK[k]!);
      out[f * K + k] = floor + Math.abs(Math.log(p / q)) ** power;
    }
  }
  return out;
}

/**
 * trainSoftmax of src/triage/model/linear.ts with per-example weights (and an optional one-vs-rest squared-hinge
 * loss). With no sample weights and softmax loss, the same arithmetic in the same order: the same model.
 */
export function trainLinear(examples: readonly SparseExample[], dim: number, o: TrainOpts): LinearModel {
  const K = 3;
  const cw = resolveClassWeights(examples.map((e) => e.label), K, o.classWeights);
  const w = new Float32Array(dim * K);
  const g2 = new Float32Array(dim * K);
  const acc = new Float64Array(dim * K);
  const b = new Float64Array(K);
  const bg2 = new Float64Array(K);
  const bacc = new Float64Array(K);
  const rand = mulberry32(o.seed);
  const scores = new Float64Array(K);
  const grad = new Float64Array(K);
  const { lr, l2 } = o;
  const EPS = 1e-8;
  let c = 1;
  const hinge = o.loss === 'sqhinge';
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = shuffledOrder(examples.length, rand);
    for (let oi = 0; oi < order.length; oi++) {
      const ei = order[oi]!;
      const ex = examples[ei]!;
      const { idx, val } = ex;
      const n = idx.length;
      for (let k = 0; k < K; k++) scores[k] = b[k]!;
      const sc = o.scale;
      for (let i = 0; i < n; i++) {
        const base = idx[i]! * K;
        const v = val[i]!;
        if (sc) for (let k = 0; k < K; k++) scores[k]! += v * sc[base + k]! * w[base + k]!;
        else for (let k = 0; k < K; k++) scores[k]! += v * w[base + k]!;
      }
      const weight = cw[ex.label]! * (o.sampleWeights ? o.sampleWeights[ei]! : 1);
      if (hinge) {
        for (let k = 0; k < K; k++) {
          const y = k === ex.label ? 1 : -1;
          const m = 1 - y * scores[k]!;
          grad[k] = m > 0 ? weight * -2 * y * m * 0.5 : 0;
        }
      } else {
        softmaxInPlace(scores, K);
        for (let k = 0; k < K; k++) grad[k] = weight * (scores[k]! - (k === ex.label ? 1 : 0));
      }
      for (let i = 0; i < n; i++) {
        const base = idx[i]! * K;
        const v = val[i]!;
        for (let k = 0; k < K; k++) {
          const j = base + k;
          const wj = w[j]!;
          const g = grad[k]! * v * (sc ? sc[j]! : 1) + l2 * wj;
          if (g === 0) continue;
          const G = g2[j]! + g * g;
          g2[j] = G;
          const step = (lr * g) / (Math.sqrt(G) + EPS);
          w[j] = wj - step;
          acc[j] = acc[j]! - c * step;
        }
      }
      for (let k = 0; k < K; k++) {
        const g = grad[k]!;
        bg2[k] = bg2[k]! + g * g;
        const step = (lr * g) / (Math.sqrt(bg2[k]!) + EPS);
        b[k] = b[k]! - step;
        bacc[k] = bacc[k]! - c * step;
      }
      c++;
    }
  }
  for (let j = 0; j < w.length; j++) w[j] = (w[j]! - acc[j]! / c) * (o.scale ? o.scale[j]! : 1);
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) bias[k] = b[k]! - bacc[k]! / c;
  return { classes: K, dim, weights: w, bias };
}

export function logits(model: LinearModel, ex: readonly SparseExample[]): Float64Array[] {
  return ex.map((e) => {
    const s = new Float64Array(3);
    linearScores(model, e.idx, e.val, e.idx.length, s);
    return s;
  });
}

export function argmax(s: ArrayLike<number>, off: readonly number[] = [0, 0, 0]): number {
  const a = s[0]! + off[0]!;
  const b = s[1]! + off[1]!;
  const c = s[2]! + off[2]!;
  return a >= b && a >= c ? 0 : b >= c ? 1 : 2;
}

export function metricsOf(ls: readonly ArrayLike<number>[], gold: readonly number[], off: readonly number[] = [0, 0, 0]): Metrics {
  return computeMetrics(gold, ls.map((s) => argmax(s, off)), 3);
}

export function fmt(name: string, m: Metrics): string {
  return `${name} MR ${m.macroRecall.toFixed(4)} acc ${m.accuracy.toFixed(4)} r ${m.perClass.map((p) => p.recall.toFixed(3)).join('/')}`;
}

export const DEFAULTS = { features: DEFAULT_FEATURES, epochs: 3, lr: 0.015, l2: 1e-5, seed: 1 };
