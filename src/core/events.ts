import type { ConversationStatus } from './conversation.js';
import type { Network } from './network.js';

/** Everything that the desk, alerts and webhooks can hear. Names are stable: they are part of the public API. */
export type EarshotEvent =
  | { type: 'conversation.created'; conversationId: number; brandId: number | null; status: ConversationStatus; at: number }
  | { type: 'conversation.updated'; conversationId: number; status: ConversationStatus; at: number }
  | { type: 'post.stored'; postId: number; conversationId: number | null; network: Network; direction: 'inbound' | 'outbound'; at: number }
  | { type: 'reply.queued'; replyId: number; conversationId: number; at: number }
  | { type: 'reply.sent'; replyId: number; conversationId: number; postId: number; at: number }
  | { type: 'reply.failed'; replyId: number; conversationId: number; error: string; retrying: boolean; at: number }
  | { type: 'connector.status'; connector: string; state: ConnectorState; detail: string | null; at: number }
  | { type: 'ingest.quarantined'; source: string; reason: string; at: number };

export type EventType = EarshotEvent['type'];

export type ConnectorState = 'starting' | 'connected' | 'reconnecting' | 'rate_limited' | 'auth_failed' | 'paused' | 'stopped';
