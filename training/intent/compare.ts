/**
 * The pipeline classifier's intent and needs-reply on the test split of training/intent/labels.csv, with the rules
 * alone and with the intent model (as the pipeline runs it). `npx tsx training/intent/compare.ts`
 */
import { INTENTS } from '../../src/core/triage.js';
import { createClassifier, textPost } from '../../src/triage/classifier.js';
import { readIntentSet } from '../../src/triage/model/intent-data.js';
import { computeMetrics } from '../../src/triage/model/metrics.js';
import { sharedDataDir } from '../../src/triage/model/shared-dir.js';

const test = readIntentSet(sharedDataDir(process.env)).filter((d) => d.split === 'test');
for (const mode of ['rules', 'model'] as const) {
  const c = createClassifier({ intent: mode });
  const preds = test.map((d) => c.classify(textPost(d.text)));
  const m = computeMetrics(
    test.map((d) => d.intent),
    preds.map((p) => INTENTS.indexOf(p.intent)),
    INTENTS.length,
  );
  let tp = 0;
  let fp = 0;
  let fn = 0;
  test.forEach((d, i) => {
    const p = preds[i]!.needsReply >= 0.5;
    if (p && d.needsReply === 1) tp++;
    else if (p) fp++;
    else if (d.needsReply === 1) fn++;
  });
  const perClass = m.perClass.map((k, j) => `${INTENTS[j]} ${k.f1.toFixed(2)}`).join(', ');
  console.log(`${mode}: intent macro-F1 ${m.macroF1.toFixed(3)}, accuracy ${m.accuracy.toFixed(3)} (${perClass}); needs-reply precision ${(tp / (tp + fp)).toFixed(3)}, recall ${(tp / (tp + fn)).toFixed(3)}`);
}
