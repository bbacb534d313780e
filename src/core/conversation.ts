import type { Network } from './network.js';
import type { Intent, Sentiment } from './triage.js';

/**
 * new: nobody at the brand has acted yet; open: being worked; pending: the brand answered and waits on the customer;
 * resolved: done; dismissed: parked as noise (with a reason).
 */
export const CONVERSATION_STATUSES = ['new', 'open', 'pending', 'resolved', 'dismissed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** Statuses in which a customer's new post joins the conversation instead of opening another. */
export const ACTIVE_STATUSES: ReadonlySet<ConversationStatus> = new Set(['new', 'open', 'pending']);

export interface Conversation {
  id: number;
  brandId: number | null;
  customerId: number;
  /** Network of the post that opened it. */
  network: Network;
  status: ConversationStatus;
  assigneeId: number | null;
  tags: string[];
  priority: number;
  intent: Intent;
  sentiment: Sentiment;
  /** Text of the post that opened it, for lists. */
  preview: string;
  dismissedReason: string | null;
  openedAt: number;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  postCount: number;
  updatedAt: number;
  /** The customer's first post since the brand last answered; null when nobody is waiting on the brand. */
  waitingSince: number | null;
}

/** Milliseconds from the first customer post to the brand's first answer; null until answered. */
export function firstResponseMs(c: Pick<Conversation, 'openedAt' | 'firstResponseAt'>): number | null {
  return c.firstResponseAt === null ? null : Math.max(0, c.firstResponseAt - c.openedAt);
}

export function resolutionMs(c: Pick<Conversation, 'openedAt' | 'resolvedAt'>): number | null {
  return c.resolvedAt === null ? null : Math.max(0, c.resolvedAt - c.openedAt);
}

/** Status after a customer's post arrives in a conversation. Reopens resolved and dismissed ones it replies into. */
export function statusAfterInbound(s: ConversationStatus): ConversationStatus {
  switch (s) {
    case 'new':
      return 'new';
    case 'open':
    case 'pending':
    case 'resolved':
      return 'open';
    case 'dismissed':
      return 'dismissed';
  }
}

/** Status after the brand answers: the ball is in the customer's court. */
export function statusAfterOutbound(s: ConversationStatus): ConversationStatus {
  return s === 'resolved' || s === 'dismissed' ? s : 'pending';
}

/** Which status changes a person may make by hand. Anything may be reopened; nothing goes back to `new`. */
export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  if (from === to) return true;
  return to !== 'new';
}
