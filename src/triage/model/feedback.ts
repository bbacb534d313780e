/**
 * Learning from the team: agents' label corrections (the store's `label_corrections`, through `CorrectedPost`)
 * folded into the training examples of the next models (`earshot train --feedback`), and measured before and after
 * on the corrections held out of training (`earshot eval --feedback`).
 *
 * - Held out: a fixed share (HOLDOUT_PERCENT) of corrected posts, chosen by a hash of the post id, never trained on, so
 *   the before/after agreement is measured on corrections the new model has not seen. The same post is always on the
 *   same side, whatever else is corrected.
 * - Intent and needs-reply: a post with an intent or needs_reply correction becomes an intent example with the
 *   post's current labels (the corrected field as the agent said, the other as the model said), FEEDBACK_WEIGHT copies.
 * - Sentiment: a post with a sentiment correction becomes a sentiment example (text anonymised as the pool is),
 *   FEEDBACK_WEIGHT copies.
 * - A labelled example with the same text (matchKey: case, punctuation, handles and links ignored) is dropped: the
 *   agent's label wins. The same text corrected on several posts counts once, the latest correction winning.
 * - Texts of the evaluation sets (the intent test split, TweetEval sentiment val and test) are never trained on, so
 *   the standard numbers stay honest.
 * Deterministic: corrections in post-id order, copies appended after the labelled examples; same corrections, data
 * and seed → the same model bytes.
 */
import { correctedNeedsReply, type CorrectedPost, type LabelField } from '../../core/corrections.js';
import { anonymise, matchKey, readTweetEval, SENTIMENT_LABELS, type LabelledText } from './data.js';
import { fmix, hashString } from './features.js';
import { binaryMetrics, type BinaryMetrics, type IntentModel } from './intent.js';
import { INTENT_LABELS, readIntentSet, type IntentExample } from './intent-data.js';
import { computeMetrics, type Metrics } from './metrics.js';
import type { SentimentModel } from './sentiment.js';

/**
 * Copies of each correction in the training examples. One correction is an agent's considered judgement about a
 * post from this brand's own traffic, so it counts for more than one of the ~2,000 general labelled posts; 3 moves
 * the model on the corrected texts without letting a handful of corrections outweigh the labelled set.
 */
export const FEEDBACK_WEIGHT = 3;
/** Share of corrected posts held out of training to measure before/after on, in percent. */
export const HOLDOUT_PERCENT = 20;
const HOLDOUT_SEED = 0xfeedbac;

/** Whether a corrected post is held out of training (a fixed hash of its id). */
export function isHeldOut(postId: number): boolean {
  return (fmix(hashString(`post:${postId}`, HOLDOUT_SEED)) >>> 0) % 100 < HOLDOUT_PERCENT;
}

const has = (p: CorrectedPost, field: LabelField): boolean => p.corrections.some((c) => c.field === field);
const latest = (p: CorrectedPost, fields: readonly LabelField[]): number =>
  Math.max(...p.corrections.filter((c) => fields.includes(c.field)).map((c) => c.createdAt));

/** Per text (matchKey), the post whose correction of these fields is latest (ties: the higher post id). */
function latestPerText(posts: readonly CorrectedPost[], fields: readonly LabelField[]): CorrectedPost[] {
  const best = new Map<string, CorrectedPost>();
  for (const p of posts) {
    if (!fields.some((f) => has(p, f))) continue;
    const key = matchKey(p.text);
    if (key === '') continue;
    const prev = best.get(key);
    if (!prev || latest(p, fields) >= latest(prev, fields)) best.set(key, p);
  }
  return [...best.values()].sort((a, b) => a.postId - b.postId);
}

export interface FeedbackReport {
  correctedPosts: number;
  heldOutPosts: number;
  /** Corrected posts whose text the intent model is trained on (before the weight), and the copies added. */
  intentPosts: number;
  sentimentPosts: number;
  examplesAdded: { intent: number; sentiment: number };
  /** Labelled examples dropped because an agent corrected the same text. */
  replacedLabelled: { intent: number; sentiment: number };
  /** Corrections left out because their text is in an evaluation set. */
  skippedEvalTexts: number;
  weight: number;
  holdoutPercent: number;
}

/** The corrections split into training and held-out posts, and the two fold-in functions for the trainers. */
export interface Feedback {
  posts: readonly CorrectedPost[];
  train: readonly CorrectedPost[];
  heldOut: readonly CorrectedPost[];
  report: FeedbackReport;
  /** For trainIntentModel's `extraExamples`. */
  intent(labelled: readonly IntentExample[]): IntentExample[];
  /** For trainSentimentModel's `extraExamples`. */
  sentiment(pool: readonly LabelledText[]): LabelledText[];
}

/**
 * Prepares the corrections for training. `sharedDir` gives the evaluation sets whose texts must never be trained on
 * (null: none are excluded, for tests without the shared data).
 */
export function prepareFeedback(posts: readonly CorrectedPost[], sharedDir: string | null, weight = FEEDBACK_WEIGHT): Feedback {
  const sorted = [...posts].sort((a, b) => a.postId - b.postId);
  const heldOut = sorted.filter((p) => isHeldOut(p.postId));
  // A training post with the same text as a held-out one would leak it into training.
  const heldOutKeys = new Set(heldOut.map((p) => matchKey(p.text)));
  const train = sorted.filter((p) => !isHeldOut(p.postId) && !heldOutKeys.has(matchKey(p.text)));
  const intentEval = new Set<string>();
  const sentimentEval = new Set<string>();
  if (sharedDir !== null) {
    for (const d of readIntentSet(sharedDir)) if (d.split === 'test') intentEval.add(matchKey(d.text));
    for (const split of ['val', 'test'] as const) for (const d of readTweetEval(sharedDir, split)) sentimentEval.add(matchKey(d.text));
  }
  const skipped = new Set<number>();
  const intentPosts = latestPerText(train, ['intent', 'needs_reply']).filter((p) => (intentEval.has(matchKey(p.text)) ? (skipped.add(p.postId), false) : true));
  const sentimentPosts = latestPerText(train, ['sentiment']).filter((p) => (sentimentEval.has(matchKey(p.text)) ? (skipped.add(p.postId), false) : true));
  const report: FeedbackReport = {
    correctedPosts: sorted.length,
    heldOutPosts: heldOut.length,
    intentPosts: intentPosts.length,
    sentimentPosts: sentimentPosts.length,
    examplesAdded: { intent: intentPosts.length * weight, sentiment: sentimentPosts.length * weight },
    replacedLabelled: { intent: 0, sentiment: 0 },
    skippedEvalTexts: skipped.size,
    weight,
    holdoutPercent: HOLDOUT_PERCENT,
  };
  return {
    posts: sorted,
    train,
    heldOut,
    report,
    intent(labelled) {
      const keys = new Set(intentPosts.map((p) => matchKey(p.text)));
      const kept = labelled.filter((d) => !keys.has(matchKey(d.text)));
      report.replacedLabelled.intent = labelled.length - kept.length;
      const added: IntentExample[] = [];
      for (let c = 0; c < weight; c++) {
        for (const p of intentPosts) {
          added.push({ source: 'feedback', id: String(p.postId), text: p.text, intent: INTENT_LABELS.indexOf(p.intent), needsReply: p.needsReply >= 0.5 ? 1 : 0, split: 'train' });
        }
      }
      return [...kept, ...added];
    },
    sentiment(pool) {
      const keys = new Set(sentimentPosts.map((p) => matchKey(p.text)));
      const kept = pool.filter((d) => !keys.has(matchKey(d.text)));
      report.replacedLabelled.sentiment = pool.length - kept.length;
      const added: LabelledText[] = [];
      for (let c = 0; c < weight; c++) for (const p of sentimentPosts) added.push({ text: anonymise(p.text), label: SENTIMENT_LABELS.indexOf(p.sentiment) });
      return [...kept, ...added];
    },
  };
}

export interface Agreement {
  /** Corrections of this field among the posts. */
  n: number;
  /** How many the model now labels as the agent did. */
  agree: number;
  rate: number;
}

export interface CorrectionAgreement {
  posts: number;
  intent: Agreement;
  sentiment: Agreement;
  needsReply: Agreement;
}

/** How often the models label the posts as the agents corrected them, per corrected field. */
export function correctionAgreement(posts: readonly CorrectedPost[], models: { intent: IntentModel; sentiment: SentimentModel }): CorrectionAgreement {
  const count = { intent: [0, 0], sentiment: [0, 0], needsReply: [0, 0] };
  for (const p of posts) {
    for (const c of p.corrections) {
      if (c.field === 'intent') {
        count.intent[0]!++;
        if (models.intent.predict(p.text).intent === c.correctedValue) count.intent[1]!++;
      } else if (c.field === 'needs_reply') {
        count.needsReply[0]!++;
        if (models.intent.predict(p.text).needsReply >= 0.5 === correctedNeedsReply(c)) count.needsReply[1]!++;
      } else {
        count.sentiment[0]!++;
        if (SENTIMENT_LABELS[models.sentiment.predictIndex(p.text)] === c.correctedValue) count.sentiment[1]!++;
      }
    }
  }
  const a = ([n, agree]: number[]): Agreement => ({ n: n!, agree: agree!, rate: n! > 0 ? agree! / n! : 0 });
  return { posts: posts.length, intent: a(count.intent), sentiment: a(count.sentiment), needsReply: a(count.needsReply) };
}

export interface StandardScores {
  /** TweetEval sentiment test, the model alone. */
  sentimentTest: Pick<Metrics, 'n' | 'macroRecall' | 'accuracy' | 'macroF1'>;
  /** The intent test split of training/intent/labels.csv. */
  intentTest: Pick<Metrics, 'n' | 'macroF1' | 'accuracy'>;
  needsReply: BinaryMetrics;
}

/** The numbers `earshot eval` reports, without the speed runs: what before/after compares. */
export function standardScores(models: { intent: IntentModel; sentiment: SentimentModel }, sharedDir: string): StandardScores {
  const tweets = readTweetEval(sharedDir, 'test');
  const s = computeMetrics(
    tweets.map((d) => d.label),
    tweets.map((d) => models.sentiment.predictIndex(d.text)),
    3,
  );
  const test = readIntentSet(sharedDir).filter((d) => d.split === 'test');
  const preds = test.map((d) => models.intent.predict(d.text));
  const i = computeMetrics(
    test.map((d) => d.intent),
    preds.map((p) => p.index),
    INTENT_LABELS.length,
  );
  const nr = binaryMetrics(
    preds.map((p) => p.needsReply),
    test.map((d) => d.needsReply),
    0.5,
  );
  return {
    sentimentTest: { n: s.n, macroRecall: s.macroRecall, accuracy: s.accuracy, macroF1: s.macroF1 },
    intentTest: { n: i.n, macroF1: i.macroF1, accuracy: i.accuracy },
    needsReply: nr,
  };
}
