/**
 * Rebuild the sentiment model from ../shared/data:
 *   npx tsx training/sentiment/train.ts [--seed 1] [--out models/sentiment.bin] [--every N]
 * Same data + same seed → byte-identical model file. Prints the pool report and TweetEval val metrics (never test:
 * see eval.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SENTIMENT_LABELS } from '../../src/triage/model/data.js';
import { formatConfusion } from '../../src/triage/model/metrics.js';
import { DEFAULT_MODEL_PATH, saveSentimentModel } from '../../src/triage/model/sentiment.js';
import { trainSentimentModel } from '../../src/triage/model/train.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: DEFAULT_MODEL_PATH },
    shared: { type: 'string', default: process.env.EARSHOT_SHARED_DATA ?? path.resolve(here, '../../../shared/data') },
    every: { type: 'string', default: '1' },
    quiet: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
const t0 = Date.now();
const { model, report } = trainSentimentModel({
  sharedDir: values.shared,
  seed,
  every: Number(values.every),
  log: values.quiet ? undefined : (l) => console.log(l),
});
const bytes = saveSentimentModel(model, path.resolve(values.out));
const v = report.val!;
console.log(`wrote ${values.out} (${(bytes / 1e6).toFixed(2)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`TweetEval val: macro-recall ${v.macroRecall.toFixed(4)}, accuracy ${v.accuracy.toFixed(4)}, macro-F1 ${v.macroF1.toFixed(4)}`);
console.log(formatConfusion(v, SENTIMENT_LABELS));
