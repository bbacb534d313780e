/**
 * Label corrections: an agent says the model was wrong about a post (or dismisses it as noise). Each is stored once
 * per (post, field), keeping what the model said, so `earshot train --feedback` can learn from it and `earshot eval
 * --feedback` can measure against it.
 */
import type { Intent, Sentiment } from './triage.js';

export const LABEL_FIELDS = ['intent', 'sentiment', 'needs_reply'] as const;
export type LabelField = (typeof LABEL_FIELDS)[number];

/**
 * One stored correction. Values are text: an intent or sentiment name; for `needs_reply` the model's probability
 * (`"0.912"`) and the agent's answer `"true"` or `"false"`.
 */
export interface LabelCorrection {
  postId: number;
  field: LabelField;
  modelValue: string;
  correctedValue: string;
  userId: number | null;
  userName: string | null;
  createdAt: number;
}

/** What an agent may correct on a post; at least one field. */
export interface LabelCorrectionInput {
  intent?: Intent;
  sentiment?: Sentiment;
  needsReply?: boolean;
}

/** A corrected post with its text and current labels (the corrections applied), for training. */
export interface CorrectedPost {
  postId: number;
  text: string;
  intent: Intent;
  sentiment: Sentiment;
  /** 0..1; a corrected post holds 1 or 0. */
  needsReply: number;
  corrections: LabelCorrection[];
}

/** The `needs_reply` correction's value as a boolean. */
export function correctedNeedsReply(c: Pick<LabelCorrection, 'correctedValue'>): boolean {
  return c.correctedValue === 'true';
}
