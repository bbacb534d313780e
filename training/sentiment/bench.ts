/**
 * Where the sentiment model's time goes, per post, on one core: `npx tsx training/sentiment/bench.ts [model]`.
 * Over the TweetEval sentiment test texts (labels unused). A script, not a test: timings are noisy.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTweetEval } from '../../src/triage/model/data.js';
import { extractSentimentFeatures, FeatureBuffer } from '../../src/triage/model/features.js';
import { DEFAULT_MODEL_PATH, loadSentimentModel } from '../../src/triage/model/sentiment.js';
import { scoreSentiment } from '../../src/triage/lexicon.js';
import { tokenize } from '../../src/triage/tokenize.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.EARSHOT_SHARED_DATA ?? path.resolve(here, '../../../shared/data');
const file = path.resolve(process.argv[2] ?? DEFAULT_MODEL_PATH);
const texts = readTweetEval(shared, 'test').map((d) => d.text);
let t0 = process.hrtime.bigint();
const model = loadSentimentModel(file);
console.log(`load: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms; heap used ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
const tokens = texts.map((t) => tokenize(t));
const lexes = tokens.map((t) => scoreSentiment(t, false));
const buf = new FeatureBuffer();
let sink = 0;
const N = 100_000;
function time(name: string, f: (i: number) => number): number {
  for (let i = 0; i < texts.length; i++) sink += f(i);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += f(i % texts.length);
    rates.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
  rates.sort((a, b) => a - b);
  console.log(`${name.padEnd(52)} ${rates[2]!.toFixed(2)} µs/post (${Math.round(1e6 / rates[2]!)} posts/s)`);
  return rates[2]!;
}
time('tokenize', (i) => tokenize(texts[i]!).length);
time('scoreSentiment (tokens given)', (i) => scoreSentiment(tokens[i]!, false).score);
time('features (tokens + lexicon score given)', (i) => (extractSentimentFeatures(tokens[i]!, model.meta.features, buf, lexes[i]!), buf.n));
time('predictTokens (tokens + lexicon score given)', (i) => model.predictTokens(tokens[i]!, lexes[i]!).index);
time('predict(text): clean + tokenize + lexicon + model', (i) => model.predict(texts[i]!).index);
time('explainTokens (reasons, 3)', (i) => model.explainTokens(tokens[i]!, undefined, 3, lexes[i]!).length);
console.log(`features per post: ${(tokens.reduce((a, t, i) => (extractSentimentFeatures(t, model.meta.features, buf, lexes[i]!), a + buf.n), 0) / tokens.length).toFixed(0)} (checksum ${sink})`);
