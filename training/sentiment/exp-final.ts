/**
 * Session 3 final candidates, trained as the committed model is (the whole kept pool, 47,486 examples, via
 * `readSentimentPool`), weights quantised to int16 per class as the model file stores them:
 *   npx tsx training/sentiment/exp-final.ts c1|c2 [--test]
 * c1: squared-hinge one-vs-rest, 3-seed weight average, + word clusters and mean word vectors (negated words apart)
 *     from the unlabelled corpus (whole pool + TweetEval emotion/offensive texts).
 * c2: squared-hinge one-vs-rest, 3-seed weight average, committed features only.
 * Prints TweetEval val (and test with --test: final candidates only), features per post, sizes and a weight hash.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readSentimentPool, readTweetEval } from '../../src/triage/model/data.js';
import { DEFAULT_FEATURES } from '../../src/triage/model/features.js';
import type { LinearModel } from '../../src/triage/model/linear.js';
import { quantise } from '../../src/triage/model/sentiment.js';
import { SHARED } from './exp-data.js';
import { buildEmbedding } from './exp-embed.js';
import { EXTRAS } from './exp-extras.js';
import { featuriseTokens, fmt, logits, metricsOf, tokensOf, trainLinear } from './exp-lib.js';

const which = process.argv[2] ?? 'c1';
const runTest = process.argv.includes('--test');
const extraName = which === 'c1' ? 'cluneg-full' : which === 'c2' ? undefined : (() => { throw new Error(`unknown candidate ${which}`); })();
const t0 = Date.now();
const { examples, report } = readSentimentPool(SHARED);
console.log(`pool kept ${report.kept} (${report.perLabel.join('/')})`);
const extra = extraName ? EXTRAS[extraName]!() : undefined;
const config = DEFAULT_FEATURES;
const tr = featuriseTokens(tokensOf(examples), examples.map((e) => e.label), config, extra);
const dim = 2 ** config.bits;
let sum: LinearModel | undefined;
for (const seed of [1, 2, 3]) {
  const m = trainLinear(tr, dim, { epochs: 3, lr: 0.015, l2: 1e-5, seed, classWeights: 'balanced', loss: 'sqhinge' });
  if (!sum) sum = m;
  else {
    for (let j = 0; j < sum.weights.length; j++) sum.weights[j] = sum.weights[j]! + m.weights[j]!;
    for (let k = 0; k < 3; k++) sum.bias[k] = sum.bias[k]! + m.bias[k]!;
  }
}
const model = sum!;
for (let j = 0; j < model.weights.length; j++) model.weights[j] = model.weights[j]! / 3;
for (let k = 0; k < 3; k++) model.bias[k] = model.bias[k]! / 3;
const { q, scales } = quantise(model);
const deq: LinearModel = { ...model, weights: Float32Array.from(q, (x, j) => x * scales[j % 3]!) };
const hash = createHash('sha256').update(Buffer.from(q.buffer)).update(Buffer.from(model.bias.buffer)).digest('hex').slice(0, 16);
const tableGz = gzipSync(Buffer.from(q.buffer), { level: 9 }).length;
let wordTable = 0;
if (extraName) {
  const emb = buildEmbedding({ minCount: 3, contexts: 3000, window: 4, dim: 100, power: 0.5, clusters: 500, corpus: 'full' });
  // What the model file would add: the words, a cluster id each, and the dense block folded into 2×3 floats a word.
  const words = Buffer.from(emb.words.join('\n'), 'utf8');
  wordTable = gzipSync(Buffer.concat([words, Buffer.alloc(emb.words.length * (2 + 24))]), { level: 9 }).length;
  console.log(`word table: ${emb.words.length} words`);
}
console.log(`trained in ${((Date.now() - t0) / 1000).toFixed(0)}s; weights sha256 ${hash}; hashed table gzip ${(tableGz / 1e6).toFixed(2)} MB (upper bound of the word table gzip ${(wordTable / 1e6).toFixed(2)} MB)`);
const show = (split: 'val' | 'test'): void => {
  const data = readTweetEval(SHARED, split);
  const ex = featuriseTokens(tokensOf(data), data.map((d) => d.label), config, extra);
  const m = metricsOf(logits(deq, ex), data.map((d) => d.label));
  const nf = ex.reduce((a, x) => a + x.idx.length, 0) / ex.length;
  console.log(`${which} ${fmt(split, m)} F1 ${m.macroF1.toFixed(4)} | ${nf.toFixed(0)} features/post | confusion ${JSON.stringify(m.confusion)}`);
};
show('val');
if (runTest) show('test');
