/**
 * Evaluate the intent + needs-reply model on the labelled test split (training/intent/labels.csv, split=test):
 *   npx tsx training/intent/eval.ts [--model models/intent.bin] [--json]
 * For final models only: compare experiments by cross-validation on train (train.ts --cv-only).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatConfusion } from '../../src/triage/model/metrics.js';
import { DEFAULT_INTENT_MODEL_PATH, evaluateIntent, loadIntentModel } from '../../src/triage/model/intent.js';
import { INTENT_LABELS } from '../../src/triage/model/intent-data.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_INTENT_MODEL_PATH },
    shared: { type: 'string', default: process.env.EARSHOT_SHARED_DATA ?? path.resolve(here, '../../../shared/data') },
    json: { type: 'boolean', default: false },
  },
});
const t0 = process.hrtime.bigint();
const model = loadIntentModel(path.resolve(values.model));
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
const result = evaluateIntent(model, values.shared);
if (values.json) {
  console.log(JSON.stringify({ model: values.model, loadMs, labels: INTENT_LABELS, ...result }));
} else {
  const m = result.intent;
  console.log(`model ${values.model} loaded in ${loadMs.toFixed(0)} ms`);
  console.log(`intent, test split (${m.n}): macro-F1 ${m.macroF1.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}`);
  for (const [k, l] of INTENT_LABELS.entries()) {
    const c = m.perClass[k]!;
    console.log(`  ${l.padEnd(12)} P ${c.precision.toFixed(3)} R ${c.recall.toFixed(3)} F1 ${c.f1.toFixed(3)} (${c.support})`);
  }
  console.log(formatConfusion(m, INTENT_LABELS).replace(/^/gm, '  '));
  const r = result.needsReply;
  console.log(`needs-reply, test split (${r.support} positive): precision ${r.precision.toFixed(4)} recall ${r.recall.toFixed(4)} F1 ${r.f1.toFixed(4)} at needsReply >= ${r.threshold} (raw threshold ${model.meta.replyThreshold.toFixed(3)}, from CV on train)`);
  console.log(`predict speed (tokenize + features + both heads, one core): ${Math.round(result.postsPerSecond)} posts/s`);
}
