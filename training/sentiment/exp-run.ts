/**
 * Session 3 runner: `npx tsx training/sentiment/exp-run.ts NAME …` trains each named experiment on the pool minus
 * ts-val (exp-data.ts) and prints TweetEval val and ts-val macro-recall. Never touches TweetEval test.
 */
import { DEFAULT_FEATURES, type FeatureConfig } from '../../src/triage/model/features.js';
import type { LinearModel, SparseExample } from '../../src/triage/model/linear.js';
import { writeFileSync } from 'node:fs';
import { loadProtocol, readUnlabelledTexts, type PoolRow } from './exp-data.js';
import { nbScale, featuriseTokens, fmt, logits, metricsOf, tokensOf, trainLinear, type ExtraFeatures, type TrainOpts } from './exp-lib.js';
import { EXTRAS } from './exp-extras.js';

interface Exp {
  features?: Partial<FeatureConfig>;
  extra?: string;
  train?: Partial<TrainOpts>;
  /** Weight of a training row. */
  rowWeight?: (r: PoolRow) => number;
  /** NB-SVM scaling: [alpha, floor, power]. */
  nb?: [number, number, number];
  /** Importance weights toward the 2016–19 unlabelled texts (emotion + offensive): exponent γ. */
  iw?: number;
  /** Train only on rows that pass. */
  filter?: (r: PoolRow) => boolean;
}

const y2016 = (r: PoolRow): boolean => r.file.includes('2016');
const EXPS: Record<string, Exp> = {
  base: {},
  'w2016x2': { rowWeight: (r) => (y2016(r) ? 2 : 1) },
  'w2016x3': { rowWeight: (r) => (y2016(r) ? 3 : 1) },
  'w2013x0.5': { rowWeight: (r) => (r.file.includes('2013') ? 0.5 : 1) },
  'only2016': { filter: y2016 },
  'lr0.02e3': { train: { lr: 0.02 } },
  'lr0.01e3': { train: { lr: 0.01 } },
  'e2': { train: { epochs: 2 } },
  'e5': { train: { epochs: 5 } },
  sqhinge: { train: { loss: 'sqhinge' } },
  'sqhinge-lr0.005': { train: { loss: 'sqhinge', lr: 0.005 } },
  'sqh-lr0.01': { train: { loss: 'sqhinge', lr: 0.01 } },
  'sqh-lr0.025': { train: { loss: 'sqhinge', lr: 0.025 } },
  'sqh-l2e-4-lr0.01': { train: { loss: 'sqhinge', l2: 1e-4, lr: 0.01 } },
  'sqh-e4': { train: { loss: 'sqhinge', epochs: 4 } },
  'sqh-lr0.0125': { train: { loss: 'sqhinge', lr: 0.0125 } },
  'sqh-lr0.02': { train: { loss: 'sqhinge', lr: 0.02 } },
  'sqh-char0.5': { train: { loss: 'sqhinge' }, features: { charWeight: 0.5 } },
  'sqh-nw0.5': { train: { loss: 'sqhinge' }, features: { ngramWeight: 0.5 } },
  'sqh-cwnone': { train: { loss: 'sqhinge', classWeights: 'none' } },
  'nb1-0.5': { train: { loss: 'sqhinge' }, nb: [1, 0.5, 1] },
  'nb1-1': { train: { loss: 'sqhinge' }, nb: [1, 1, 1] },
  'nb1-0.25': { train: { loss: 'sqhinge' }, nb: [1, 0.25, 1] },
  'nb1-0.1': { train: { loss: 'sqhinge' }, nb: [1, 0.1, 1] },
  'nb1-0': { train: { loss: 'sqhinge' }, nb: [1, 0, 1] },
  'nb1-0-p0.5': { train: { loss: 'sqhinge' }, nb: [1, 0, 0.5] },
  'nb1-0.1-lr0.03': { train: { loss: 'sqhinge', lr: 0.03 }, nb: [1, 0.1, 1] },
  'iw0.5': { train: { loss: 'sqhinge' }, iw: 0.5 },
  'iw1': { train: { loss: 'sqhinge' }, iw: 1 },
  'nb1-0.5-sm': { nb: [1, 0.5, 1] },
  'nb1-1-sm': { nb: [1, 1, 1] },
  'sqh-e2': { train: { loss: 'sqhinge', epochs: 2 } },
  'sqh-e5': { train: { loss: 'sqhinge', epochs: 5 } },
  'sqh-l2e-4': { train: { loss: 'sqhinge', l2: 1e-4 } },
  'nochar': { features: { charMax: 0 } },
  'tri': { features: { trigrams: true } },
  'dense2': { features: { denseWeight: 2 } },
  'dense0.5': { features: { denseWeight: 0.5 } },
  'nolex': { features: { lexicon: false } },
};

const names = process.argv.slice(2);
const t0 = Date.now();
const P = loadProtocol();
const count = (rs: { label: number }[]): string => [0, 1, 2].map((k) => rs.filter((r) => r.label === k).length).join('/');
console.log(`train ${P.train.length} (${count(P.train)}), ts-val ${P.tsval.length} (${count(P.tsval)}), val ${P.val.length}; ${((Date.now() - t0) / 1000).toFixed(1)}s`);
const trainTok = tokensOf(P.train);
const tsTok = tokensOf(P.tsval);
const valTok = tokensOf(P.val);
const cache = new Map<string, { tr: SparseExample[]; ts: SparseExample[]; va: SparseExample[] }>();

for (const spec of names) {
  // NAME or NAME+EXTRA (extra features from exp-extras.ts) or +EXTRA alone.
  const [spec0, seedStr] = spec.split('@') as [string, string | undefined];
  const [name, extraName] = spec0.split('+') as [string, string | undefined];
  const e: Exp = { ...(EXPS[name === '' ? 'base' : name] ?? (() => { throw new Error(`unknown experiment ${name}`); })()) };
  if (extraName) e.extra = extraName;
  const t1 = Date.now();
  const config: FeatureConfig = { ...DEFAULT_FEATURES, ...e.features };
  const extra: ExtraFeatures | undefined = e.extra ? EXTRAS[e.extra]!() : undefined;
  if (e.extra && !extra) throw new Error(`unknown extra ${e.extra}`);
  const key = JSON.stringify(config) + (e.extra ?? '');
  let f = cache.get(key);
  if (!f) {
    f = {
      tr: featuriseTokens(trainTok, P.train.map((r) => r.label), config, extra),
      ts: featuriseTokens(tsTok, P.tsval.map((r) => r.label), config, extra),
      va: featuriseTokens(valTok, P.val.map((r) => r.label), config, extra),
    };
    cache.set(key, f);
  }
  let tr = f.tr;
  let rows = P.train;
  if (e.filter) {
    const keep = P.train.map(e.filter);
    tr = tr.filter((_, i) => keep[i]);
    rows = rows.filter((_, i) => keep[i]);
  }
  let sw: Float64Array | undefined = e.rowWeight ? Float64Array.from(rows, e.rowWeight) : undefined;
  if (e.iw !== undefined) sw = importanceWeights(tr, config, e.iw);
  const scale = e.nb ? nbScale(tr, 2 ** config.bits, e.nb[0], e.nb[1], e.nb[2]) : undefined;
  const seeds = seedStr ? [Number(seedStr)] : [1, 2, 3];
  const vaGold = P.val.map((r) => r.label);
  const tsGold = P.tsval.map((r) => r.label);
  let sum: LinearModel | undefined;
  const per: string[] = [];
  let mv = 0;
  let mt = 0;
  for (const seed of seeds) {
    const model = trainLinear(tr, 2 ** config.bits, { epochs: 3, lr: 0.015, l2: 1e-5, seed, classWeights: 'balanced', sampleWeights: sw, scale, ...e.train });
    const a = metricsOf(logits(model, f.va), vaGold).macroRecall;
    const b = metricsOf(logits(model, f.ts), tsGold).macroRecall;
    mv += a / seeds.length;
    mt += b / seeds.length;
    per.push(`${a.toFixed(3)}/${b.toFixed(3)}`);
    if (!sum) sum = model;
    else {
      for (let j = 0; j < sum.weights.length; j++) sum.weights[j] = sum.weights[j]! + model.weights[j]!;
      for (let k = 0; k < 3; k++) sum.bias[k] = sum.bias[k]! + model.bias[k]!;
    }
  }
  const va = metricsOf(logits(sum!, f.va), vaGold);
  const ts = metricsOf(logits(sum!, f.ts), tsGold);
  if (process.env.SAVE_LOGITS) {
    writeFileSync(`/tmp/earshot-exp-logits-${spec.replace(/[^\w.+-]/g, '_')}.json`, JSON.stringify({ va: logits(sum!, f.va).map((x) => [...x]), ts: logits(sum!, f.ts).map((x) => [...x]) }));
  }
  console.log(`${spec.padEnd(24)} seeds val/ts ${per.join(' ')} | MEAN val ${mv.toFixed(4)} ts ${mt.toFixed(4)} avg ${((mv + mt) / 2).toFixed(4)}`);
  const nf = f.va.reduce((a, x) => a + x.idx.length, 0) / f.va.length;
  console.log(`${''.padEnd(24)} ENS ${fmt('val', va)} | ${fmt('ts', ts)} | mean ${((va.macroRecall + ts.macroRecall) / 2).toFixed(4)} | ${nf.toFixed(0)} feat/post ${((Date.now() - t1) / 1000).toFixed(0)}s`);
}

/** Cross-fitted (2 folds) domain classifier pool vs era texts → w = (odds)^γ, clipped to [0.2, 5], mean 1. */
function importanceWeights(tr: SparseExample[], config: FeatureConfig, gamma: number): Float64Array {
  const era = readUnlabelledTexts();
  const eraEx = featuriseTokens(tokensOf(era.map((text) => ({ text }))), era.map(() => 1), config).map((x) => ({ ...x, label: 1 }));
  const poolEx = tr.map((x) => ({ ...x, label: 0 }));
  const w = new Float64Array(tr.length);
  for (const fold of [0, 1]) {
    const trainSet = [...poolEx.filter((_, i) => i % 2 !== fold), ...eraEx.filter((_, i) => i % 2 !== fold)];
    const m = trainLinear(trainSet, 2 ** config.bits, { epochs: 2, lr: 0.05, l2: 1e-5, seed: 7, classWeights: 'balanced' });
    const ls = logits(m, poolEx.filter((_, i) => i % 2 === fold));
    let j = 0;
    for (let i = 0; i < tr.length; i++) if (i % 2 === fold) { const s = ls[j++]!; w[i] = Math.exp(gamma * (s[1]! - s[0]!)); }
  }
  const norm = (): void => { const mean = w.reduce((a, b) => a + b, 0) / w.length; for (let i = 0; i < w.length; i++) w[i] = w[i]! / mean; };
  norm();
  for (let i = 0; i < w.length; i++) w[i] = Math.min(5, Math.max(0.2, w[i]!));
  norm();
  const sorted = [...w].sort((a, b) => a - b);
  console.log(`iw γ=${gamma}: weights p10 ${sorted[Math.floor(w.length * 0.1)]!.toFixed(2)} p50 ${sorted[Math.floor(w.length * 0.5)]!.toFixed(2)} p90 ${sorted[Math.floor(w.length * 0.9)]!.toFixed(2)}`);
  return w;
}
