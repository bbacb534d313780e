import type { Selectable } from 'kysely';
import type {
  Conversation,
  ConversationStatus,
  Identity,
  Intent,
  Network,
  PostRecord,
  QuarantineRecord,
  ReplyRecord,
  ReplyStatus,
  Role,
  Sentiment,
  User,
} from '../core/index.js';
import type { Database } from './schema.js';

/** Row → record mappers shared by both dialects. PostgreSQL returns bigint as string, hence the Number() calls. */
const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : n(v));

export function parseList(v: string | null | undefined): string[] {
  if (!v) return [];
  try {
    const x: unknown = JSON.parse(v);
    return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export function toConversation(r: Selectable<Database['conversations']>): Conversation {
  return {
    id: n(r.id),
    brandId: nn(r.brand_id),
    customerId: n(r.customer_id),
    network: r.network as Network,
    status: r.status as ConversationStatus,
    assigneeId: nn(r.assignee_id),
    tags: parseList(r.tags),
    priority: n(r.priority),
    intent: r.intent as Intent,
    sentiment: r.sentiment as Sentiment,
    preview: r.preview,
    dismissedReason: r.dismissed_reason,
    openedAt: n(r.opened_at),
    lastInboundAt: nn(r.last_inbound_at),
    lastOutboundAt: nn(r.last_outbound_at),
    firstResponseAt: nn(r.first_response_at),
    resolvedAt: nn(r.resolved_at),
    postCount: n(r.post_count),
    updatedAt: n(r.updated_at),
    waitingSince: nn(r.waiting_since),
  };
}

export type PostRow = Selectable<Database['posts']> & {
  author_handle: string;
  author_display_name: string | null;
  author_external_id: string;
  author_followers: number | null;
  author_verified: number;
  sent_by_name: string | null;
};

export function toPost(r: PostRow): PostRecord {
  return {
    id: n(r.id),
    network: r.network as Network,
    externalId: r.external_id,
    url: r.url,
    conversationId: nn(r.conversation_id),
    direction: r.direction as PostRecord['direction'],
    text: r.text,
    createdAt: n(r.created_at),
    ingestedAt: n(r.ingested_at),
    author: {
      handle: r.author_handle,
      displayName: r.author_display_name,
      externalId: r.author_external_id,
      followers: nn(r.author_followers),
      verified: n(r.author_verified) === 1,
    },
    inReplyToId: r.in_reply_to_id,
    lang: r.lang,
    sentiment: r.sentiment as Sentiment,
    sentimentScore: n(r.sentiment_score),
    intent: r.intent as Intent,
    intentScore: n(r.intent_score),
    needsReply: n(r.needs_reply),
    priority: n(r.priority),
    language: r.language,
    reasons: parseList(r.reasons),
    sentBy: r.sent_by_name,
    isPrivate: n(r.is_private) === 1,
  };
}

export function toIdentity(r: Selectable<Database['identities']>): Identity {
  return {
    id: n(r.id),
    customerId: nn(r.customer_id),
    network: r.network as Network,
    externalId: r.external_id,
    handle: r.handle,
    displayName: r.display_name,
    followers: nn(r.followers),
    verified: n(r.verified) === 1,
    brandId: nn(r.brand_id),
  };
}

export function toReply(r: Selectable<Database['replies']> & { created_by_name?: string | null }): ReplyRecord {
  return {
    id: n(r.id),
    conversationId: n(r.conversation_id),
    network: r.network as Network,
    accountHandle: r.account_handle,
    text: r.text,
    inReplyToExternalId: r.in_reply_to_external_id,
    isPrivate: r.is_private === 1,
    status: r.status as ReplyStatus,
    attempts: n(r.attempts),
    lastError: r.last_error,
    externalId: r.external_id,
    postId: nn(r.post_id),
    createdBy: nn(r.created_by),
    createdByName: r.created_by_name ?? null,
    createdAt: n(r.created_at),
    sentAt: nn(r.sent_at),
    nextAttemptAt: n(r.next_attempt_at),
  };
}

export function toUser(r: Selectable<Database['users']>): User {
  return {
    id: n(r.id),
    email: r.email,
    name: r.name,
    role: r.role as Role,
    signature: r.signature,
    disabled: n(r.disabled) === 1,
    createdAt: n(r.created_at),
  };
}

export function toQuarantine(r: Selectable<Database['quarantine']>): QuarantineRecord {
  return { id: n(r.id), source: r.source, line: nn(r.line), reason: r.reason, sample: r.sample, receivedAt: n(r.received_at) };
}
