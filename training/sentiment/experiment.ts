/**
 * Hyper-parameter experiments on TweetEval val (never test): `npx tsx training/sentiment/experiment.ts '<json>' …`
 * where each JSON is {"features": {...}, "hyper": {...}, "seed": 1}. Prints one line per configuration.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainSentimentModel } from '../../src/triage/model/train.js';

const shared = process.env.EARSHOT_SHARED_DATA ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data');
const configs = process.argv.slice(2);
for (const c of configs.length > 0 ? configs : ['{}']) {
  const spec = JSON.parse(c) as { features?: object; hyper?: object; seed?: number; every?: number };
  const { report } = trainSentimentModel({ sharedDir: shared, seed: spec.seed ?? 1, features: spec.features, hyper: spec.hyper, every: spec.every, log: process.env.VERBOSE ? console.log : undefined });
  const v = report.val!;
  const r = v.perClass.map((p) => p.recall.toFixed(3)).join('/');
  console.log(`${c}\tval MR ${v.macroRecall.toFixed(4)} acc ${v.accuracy.toFixed(4)} F1 ${v.macroF1.toFixed(4)} recall n/u/p ${r} offsets ${report.logitOffsets.join(',')} feat ${report.featureSeconds.toFixed(1)}s train ${report.trainSeconds.toFixed(1)}s`);
}
