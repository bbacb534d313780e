/**
 * Session 3: logit offsets chosen on ts-val (grid step 0.1 in [−1, 1], neutral fixed), applied to TweetEval val.
 * Reads the logits exp-run.ts saved with SAVE_LOGITS=1: `npx tsx training/sentiment/exp-offsets.ts SPEC …`.
 */
import { readFileSync } from 'node:fs';
import { chooseOffsets } from '../../src/triage/model/train.js';
import { loadProtocol } from './exp-data.js';
import { fmt, metricsOf } from './exp-lib.js';

const P = loadProtocol();
for (const spec of process.argv.slice(2)) {
  const j = JSON.parse(readFileSync(`/tmp/earshot-exp-logits-${spec.replace(/[^\w.+-]/g, '_')}.json`, 'utf8')) as { va: number[][]; ts: number[][] };
  const va = j.va.map((x) => Float64Array.from(x));
  const ts = j.ts.map((x) => Float64Array.from(x));
  const off = chooseOffsets(ts, P.tsval.map((r) => r.label));
  const offV = chooseOffsets(va, P.val.map((r) => r.label));
  console.log(`${spec}: offsets from ts-val ${off.join(',')} → ${fmt('val', metricsOf(va, P.val.map((r) => r.label), off))} | ${fmt('ts', metricsOf(ts, P.tsval.map((r) => r.label), off))}  (val's own best: ${offV.join(',')})`);
}
