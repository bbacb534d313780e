/**
 * `earshot eval --feedback --model-dir DIR`: before/after of learning from the team. The models in `--baseline-dir`
 * (default: the committed models/) against those `earshot train --feedback --out DIR` wrote, on (a) the standard
 * test sets `earshot eval` reports and (b) the corrections held out of training (agreement with the agents' labels).
 */
import path from 'node:path';
import type { CorrectedPost } from '../../core/corrections.js';
import { EarshotError } from '../../core/errors.js';
import { correctionAgreement, HOLDOUT_PERCENT, prepareFeedback, standardScores, type Agreement, type CorrectionAgreement, type StandardScores } from '../../triage/model/feedback.js';
import { loadIntentModel } from '../../triage/model/intent.js';
import { loadSentimentModel } from '../../triage/model/sentiment.js';
import { missingShared, REPO_ROOT, sharedDataDir } from '../../triage/model/shared-dir.js';
import { int } from '../format.js';
import type { CliIo } from '../run.js';
import { existsSync } from 'node:fs';

export interface EvalFeedbackOptions {
  /** Where the feedback-trained models are (train --feedback --out DIR). */
  modelDir: string;
  /** The models to compare against (default: the repository's models/). */
  baselineDir?: string;
  json?: boolean;
}

export interface ModelSetScores {
  dir: string;
  standard: StandardScores;
  /** On the corrections never trained on. */
  heldOut: CorrectionAgreement;
  /** On the corrections the feedback model was trained on (how well it fits them; not a measure of generalisation). */
  trained: CorrectionAgreement;
}

export interface EvalFeedbackResult {
  correctedPosts: number;
  heldOutPosts: number;
  holdoutPercent: number;
  before: ModelSetScores;
  after: ModelSetScores;
}

const NEEDS = ['tweeteval/sentiment/test_text.txt', 'tweeteval/sentiment/test_labels.txt', 'twcs_dev_half.csv', 'semeval2017_task4A_english'];

function modelsIn(dir: string) {
  const files = { sentiment: path.join(dir, 'sentiment.bin'), intent: path.join(dir, 'intent.bin') };
  const missing = Object.values(files).filter((f) => !existsSync(f));
  if (missing.length > 0) throw new EarshotError('not_found', `no model files ${missing.join(', ')} (run \`earshot train --feedback --out ${dir}\` first)`);
  return { sentiment: loadSentimentModel(files.sentiment), intent: loadIntentModel(files.intent) };
}

const f3 = (x: number): string => x.toFixed(3);
const delta = (a: number, b: number): string => `${b - a >= 0 ? '+' : '−'}${Math.abs(b - a).toFixed(3)}`;

export function formatEvalFeedback(r: EvalFeedbackResult): string {
  const b = r.before;
  const a = r.after;
  const lines = [`before: ${b.dir}`, `after:  ${a.dir}`, '', 'standard test sets (never trained on)              before   after  change'];
  const row = (label: string, x: number, y: number) => lines.push(`  ${label.padEnd(48)} ${f3(x).padStart(6)}  ${f3(y).padStart(6)}  ${delta(x, y)}`);
  row(`TweetEval sentiment test macro-recall (${int(b.standard.sentimentTest.n)})`, b.standard.sentimentTest.macroRecall, a.standard.sentimentTest.macroRecall);
  row(`intent test macro-F1 (${int(b.standard.intentTest.n)})`, b.standard.intentTest.macroF1, a.standard.intentTest.macroF1);
  row('needs-reply precision', b.standard.needsReply.precision, a.standard.needsReply.precision);
  row('needs-reply recall', b.standard.needsReply.recall, a.standard.needsReply.recall);
  const agreement = (title: string, x: CorrectionAgreement, y: CorrectionAgreement) => {
    lines.push('', title);
    const one = (label: string, p: Agreement, q: Agreement) => {
      if (p.n === 0) lines.push(`  ${label.padEnd(48)}     no corrections`);
      else lines.push(`  ${`${label} (${p.n})`.padEnd(48)} ${f3(p.rate).padStart(6)}  ${f3(q.rate).padStart(6)}  ${delta(p.rate, q.rate)}   (${p.agree} → ${q.agree} of ${p.n})`);
    };
    one('intent agrees with the agent', x.intent, y.intent);
    one('sentiment agrees with the agent', x.sentiment, y.sentiment);
    one('needs-reply agrees with the agent', x.needsReply, y.needsReply);
  };
  agreement(`held-out corrections: ${r.heldOutPosts} of ${r.correctedPosts} corrected posts (${r.holdoutPercent} % by post id, never trained on)`, b.heldOut, a.heldOut);
  agreement('trained-on corrections (fit, not generalisation)', b.trained, a.trained);
  if (r.heldOutPosts === 0) lines.push('', 'No corrected post is held out yet: correct more posts for a before/after on unseen corrections.');
  return lines.join('\n');
}

export function evalFeedback(posts: readonly CorrectedPost[], opts: EvalFeedbackOptions, sharedDir: string): EvalFeedbackResult {
  const missing = missingShared(sharedDir, NEEDS);
  if (missing.length > 0) throw new EarshotError('not_found', `evaluation data not found in ${sharedDir}: ${missing.join(', ')} (set EARSHOT_SHARED_DATA to the shared data directory)`);
  const baselineDir = path.resolve(opts.baselineDir ?? path.join(REPO_ROOT, 'models'));
  const modelDir = path.resolve(opts.modelDir);
  // Only the split is needed here; the evaluation texts were already kept out of training by train --feedback.
  const feedback = prepareFeedback(posts, null);
  const score = (dir: string): ModelSetScores => {
    const models = modelsIn(dir);
    return { dir, standard: standardScores(models, sharedDir), heldOut: correctionAgreement(feedback.heldOut, models), trained: correctionAgreement(feedback.train, models) };
  };
  return { correctedPosts: feedback.posts.length, heldOutPosts: feedback.heldOut.length, holdoutPercent: HOLDOUT_PERCENT, before: score(baselineDir), after: score(modelDir) };
}

export async function evalFeedbackCommand(opts: EvalFeedbackOptions, io: CliIo): Promise<EvalFeedbackResult> {
  const sharedDir = sharedDataDir(io.env);
  const { readCorrections } = await import('./train.js');
  const posts = await readCorrections(io);
  const result = evalFeedback(posts, opts, sharedDir);
  io.out(opts.json ? JSON.stringify(result) : formatEvalFeedback(result));
  return result;
}
