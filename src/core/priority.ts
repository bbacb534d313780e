/**
 * The parts of priority that the text of a post cannot know: who the customer has been to the brand, and how long
 * they have been waiting. Noise (core/triage.ts NOISE_INTENTS) is never lifted by either. The classifier scores the post itself (intent, sentiment, urgency words, reach); the store
 * adds the customer's history when the post is stored, and the queue adds time waiting when it is read, so a
 * conversation climbs while nobody answers it.
 */
import { isNoise, type Intent } from './triage.js';
/** A customer's earlier conversations with the brand (dismissed ones are not counted: they were noise). */
export interface CustomerHistory {
  /** Earlier conversations, not dismissed. */
  earlier: number;
  /** Of those, the ones that were complaints or negative. */
  unhappy: number;
}

export const HISTORY_RETURNING_POINTS = 4;
export const HISTORY_UNHAPPY_POINTS = 6;
export const HISTORY_MAX_POINTS = 16;

/**
 * +4 for a returning customer, +6 for each earlier unhappy conversation, at most +16: somebody who complained last
 * week and is back ranks above a stranger with the same words.
 */
export function historyPoints(intent: Intent, h: CustomerHistory): { points: number; reason: string | null } {
  if (isNoise(intent) || h.earlier <= 0) return { points: 0, reason: null };
  const points = Math.min(HISTORY_MAX_POINTS, HISTORY_RETURNING_POINTS + HISTORY_UNHAPPY_POINTS * Math.max(0, h.unhappy));
  const plural = h.earlier === 1 ? 'conversation' : 'conversations';
  const unhappy = h.unhappy > 0 ? `, ${h.unhappy} unhappy` : '';
  return { points, reason: `returning customer: ${h.earlier} earlier ${plural}${unhappy} (+${points})` };
}

/** A post's priority with the customer's history added, within 0..100 and the noise cap. */
export function withHistory(priority: number, intent: Intent, h: CustomerHistory): { priority: number; reason: string | null } {
  const { points, reason } = historyPoints(intent, h);
  if (points === 0) return { priority, reason: null };
  return { priority: Math.min(100, priority + points), reason };
}

/** One point for every ten minutes a customer has waited for an answer, at most 24 (four hours). */
export const WAITING_MS_PER_POINT = 10 * 60 * 1000;
export const WAITING_MAX_POINTS = 24;

/** Points for time waiting since the first unanswered customer post; none when nobody is waiting. */
export function waitingPoints(waitingSince: number | null, now: number): number {
  if (waitingSince === null || now <= waitingSince) return 0;
  return Math.min(WAITING_MAX_POINTS, Math.floor((now - waitingSince) / WAITING_MS_PER_POINT));
}

/**
 * The priority the queue sorts by: the highest priority of the conversation's posts (history included) plus time
 * waiting while the conversation is the brand's to answer (`new` or `open`). Pending, resolved and dismissed
 * conversations are not waiting on the brand.
 */
export function queuePriority(c: { priority: number; status: string; waitingSince: number | null }, now: number): number {
  const waiting = c.status === 'new' || c.status === 'open' ? waitingPoints(c.waitingSince, now) : 0;
  return Math.min(100, c.priority + waiting);
}
