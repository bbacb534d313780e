// The desk shares the server's record types. Only types may be imported from src/ (nothing runs from there).
export type {
  Brand,
  BrandAccount,
  ConversationDetail,
  ConversationSummary,
  Identity,
  PostRecord,
  ReplyRecord,
  ReplyStatus,
  User,
} from '../../src/core/records.ts';
export type { ConversationStatus } from '../../src/core/conversation.ts';
export type { Network } from '../../src/core/network.ts';
export type { Intent, Sentiment } from '../../src/core/triage.ts';
export type { EarshotEvent, EventType, ConnectorState } from '../../src/core/events.ts';
export type { ConnectorHealth } from '../../src/core/ports.ts';
