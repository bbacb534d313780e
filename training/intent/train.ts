/**
 * Rebuild the intent + needs-reply model from training/intent/labels.csv (train split) and ../shared/data:
 *   npx tsx training/intent/train.ts [--seed 1] [--out models/intent.bin]
 * Prints the 5-fold cross-validation on the train split (never test: see eval.ts). Same data + seed → the same bytes.
 * Experiments: `--cv-only --set epochs=20 --set bits=16 …` runs cross-validation with other settings and saves
 * nothing (hyper-parameters: epochs lr l2 classWeightPower cues replyUsesIntent; features: bits charMax bigrams …).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatConfusion, type Metrics } from '../../src/triage/model/metrics.js';
import { crossValidateIntent, DEFAULT_INTENT_HYPER, DEFAULT_INTENT_MODEL_PATH, saveIntentModel, trainIntentModel, type IntentHyper } from '../../src/triage/model/intent.js';
import { INTENT_LABELS, readIntentSet } from '../../src/triage/model/intent-data.js';
import type { FeatureConfig } from '../../src/triage/model/features.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: DEFAULT_INTENT_MODEL_PATH },
    shared: { type: 'string', default: process.env.EARSHOT_SHARED_DATA ?? path.resolve(here, '../../../shared/data') },
    'cv-only': { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

const hyper: Partial<IntentHyper> = {};
const features: Partial<FeatureConfig> = {};
for (const kv of values.set) {
  const [k, v] = kv.split('=');
  if (k === undefined || v === undefined) throw new Error(`--set wants key=value, got ${kv}`);
  const value = v === 'true' ? true : v === 'false' ? false : Number(v);
  if (k in DEFAULT_INTENT_HYPER) (hyper as Record<string, unknown>)[k] = value;
  else (features as Record<string, unknown>)[k] = value;
}

const show = (m: Metrics): void => {
  console.log(`intent macro-F1 ${m.macroF1.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}`);
  console.log(INTENT_LABELS.map((l, k) => `  ${l.padEnd(12)} P ${m.perClass[k]!.precision.toFixed(3)} R ${m.perClass[k]!.recall.toFixed(3)} F1 ${m.perClass[k]!.f1.toFixed(3)} (${m.perClass[k]!.support})`).join('\n'));
  console.log(formatConfusion(m, INTENT_LABELS).replace(/^/gm, '  '));
};

const t0 = Date.now();
if (values['cv-only']) {
  const train = readIntentSet(values.shared).filter((d) => d.split === 'train');
  const cv = crossValidateIntent(train, { seed, hyper, features });
  console.log(`CV (5-fold, train split, ${train.length}) ${JSON.stringify({ ...hyper, ...features })}`);
  show(cv.intent);
  const r = cv.needsReply;
  console.log(`needs-reply (out-of-fold, threshold ${r.threshold.toFixed(3)}): precision ${r.precision.toFixed(4)} recall ${r.recall.toFixed(4)}`);
} else {
  const { model, report } = trainIntentModel({ sharedDir: values.shared, seed, hyper, features });
  const bytes = saveIntentModel(model, path.resolve(values.out));
  console.log(`trained on ${report.examples} (train split) ${JSON.stringify(report.perLabel)}`);
  console.log(`CV (${report.hyper.folds}-fold on train):`);
  show(report.cv.intent);
  if (report.hyper.offsets) {
    console.log(`intent logit offsets (chosen on the out-of-fold logits) ${JSON.stringify(report.intentOffsets)}; CV with them (optimistic):`);
    show(report.cvWithOffsets);
  }
  const r = report.cv.needsReply;
  console.log(`needs-reply (out-of-fold): threshold ${r.threshold.toFixed(3)} → precision ${r.precision.toFixed(4)} recall ${r.recall.toFixed(4)}`);
  console.log(`wrote ${values.out} (${(bytes / 1e6).toFixed(2)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
