/**
 * Where an intent rule fires on the train split, is the rule or the model (out-of-fold, 5-fold CV) right more often?
 * And where the model names a rare intent with p < 0.5? Decides RULES_KNOW_BETTER / RARE_INTENTS in
 * src/triage/classifier.ts without reading the test split. `npx tsx training/intent/rules-vs-model.ts`
 */
import { INTENTS } from '../../src/core/triage.js';
import { createClassifier, textPost } from '../../src/triage/classifier.js';
import { readIntentSet } from '../../src/triage/model/intent-data.js';
import { crossValidateIntent } from '../../src/triage/model/intent.js';
import { sharedDataDir } from '../../src/triage/model/shared-dir.js';
const train = readIntentSet(sharedDataDir(process.env)).filter((d) => d.split === 'train');
const cv = crossValidateIntent(train, { seed: 1 });
const rules = createClassifier({ intent: 'rules' });
const stats: Record<string, { fires: number; ruleRight: number; modelRight: number }> = {};
train.forEach((d, i) => {
  const r = rules.classify(textPost(d.text)).intent;
  if (!['idea', 'spam', 'sales_pitch', 'news'].includes(r)) return;
  const s = (stats[r] ??= { fires: 0, ruleRight: 0, modelRight: 0 });
  s.fires++;
  if (INTENTS[d.intent] === r) s.ruleRight++;
  if (cv.predicted[i] === d.intent) s.modelRight++;
});
console.log(stats);
// The model naming a rare intent with p < 0.5: right how often, and the rules' label instead?
const low: Record<string, { n: number; modelRight: number; ruleRight: number }> = {};
train.forEach((d, i) => {
  const l = cv.logits[i]!;
  const m = Math.max(...l);
  const z = l.reduce((a, x) => a + Math.exp(x - m), 0);
  const p = 1 / z;
  const k = cv.predicted[i]!;
  const name = INTENTS[k]!;
  if (!['idea', 'spam', 'sales_pitch', 'news'].includes(name) || p >= 0.5) return;
  const r = rules.classify(textPost(d.text)).intent;
  const s = (low[name] ??= { n: 0, modelRight: 0, ruleRight: 0 });
  s.n++;
  if (k === d.intent) s.modelRight++;
  if (INTENTS[d.intent] === r) s.ruleRight++;
});
console.log(low);
