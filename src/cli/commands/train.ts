/**
 * `earshot train`: rebuild the committed models from ../shared/data with a fixed seed (same data and seed, same
 * bytes). One entry per model in TRAINERS; the intent model's trainer goes next to the sentiment one.
 */
import path from 'node:path';
import { EarshotError } from '../../core/errors.js';
import { SENTIMENT_LABELS } from '../../triage/model/data.js';
import { formatConfusion, type Metrics } from '../../triage/model/metrics.js';
import { saveSentimentModel } from '../../triage/model/sentiment.js';
import { missingShared, REPO_ROOT, sharedDataDir } from '../../triage/model/shared-dir.js';
import { trainSentimentModel } from '../../triage/model/train.js';
import { saveIntentModel, trainIntentModel } from '../../triage/model/intent.js';
import { INTENT_LABELS } from '../../triage/model/intent-data.js';
import { prepareFeedback, type Feedback, type FeedbackReport } from '../../triage/model/feedback.js';
import type { CorrectedPost } from '../../core/corrections.js';
import type { CliIo } from '../run.js';

export interface TrainOptions {
  seed: number;
  /** Directory the model files are written to (default: the repository's models/). */
  out?: string;
  json?: boolean;
  /** Agents' corrections from the store (`--feedback`), folded into training; see src/triage/model/feedback.ts. */
  corrections?: readonly CorrectedPost[];
}

export interface TrainerResult {
  model: string;
  file: string;
  bytes: number;
  seconds: number;
  /** Metrics on the validation data the trainer reports (never a test split). */
  val?: Metrics;
  /** Class names of `val`'s confusion matrix. */
  labels?: readonly string[];
  notes: string[];
  /** With --feedback: what the corrections added to this model's training examples. */
  feedback?: { posts: number; examplesAdded: number; replacedLabelled: number; heldOutPosts: number; skippedEvalTexts: number; weight: number };
}

export interface Trainer {
  /** The model's name, as `earshot train` reports it. */
  name: string;
  /** File name inside the output directory. */
  file: string;
  /** Paths inside the shared data directory the trainer reads; all must exist. */
  needs: readonly string[];
  train(ctx: { sharedDir: string; file: string; seed: number; log: (line: string) => void; feedback?: Feedback }): Omit<TrainerResult, 'model' | 'file' | 'seconds'>;
}

export const TRAINERS: readonly Trainer[] = [
  {
    name: 'sentiment',
    file: 'sentiment.bin',
    needs: ['semeval2017_task4A_english', 'tweeteval/sentiment/val_text.txt', 'tweeteval/sentiment/val_labels.txt', 'tweeteval/sentiment/test_text.txt', 'tweeteval/sentiment/test_labels.txt'],
    train: ({ sharedDir, file, seed, log, feedback }) => {
      const { model, report } = trainSentimentModel({ sharedDir, seed, log, extraExamples: feedback ? (pool) => feedback.sentiment(pool) : undefined });
      const bytes = saveSentimentModel(model, file);
      const p = report.pool;
      return {
        bytes,
        val: report.val,
        notes: [
          `trained on ${p.kept.toLocaleString('en-US')} SemEval-2017 posts (left out ${p.removedVal} TweetEval val and ${p.removedTest} test texts, ${p.removedNearVal + p.removedNearTest} near-duplicates)`,
        ],
      };
    },
  },
  {
    name: 'intent',
    file: 'intent.bin',
    needs: ['twcs_dev_half.csv', 'semeval2017_task4A_english'],
    train: ({ sharedDir, file, seed, feedback }) => {
      // The labels are the project's own (training/intent/labels.csv); the texts come from the shared data.
      const { model, report } = trainIntentModel({ sharedDir, seed, extraExamples: feedback ? (train) => feedback.intent(train) : undefined });
      const bytes = saveIntentModel(model, file);
      const nr = report.cv.needsReply;
      return {
        bytes,
        val: report.cv.intent,
        labels: INTENT_LABELS,
        notes: [
          `trained on the ${(report.examples - (feedback?.report.examplesAdded.intent ?? 0)).toLocaleString('en-US')} train-split posts of training/intent/labels.csv; validation is 5-fold cross-validation on them`,
          `needs-reply (cross-validated): precision ${nr.precision.toFixed(3)}, recall ${nr.recall.toFixed(3)} at threshold ${nr.threshold.toFixed(3)}`,
        ],
      };
    },
  },
];

const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;

export function formatTrainResults(results: readonly TrainerResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.model}: wrote ${r.file} (${(r.bytes / 1e6).toFixed(2)} MB) in ${r.seconds.toFixed(1)} s`);
    for (const n of r.notes) lines.push(`  ${n}`);
    const f = r.feedback;
    if (f) {
      lines.push(
        `  feedback: ${f.posts} corrected posts × ${f.weight} = ${f.examplesAdded} examples added, ${f.replacedLabelled} labelled examples of the same text replaced; ${f.heldOutPosts} posts held out for \`earshot eval --feedback\`${f.skippedEvalTexts ? `, ${f.skippedEvalTexts} left out as evaluation texts` : ''}`,
      );
    }
    if (r.val) {
      lines.push(`  validation: macro-recall ${r.val.macroRecall.toFixed(4)}, accuracy ${r.val.accuracy.toFixed(4)}, macro-F1 ${r.val.macroF1.toFixed(4)}`);
      lines.push(...formatConfusion(r.val, r.labels ?? SENTIMENT_LABELS).split('\n').map((l) => `  ${l}`));
    }
  }
  return lines.join('\n');
}

export function trainCommand(opts: TrainOptions, io: CliIo): TrainerResult[] {
  const sharedDir = sharedDataDir(io.env);
  const outDir = path.resolve(opts.out ?? path.join(REPO_ROOT, 'models'));
  // Check every trainer's data before training any: no half-rebuilt set of models.
  for (const t of TRAINERS) {
    const missing = missingShared(sharedDir, t.needs);
    if (missing.length > 0) {
      throw new EarshotError('not_found', `${t.name} training data not found in ${sharedDir}: ${missing.join(', ')} (set EARSHOT_SHARED_DATA to the shared data directory)`);
    }
  }
  const feedback = opts.corrections ? prepareFeedback(opts.corrections, sharedDir) : undefined;
  if (feedback && feedback.posts.length === 0) io.err('train: --feedback found no corrections in the store; training on the labelled data only');
  const results: TrainerResult[] = [];
  for (const t of TRAINERS) {
    const file = path.join(outDir, t.file);
    const t0 = process.hrtime.bigint();
    const r = t.train({ sharedDir, file, seed: opts.seed, log: (line) => io.err(`train ${t.name}: ${line}`), feedback });
    results.push({ model: t.name, file, seconds: seconds(t0), ...r, ...(feedback ? { feedback: feedbackOf(t.name, feedback.report) } : {}) });
  }
  io.out(opts.json ? JSON.stringify(results, null, 2) : formatTrainResults(results));
  return results;
}

function feedbackOf(model: string, r: FeedbackReport): NonNullable<TrainerResult['feedback']> {
  const sentiment = model === 'sentiment';
  return {
    posts: sentiment ? r.sentimentPosts : r.intentPosts,
    examplesAdded: sentiment ? r.examplesAdded.sentiment : r.examplesAdded.intent,
    replacedLabelled: sentiment ? r.replacedLabelled.sentiment : r.replacedLabelled.intent,
    heldOutPosts: r.heldOutPosts,
    skippedEvalTexts: r.skippedEvalTexts,
    weight: r.weight,
  };
}

/** The agents' corrections in the configured store (`--feedback`); a missing database is not_found. */
export async function readCorrections(io: CliIo): Promise<CorrectedPost[]> {
  // Loaded here so a plain `earshot train` never opens the database driver.
  const { withStore } = await import('../store.js');
  return withStore(io, { create: false }, (store) => store.listCorrectedPosts());
}
