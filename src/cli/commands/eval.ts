/**
 * `earshot eval`: the committed models measured on data never used to train them. Sentiment: TweetEval sentiment
 * val and test (macro-averaged recall, the official metric; accuracy; macro-F1; confusion), the model alone and as
 * the pipeline's classifier uses it, and posts/s on one core.
 */
import { EarshotError } from '../../core/errors.js';
import { createClassifier, textPost } from '../../triage/classifier.js';
import { readTweetEval, SENTIMENT_LABELS, type LabelledText } from '../../triage/model/data.js';
import { computeMetrics, formatConfusion, type Metrics } from '../../triage/model/metrics.js';
import { DEFAULT_MODEL_PATH, loadSentimentModel, type SentimentModel } from '../../triage/model/sentiment.js';
import { missingShared, sharedDataDir } from '../../triage/model/shared-dir.js';
import { evaluateSentiment } from '../../triage/model/train.js';
import { DEFAULT_INTENT_MODEL_PATH, evaluateIntent, loadIntentModel, type IntentEvaluation } from '../../triage/model/intent.js';
import { INTENT_LABELS } from '../../triage/model/intent-data.js';
import type { CliIo } from '../run.js';

export interface EvalOptions {
  json?: boolean;
  /** The sentiment model file (default: models/sentiment.bin). */
  model?: string;
}

type Brief = Pick<Metrics, 'n' | 'macroRecall' | 'accuracy' | 'macroF1'>;

export interface EvalResult {
  sentiment: {
    model: string;
    loadMs: number;
    val: Metrics;
    test: Metrics;
    /** The pipeline classifier's sentiment (the model, the lexicon deciding where the model is undecided). */
    classifier: { val: Brief; test: Brief };
    /** Model predictions per second on one core, tokenization included. */
    postsPerSecond: number;
  };
  /** The intent and needs-reply model on the test split of training/intent/labels.csv (never trained on). */
  intent: IntentEvaluation & { model: string } | null;
}

const SENTIMENT_NEEDS = ['tweeteval/sentiment/val_text.txt', 'tweeteval/sentiment/val_labels.txt', 'tweeteval/sentiment/test_text.txt', 'tweeteval/sentiment/test_labels.txt'];

function classifierMetrics(model: SentimentModel, data: readonly LabelledText[]): Brief {
  const classifier = createClassifier({ model });
  const predicted = data.map((d) => SENTIMENT_LABELS.indexOf(classifier.classify(textPost(d.text)).sentiment));
  const m = computeMetrics(
    data.map((d) => d.label),
    predicted,
    3,
  );
  return { n: m.n, macroRecall: m.macroRecall, accuracy: m.accuracy, macroF1: m.macroF1 };
}

const f4 = (x: number): string => x.toFixed(4);

export function formatEval(r: EvalResult): string {
  const s = r.sentiment;
  const lines = [`sentiment model ${s.model} (loaded in ${Math.round(s.loadMs)} ms)`];
  const show = (name: string, m: Metrics, c: Brief): void => {
    lines.push(`  TweetEval sentiment ${name} (${m.n.toLocaleString('en-US')}): macro-recall ${f4(m.macroRecall)}, accuracy ${f4(m.accuracy)}, macro-F1 ${f4(m.macroF1)}`);
    lines.push(`    recall negative / neutral / positive: ${m.perClass.map((k) => k.recall.toFixed(3)).join(' / ')}`);
    lines.push(`    pipeline classifier: macro-recall ${f4(c.macroRecall)}, accuracy ${f4(c.accuracy)}, macro-F1 ${f4(c.macroF1)}`);
    lines.push(...formatConfusion(m, SENTIMENT_LABELS).split('\n').map((l) => `    ${l}`));
  };
  show('val', s.val, s.classifier.val);
  show('test', s.test, s.classifier.test);
  lines.push(`  speed (tokenize + features + softmax, one core): ${Math.round(s.postsPerSecond).toLocaleString('en-US')} posts/s`);
  const i = r.intent;
  if (i !== null) {
    lines.push(`intent model ${i.model}, test split of training/intent/labels.csv (${i.n} posts)`);
    lines.push(`  intent: macro-F1 ${f4(i.intent.macroF1)}, accuracy ${f4(i.intent.accuracy)}`);
    lines.push(`    F1 per intent: ${i.intent.perClass.map((k, j) => `${INTENT_LABELS[j]} ${k.f1.toFixed(2)}`).join(', ')}`);
    lines.push(...formatConfusion(i.intent, INTENT_LABELS).split('\n').map((l) => `    ${l}`));
    lines.push(`  needs-reply: precision ${f4(i.needsReply.precision)}, recall ${f4(i.needsReply.recall)} (${i.needsReply.support} posts need a reply)`);
    lines.push(`  speed (tokenize + features + both heads, one core): ${Math.round(i.postsPerSecond).toLocaleString('en-US')} posts/s`);
  }
  return lines.join('\n');
}

export function evalCommand(opts: EvalOptions, io: CliIo): EvalResult {
  const sharedDir = sharedDataDir(io.env);
  const missing = missingShared(sharedDir, SENTIMENT_NEEDS);
  if (missing.length > 0) throw new EarshotError('not_found', `evaluation data not found in ${sharedDir}: ${missing.join(', ')} (set EARSHOT_SHARED_DATA to the shared data directory)`);
  const file = opts.model ?? DEFAULT_MODEL_PATH;
  const t0 = process.hrtime.bigint();
  const model = loadSentimentModel(file);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const e = evaluateSentiment(model, sharedDir);
  const classifier = { val: classifierMetrics(model, readTweetEval(sharedDir, 'val')), test: classifierMetrics(model, readTweetEval(sharedDir, 'test')) };
  const intentReady = missingShared(sharedDir, ['twcs_dev_half.csv', 'semeval2017_task4A_english']).length === 0;
  const intent = intentReady ? { model: DEFAULT_INTENT_MODEL_PATH, ...evaluateIntent(loadIntentModel(), sharedDir) } : null;
  const result: EvalResult = { sentiment: { model: file, loadMs, val: e.val, test: e.test, classifier, postsPerSecond: e.postsPerSecond }, intent };
  io.out(opts.json ? JSON.stringify(result) : formatEval(result));
  return result;
}
