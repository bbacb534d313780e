import type { Conversation, ConversationStatus } from './conversation.js';
import type { LabelCorrection } from './corrections.js';
import type { Network } from './network.js';
import type { Direction } from './post.js';
import type { Intent, Sentiment } from './triage.js';

/** A brand (a company Earshot listens for), with its accounts on each network and the names customers use for it. */
export interface Brand {
  id: number;
  name: string;
  /** Words and misspellings that mean this brand even when its handle is not tagged. */
  keywords: string[];
}

export interface BrandAccount {
  id: number;
  brandId: number;
  network: Network;
  handle: string;
  /** User id on the network, when known. */
  externalId: string | null;
}

/** One person across networks. */
export interface Customer {
  id: number;
  displayName: string | null;
  createdAt: number;
}

/** A customer's identity on one network. */
export interface Identity {
  id: number;
  customerId: number | null;
  network: Network;
  externalId: string;
  handle: string;
  displayName: string | null;
  followers: number | null;
  verified: boolean;
  /** Set when this identity is one of a brand's own accounts. */
  brandId: number | null;
}

/** A stored post, as the API and the desk see it. */
export interface PostRecord {
  id: number;
  network: Network;
  externalId: string;
  url: string | null;
  conversationId: number | null;
  direction: Direction;
  text: string;
  createdAt: number;
  ingestedAt: number;
  author: { handle: string; displayName: string | null; externalId: string; followers: number | null; verified: boolean };
  inReplyToId: string | null;
  lang: string | null;
  sentiment: Sentiment;
  sentimentScore: number;
  intent: Intent;
  intentScore: number;
  needsReply: number;
  priority: number;
  language: string;
  reasons: string[];
  /** For outbound posts sent from the desk: who wrote it. */
  sentBy: string | null;
  isPrivate: boolean;
  /** Labels an agent corrected (the fields above already show the corrected values); absent when none. */
  corrections?: LabelCorrection[];
}

export interface ConversationSummary extends Conversation {
  customer: { id: number; handle: string; displayName: string | null; network: Network };
  brandName: string | null;
  assigneeName: string | null;
  lastPostAt: number;
  /** What the queue sorts by: `priority` plus time waiting for the brand's answer (see core/priority.ts). */
  queuePriority: number;
}

export interface ConversationDetail {
  conversation: ConversationSummary;
  posts: PostRecord[];
  replies: ReplyRecord[];
  customer: {
    id: number;
    displayName: string | null;
    identities: Identity[];
    /** Earlier and other conversations of the same customer, newest first. */
    conversations: Array<Pick<Conversation, 'id' | 'status' | 'preview' | 'openedAt' | 'network' | 'intent' | 'sentiment'>>;
  };
}

export type ReplyStatus = 'queued' | 'sending' | 'sent' | 'failed';

/** An outbound post waiting in, or delivered from, the outbox. */
export interface ReplyRecord {
  id: number;
  conversationId: number;
  network: Network;
  /** The brand account that speaks (chosen when the reply is queued). */
  accountHandle: string;
  text: string;
  inReplyToExternalId: string | null;
  isPrivate: boolean;
  status: ReplyStatus;
  attempts: number;
  lastError: string | null;
  externalId: string | null;
  postId: number | null;
  createdBy: number | null;
  createdByName: string | null;
  createdAt: number;
  sentAt: number | null;
  nextAttemptAt: number;
}

export interface QuarantineRecord {
  id: number;
  source: string;
  line: number | null;
  reason: string;
  /** The start of the rejected payload, as text (at most a few KB). */
  sample: string;
  receivedAt: number;
}

export interface ConversationFilter {
  status?: ConversationStatus[];
  intent?: Intent[];
  sentiment?: Sentiment[];
  network?: Network[];
  brandId?: number;
  assigneeId?: number | null;
  /** Full-text search on post text. */
  q?: string;
  limit: number;
  offset: number;
}

export type Role = 'admin' | 'lead' | 'agent' | 'viewer';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Appended to replies, e.g. `^AB`. */
  signature: string | null;
  disabled: boolean;
  createdAt: number;
}
