/**
 * Evaluate a sentiment model on TweetEval sentiment val and test:
 *   npx tsx training/sentiment/eval.ts [--model models/sentiment.bin] [--json]
 * Test is for final configurations only: tune on val (training/sentiment/experiment.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SENTIMENT_LABELS } from '../../src/triage/model/data.js';
import { formatConfusion, type Metrics } from '../../src/triage/model/metrics.js';
import { DEFAULT_MODEL_PATH, loadSentimentModel } from '../../src/triage/model/sentiment.js';
import { evaluateSentiment } from '../../src/triage/model/train.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_MODEL_PATH },
    shared: { type: 'string', default: process.env.EARSHOT_SHARED_DATA ?? path.resolve(here, '../../../shared/data') },
    json: { type: 'boolean', default: false },
  },
});
const t0 = process.hrtime.bigint();
const model = loadSentimentModel(path.resolve(values.model));
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
const result = evaluateSentiment(model, values.shared);
if (values.json) {
  console.log(JSON.stringify({ model: values.model, loadMs, ...result }));
} else {
  const show = (name: string, m: Metrics): void => {
    console.log(`${name} (${m.n}): macro-recall ${m.macroRecall.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}, macro-F1 ${m.macroF1.toFixed(4)}`);
    console.log(`  recall neg/neu/pos ${m.perClass.map((c) => c.recall.toFixed(3)).join(' / ')}`);
    console.log(formatConfusion(m, SENTIMENT_LABELS).replace(/^/gm, '  '));
  };
  console.log(`model ${values.model} loaded in ${loadMs.toFixed(0)} ms`);
  show('TweetEval sentiment val', result.val);
  show('TweetEval sentiment test', result.test);
  console.log(`predict speed (tokenize + features + softmax, one core): ${Math.round(result.postsPerSecond)} posts/s`);
}
