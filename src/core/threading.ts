import type { ConversationStatus } from './conversation.js';
import { ACTIVE_STATUSES } from './conversation.js';

/** What the store knows about the post a new post answers, if it has it. */
export interface ParentInfo {
  conversationId: number | null;
  customerId: number | null;
  conversationStatus: ConversationStatus | null;
  /** The parent was written by one of the brand's accounts. */
  parentIsBrand: boolean;
}

export interface ThreadContext {
  direction: 'inbound' | 'outbound';
  /** The parent post, when this post is a reply and the parent is stored. */
  parent: ParentInfo | null;
  /** The customer's latest conversation with the same brand that is still active, if any. */
  activeConversation: { id: number; status: ConversationStatus } | null;
  /** Reposts and other noise never open a conversation of their own when they are outbound. */
  customerId: number | null;
}

export type ThreadDecision =
  | { kind: 'join'; conversationId: number; reason: 'reply-chain' | 'active-conversation' }
  | { kind: 'open'; reason: 'new-customer-post' }
  /** Outbound post with no stored parent: kept, and attached later if its parent arrives (out-of-order input). */
  | { kind: 'detached'; reason: 'outbound-without-parent' | 'outbound-broadcast' };

/**
 * Decide where a post belongs. Pure: the store gathers the context, this makes the call.
 * - Outbound (the brand's own) posts never open a conversation: that is what stops echo loops.
 * - A reply joins the conversation of the post it answers when it is the same customer's thread.
 * - A customer's new post joins their active conversation with the brand, else opens a new one.
 */
export function decideThread(ctx: ThreadContext): ThreadDecision {
  const { parent } = ctx;
  if (ctx.direction === 'outbound') {
    if (parent?.conversationId != null) return { kind: 'join', conversationId: parent.conversationId, reason: 'reply-chain' };
    return { kind: 'detached', reason: parent ? 'outbound-broadcast' : 'outbound-without-parent' };
  }
  if (parent?.conversationId != null && (parent.customerId === ctx.customerId || parent.customerId === null)) {
    return { kind: 'join', conversationId: parent.conversationId, reason: 'reply-chain' };
  }
  if (ctx.activeConversation && ACTIVE_STATUSES.has(ctx.activeConversation.status)) {
    return { kind: 'join', conversationId: ctx.activeConversation.id, reason: 'active-conversation' };
  }
  return { kind: 'open', reason: 'new-customer-post' };
}
