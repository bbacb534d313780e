/**
 * Train and evaluate the sentiment model from ../shared/data. Used by training/sentiment/{train,eval}.ts and meant
 * for `earshot train` / `earshot eval`.
 */
import { readSentimentPool, readTweetEval, SENTIMENT_LABELS, type LabelledText, type PoolReport } from './data.js';
import { DEFAULT_FEATURES, extractSentimentFeatures, FeatureBuffer, sentimentTokens, type FeatureConfig } from './features.js';
import { linearScores, trainSoftmax, type LinearModel, type LinearTrainOptions, type SparseExample } from './linear.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { roundTrip, SentimentModel, type SentimentModelMeta } from './sentiment.js';

export interface SentimentTrainHyper {
  epochs: number;
  lr: number;
  l2: number;
  classWeights: LinearTrainOptions['classWeights'];
  average: boolean;
  /**
   * How to set the logit offsets: 'none' leaves them at 0 (the class weighting balances the classes); 'val' picks
   * the negative and positive offsets (neutral fixed at 0) that maximise macro-recall on TweetEval val, on a coarse
   * grid so that it cannot fit val's noise.
   */
  offsets: 'none' | 'val';
  /** Train this many models on shuffles seeded seed, seed+1, … and average their weights (less variance). */
  ensemble: number;
}

export const DEFAULT_HYPER: SentimentTrainHyper = {
  epochs: 3,
  lr: 0.015,
  l2: 1e-5,
  classWeights: 'balanced',
  average: true,
  offsets: 'none',
  ensemble: 1,
};

export interface TrainSentimentOptions {
  sharedDir: string;
  seed?: number;
  features?: Partial<FeatureConfig>;
  hyper?: Partial<SentimentTrainHyper>;
  /** Keep only every n-th pool example (tests and quick runs). */
  every?: number;
  /** Evaluate on TweetEval val after training (default true). */
  validate?: boolean;
  log?: (line: string) => void;
  /** Folds extra examples (agents' corrections, see feedback.ts) into the pool before training; absent: the pool as read. */
  extraExamples?: (pool: readonly LabelledText[]) => LabelledText[];
}

export interface TrainSentimentReport {
  pool: PoolReport;
  seed: number;
  features: FeatureConfig;
  hyper: SentimentTrainHyper;
  logitOffsets: number[];
  /** TweetEval val metrics of the saved (quantised) model; absent when validate is false. */
  val?: Metrics;
  featureSeconds: number;
  trainSeconds: number;
}

const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

/** Featurise labelled texts into sparse examples (copies of the buffer's used part). */
export function featurise(data: readonly LabelledText[], config: FeatureConfig): SparseExample[] {
  const buf = new FeatureBuffer();
  return data.map((d) => {
    extractSentimentFeatures(sentimentTokens(d.text), config, buf);
    return { idx: buf.idx.slice(0, buf.n), val: buf.val.slice(0, buf.n), label: d.label };
  });
}

/**
 * Macro-recall-maximising logit offsets for negative and positive (neutral 0) on a grid of step 0.1 in [−1, 1],
 * from the logits of a labelled set. Ties go to the offsets closest to zero.
 */
export function chooseOffsets(logits: Float64Array[], gold: readonly number[]): number[] {
  let best = { mr: -1, off: [0, 0, 0], norm: 0 };
  const pred = new Int32Array(gold.length);
  for (let a = -10; a <= 10; a++) {
    for (let c = -10; c <= 10; c++) {
      const off = [a / 10, 0, c / 10];
      for (let i = 0; i < logits.length; i++) {
        const s = logits[i]!;
        const s0 = s[0]! + off[0]!;
        const s1 = s[1]!;
        const s2 = s[2]! + off[2]!;
        pred[i] = s0 >= s1 && s0 >= s2 ? 0 : s1 >= s2 ? 1 : 2;
      }
      const mr = computeMetrics(gold, pred, 3).macroRecall;
      const norm = Math.abs(a) + Math.abs(c);
      if (mr > best.mr + 1e-12 || (Math.abs(mr - best.mr) <= 1e-12 && norm < best.norm)) best = { mr, off, norm };
    }
  }
  return best.off;
}

/** Predicted class of every text. */
export function predictAll(model: SentimentModel, data: readonly LabelledText[]): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = model.predictIndex(data[i]!.text);
  return out;
}

export function evaluateOn(model: SentimentModel, data: readonly LabelledText[]): Metrics {
  return computeMetrics(
    data.map((d) => d.label),
    predictAll(model, data),
    3,
  );
}

/**
 * Train a sentiment model on labelled texts with a fixed seed. Pure and deterministic: the same examples in the same
 * order, options and seed give the same model (and the same file bytes). Offsets stay at zero; the returned model is
 * the quantised one, as it will be after a save and a load.
 */
export function trainSentimentFromExamples(
  examples: readonly LabelledText[],
  options: { seed?: number; features?: Partial<FeatureConfig>; hyper?: Partial<SentimentTrainHyper>; training?: Record<string, unknown>; log?: (line: string) => void } = {},
): { model: SentimentModel; featureSeconds: number; trainSeconds: number } {
  const seed = options.seed ?? 1;
  const features: FeatureConfig = { ...DEFAULT_FEATURES, ...options.features };
  const hyper: SentimentTrainHyper = { ...DEFAULT_HYPER, ...options.hyper };
  const log = options.log ?? (() => {});
  let t0 = process.hrtime.bigint();
  const train = featurise(examples, features);
  const featureSeconds = seconds(t0);
  t0 = process.hrtime.bigint();
  const members = Math.max(1, Math.floor(hyper.ensemble));
  let linear: LinearModel | undefined;
  for (let m = 0; m < members; m++) {
    const one = trainSoftmax(train, {
      classes: 3,
      dim: 2 ** features.bits,
      epochs: hyper.epochs,
      lr: hyper.lr,
      l2: hyper.l2,
      seed: seed + m,
      classWeights: hyper.classWeights,
      average: hyper.average,
      onEpoch: (e, loss) => log(`model ${m + 1}/${members} epoch ${e}: loss ${loss.toFixed(4)}`),
    });
    if (linear === undefined) linear = one;
    else {
      for (let j = 0; j < one.weights.length; j++) linear.weights[j] = linear.weights[j]! + one.weights[j]!;
      for (let k = 0; k < 3; k++) linear.bias[k] = linear.bias[k]! + one.bias[k]!;
    }
  }
  if (linear === undefined) throw new Error('no model trained');
  if (members > 1) {
    for (let j = 0; j < linear.weights.length; j++) linear.weights[j] = linear.weights[j]! / members;
    for (let k = 0; k < 3; k++) linear.bias[k] = linear.bias[k]! / members;
  }
  const trainSeconds = seconds(t0);
  const meta: SentimentModelMeta = {
    format: 'earshot-sentiment',
    labels: SENTIMENT_LABELS,
    features,
    logitOffsets: [0, 0, 0],
    training: { ...options.training, examples: examples.length, seed, ...hyper },
  };
  return { model: roundTrip(new SentimentModel(meta, linear)), featureSeconds, trainSeconds };
}

/** The same model with other logit offsets (quantised weights kept as they are). */
export function withOffsets(model: SentimentModel, logitOffsets: number[]): SentimentModel {
  return new SentimentModel({ ...model.meta, logitOffsets }, model.linear);
}

/** Raw logits (no offsets) of labelled texts. */
function logitsOf(model: SentimentModel, data: readonly LabelledText[]): Float64Array[] {
  const buf = new FeatureBuffer();
  return data.map((d) => {
    extractSentimentFeatures(sentimentTokens(d.text), model.meta.features, buf);
    const s = new Float64Array(3);
    linearScores(model.linear, buf.idx, buf.val, buf.n, s);
    return s;
  });
}

/** Train on the pool (minus TweetEval val and test) with a fixed seed; the returned model is the quantised one. */
export function trainSentimentModel(options: TrainSentimentOptions): { model: SentimentModel; report: TrainSentimentReport } {
  const seed = options.seed ?? 1;
  const hyper: SentimentTrainHyper = { ...DEFAULT_HYPER, ...options.hyper };
  const log = options.log ?? (() => {});
  const { examples: read, report: pool } = readSentimentPool(options.sharedDir, { every: options.every });
  const examples = options.extraExamples ? options.extraExamples(read) : read;
  log(`pool: ${pool.rows} rows, ${pool.duplicateIds} duplicate ids, left out ${pool.removedVal} val + ${pool.removedTest} test texts and ${pool.removedNearVal + pool.removedNearTest} near-duplicates; training on ${pool.kept} (neg ${pool.perLabel[0]} / neu ${pool.perLabel[1]} / pos ${pool.perLabel[2]})`);
  const trained = trainSentimentFromExamples(examples, {
    seed,
    features: options.features,
    hyper,
    log,
    training: {
      data: 'SemEval-2017 Task 4A English pool minus TweetEval sentiment val/test (and near-duplicates), @handles → @user, URLs dropped',
      perLabel: pool.perLabel,
      removedVal: pool.removedVal,
      removedTest: pool.removedTest,
      removedNear: pool.removedNearVal + pool.removedNearTest,
    },
  });
  let model = trained.model;
  const validate = options.validate ?? true;
  let val: Metrics | undefined;
  if (validate || hyper.offsets === 'val') {
    const valData = readTweetEval(options.sharedDir, 'val');
    if (hyper.offsets === 'val') model = withOffsets(model, chooseOffsets(logitsOf(model, valData), valData.map((d) => d.label)));
    if (validate) val = evaluateOn(model, valData);
  }
  return {
    model,
    report: {
      pool,
      seed,
      features: model.meta.features,
      hyper,
      logitOffsets: model.meta.logitOffsets,
      val,
      featureSeconds: trained.featureSeconds,
      trainSeconds: trained.trainSeconds,
    },
  };
}

export interface SentimentEvaluation {
  val: Metrics;
  test: Metrics;
  /** Posts per second on one core, tokenisation included, over the test texts. */
  postsPerSecond: number;
}

/** Val and test metrics of a model, and its speed. The test split is for final configurations only. */
export function evaluateSentiment(model: SentimentModel, sharedDir: string): SentimentEvaluation {
  const val = evaluateOn(model, readTweetEval(sharedDir, 'val'));
  const testData = readTweetEval(sharedDir, 'test');
  const test = evaluateOn(model, testData);
  return { val, test, postsPerSecond: measureSpeed(model, testData.map((d) => d.text)) };
}

/** Median posts/s over 5 rounds of at least 50,000 predictions (after a warm-up round). */
export function measureSpeed(model: SentimentModel, texts: readonly string[]): number {
  if (texts.length === 0) return 0;
  let sink = 0;
  for (const t of texts) sink += model.predictIndex(t);
  const n = Math.max(50_000, texts.length);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += model.predictIndex(texts[i % texts.length]!);
    rates.push(n / seconds(t0));
  }
  rates.sort((a, b) => a - b);
  return sink >= 0 ? rates[2]! : 0;
}
