/**
 * Multinomial logistic regression (softmax) over sparse hashed features, trained by AdaGrad SGD with L2 and an
 * averaged final model. Deterministic: the only randomness is the example order, drawn from a seeded PRNG, and all
 * arithmetic is done in a fixed order.
 */

/** One training example: parallel feature indices and values (duplicates allowed; they add up), and its class. */
export interface SparseExample {
  idx: Int32Array;
  val: Float32Array;
  label: number;
}

export interface LinearTrainOptions {
  /** Number of classes. */
  classes: number;
  /** Size of the feature space (indices are < dim). */
  dim: number;
  epochs: number;
  /** AdaGrad base learning rate. */
  lr: number;
  /** L2 strength, applied to the weights an example touches when it touches them. */
  l2: number;
  seed: number;
  /**
   * Per-class loss weights. 'balanced' weighs each class by n / (classes · n_class), so that every class counts the
   * same in the loss — what macro-averaged recall rewards. Default 'balanced'.
   */
  classWeights?: 'balanced' | 'none' | readonly number[];
  /** Return the average of the weights over all steps (smoother, generalises better). Default true. */
  average?: boolean;
  /** Called after each epoch with the epoch number (1-based) and the mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface LinearModel {
  classes: number;
  dim: number;
  /** Row-major: weights[feature * classes + class]. */
  weights: Float32Array;
  bias: Float32Array;
}

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of 0..n-1 driven by `rand`. */
export function shuffledOrder(n: number, rand: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export function resolveClassWeights(labels: ArrayLike<number>, classes: number, spec: LinearTrainOptions['classWeights']): number[] {
  if (spec === undefined || spec === 'balanced') {
    const counts = new Array<number>(classes).fill(0);
    for (let i = 0; i < labels.length; i++) counts[labels[i]!]! += 1;
    return counts.map((c) => (c > 0 ? labels.length / (classes * c) : 0));
  }
  if (spec === 'none') return new Array<number>(classes).fill(1);
  if (spec.length !== classes) throw new Error(`classWeights has ${spec.length} entries for ${classes} classes`);
  return [...spec];
}

/** Raw class scores (logits) of one feature vector into `out`. */
export function linearScores(model: LinearModel, idx: ArrayLike<number>, val: ArrayLike<number>, n: number, out: Float64Array): void {
  const K = model.classes;
  const w = model.weights;
  for (let k = 0; k < K; k++) out[k] = model.bias[k]!;
  if (K === 3) {
    let s0 = out[0]!;
    let s1 = out[1]!;
    let s2 = out[2]!;
    for (let i = 0; i < n; i++) {
      const base = idx[i]! * 3;
      const v = val[i]!;
      s0 += v * w[base]!;
      s1 += v * w[base + 1]!;
      s2 += v * w[base + 2]!;
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    return;
  }
  for (let i = 0; i < n; i++) {
    const base = idx[i]! * K;
    const v = val[i]!;
    for (let k = 0; k < K; k++) out[k]! += v * w[base + k]!;
  }
}

/** In-place softmax of the first `k` entries. */
export function softmaxInPlace(s: Float64Array, k = s.length): void {
  let max = -Infinity;
  for (let i = 0; i < k; i++) if (s[i]! > max) max = s[i]!;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const e = Math.exp(s[i]! - max);
    s[i] = e;
    sum += e;
  }
  for (let i = 0; i < k; i++) s[i] = s[i]! / sum;
}

/**
 * Train a softmax classifier. AdaGrad per coordinate; L2 applied lazily (to the coordinates an example touches,
 * scaled like the gradient), the usual treatment for hashed sparse features.
 */
export function trainSoftmax(examples: readonly SparseExample[], options: LinearTrainOptions): LinearModel {
  const K = options.classes;
  const dim = options.dim;
  for (const e of examples) {
    if (!(e.label >= 0 && e.label < K)) throw new Error(`label ${e.label} outside 0..${K - 1}`);
    if (e.idx.length !== e.val.length) throw new Error('idx and val differ in length');
    for (let i = 0; i < e.idx.length; i++) if (!(e.idx[i]! >= 0 && e.idx[i]! < dim)) throw new Error(`feature index ${e.idx[i]} outside 0..${dim - 1}`);
  }
  const labels = examples.map((e) => e.label);
  const cw = resolveClassWeights(labels, K, options.classWeights);
  const average = options.average ?? true;
  const w = new Float32Array(dim * K);
  const g2 = new Float32Array(dim * K);
  // Averaging by the "sum of c·Δw" trick: avg = w − acc / c, with c the number of steps taken.
  const acc = average ? new Float64Array(dim * K) : null;
  const b = new Float64Array(K);
  const bg2 = new Float64Array(K);
  const bacc = new Float64Array(K);
  const rand = mulberry32(options.seed);
  const scores = new Float64Array(K);
  const grad = new Float64Array(K);
  const lr = options.lr;
  const l2 = options.l2;
  const EPS = 1e-8;
  let c = 1;
  const model: LinearModel = { classes: K, dim, weights: w, bias: new Float32Array(K) };

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = shuffledOrder(examples.length, rand);
    let loss = 0;
    for (let oi = 0; oi < order.length; oi++) {
      const ex = examples[order[oi]!]!;
      const { idx, val } = ex;
      const n = idx.length;
      for (let k = 0; k < K; k++) scores[k] = b[k]!;
      for (let i = 0; i < n; i++) {
        const base = idx[i]! * K;
        const v = val[i]!;
        for (let k = 0; k < K; k++) scores[k]! += v * w[base + k]!;
      }
      softmaxInPlace(scores, K);
      const weight = cw[ex.label]!;
      loss -= weight * Math.log(Math.max(scores[ex.label]!, 1e-12));
      for (let k = 0; k < K; k++) grad[k] = weight * (scores[k]! - (k === ex.label ? 1 : 0));
      for (let i = 0; i < n; i++) {
        const base = idx[i]! * K;
        const v = val[i]!;
        for (let k = 0; k < K; k++) {
          const j = base + k;
          const wj = w[j]!;
          const g = grad[k]! * v + l2 * wj;
          if (g === 0) continue;
          const G = g2[j]! + g * g;
          g2[j] = G;
          const step = (lr * g) / (Math.sqrt(G) + EPS);
          w[j] = wj - step;
          if (acc !== null) acc[j] = acc[j]! - c * step;
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
    options.onEpoch?.(epoch, loss / Math.max(1, examples.length));
  }
  if (acc !== null) {
    for (let j = 0; j < w.length; j++) w[j] = w[j]! - acc[j]! / c;
    for (let k = 0; k < K; k++) model.bias[k] = b[k]! - bacc[k]! / c;
  } else {
    for (let k = 0; k < K; k++) model.bias[k] = b[k]!;
  }
  return model;
}
