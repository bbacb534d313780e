import type { CorrectedPost, LabelCorrectionInput } from './corrections.js';
import type { EarshotEvent } from './events.js';
import type { ConnectorState } from './events.js';
import type { Network } from './network.js';
import type { NormalizedPost } from './post.js';
import type {
  Brand,
  BrandAccount,
  ConversationDetail,
  ConversationFilter,
  ConversationSummary,
  PostRecord,
  QuarantineRecord,
  ReplyRecord,
  User,
} from './records.js';
import type { TriageResult } from './triage.js';

/** A post with its triage labels, ready to be threaded and stored. */
export interface TriagedPost {
  post: NormalizedPost;
  triage: TriageResult;
}

export interface IngestOutcome {
  stored: number;
  duplicates: number;
  conversationsCreated: number;
  /** Events to publish once the batch is committed. */
  events: EarshotEvent[];
}

export interface QuarantineInput {
  source: string;
  line: number | null;
  reason: string;
  sample: string;
}

export interface NewReply {
  conversationId: number;
  text: string;
  createdBy: number | null;
  isPrivate?: boolean;
}

export interface SentPost {
  externalId: string;
  url: string | null;
  /** The post as the network created it, so it can be stored in the thread at once. */
  post: NormalizedPost;
}

export interface StoreStats {
  posts: number;
  conversations: number;
  customers: number;
  quarantined: number;
  repliesQueued: number;
}

/** Persistence. One interface, served by SQLite (embedded default) and PostgreSQL. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;

  /** Dedupe on (network, external id), thread, and store a batch in one transaction. */
  ingest(batch: TriagedPost[]): Promise<IngestOutcome>;
  quarantine(items: QuarantineInput[]): Promise<void>;
  listQuarantine(opts: { limit: number; offset: number }): Promise<{ items: QuarantineRecord[]; total: number }>;

  listBrands(): Promise<Brand[]>;
  upsertBrand(b: { name: string; keywords: string[] }): Promise<Brand>;
  listBrandAccounts(): Promise<BrandAccount[]>;
  upsertBrandAccount(a: { brandId: number; network: Network; handle: string; externalId: string | null }): Promise<BrandAccount>;
  /**
   * Handles learnt after the fact (Bluesky posts carry only the author's DID): each identity of `network` with that
   * external id takes the handle, and the display name when one is given; a customer whose display name was still the
   * identity's old handle or external id (or empty) takes the new display name (or handle). Unknown identities are
   * skipped. Returns `conversation.updated` for the affected customers' conversations (the latest 200), so desks refresh.
   */
  updateIdentityHandles(network: Network, updates: Array<{ externalId: string; handle: string; displayName: string | null }>): Promise<EarshotEvent[]>;

  listConversations(f: ConversationFilter): Promise<{ items: ConversationSummary[]; total: number }>;
  getConversation(id: number): Promise<ConversationDetail | null>;
  setConversationStatus(id: number, status: ConversationSummary['status'], byUserId: number | null): Promise<EarshotEvent[]>;

  /**
   * An agent corrects a post's labels: the post shows the corrected values from now on, and one correction per
   * (post, field) keeps what the model said (a later correction replaces the earlier one's value, never the model's).
   * Not found for an unknown post; validation_failed for a brand's own (outbound) post.
   */
  correctLabels(postId: number, input: LabelCorrectionInput, byUserId: number | null): Promise<{ post: PostRecord; events: EarshotEvent[] }>;
  /** A conversation dismissed as noise: `needs_reply = false` for its inbound posts the model said needed a reply. Returns how many. */
  recordDismissal(conversationId: number, byUserId: number | null): Promise<number>;
  /** Every corrected post with its text, current labels and corrections, by post id (deterministic for training). */
  listCorrectedPosts(): Promise<CorrectedPost[]>;

  /** Outbox: a reply is written here before any network call. */
  queueReply(r: NewReply): Promise<ReplyRecord>;
  /** Take due replies for sending (marks them `sending`). */
  claimReplies(now: number, limit: number): Promise<ReplyRecord[]>;
  markReplySent(id: number, sent: SentPost, now: number): Promise<EarshotEvent[]>;
  markReplyFailed(id: number, error: string, retryAt: number | null, now: number): Promise<EarshotEvent[]>;
  /** Replies left `sending` by a crash go back to the queue. */
  requeueStuckReplies(olderThan: number): Promise<number>;

  getUserByEmail(email: string): Promise<(User & { passwordHash: string }) | null>;
  getUser(id: number): Promise<User | null>;
  createUser(u: { email: string; name: string; role: User['role']; passwordHash: string; signature?: string | null }): Promise<User>;
  countUsers(): Promise<number>;
  createSession(s: { idHash: string; userId: number; expiresAt: number }): Promise<void>;
  getSession(idHash: string, now: number): Promise<User | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Expired sessions can no longer sign anyone in; this only keeps the table small. */
  deleteExpiredSessions(now: number): Promise<number>;
  createToken(t: { hash: string; userId: number; name: string }): Promise<void>;
  getUserByToken(hash: string): Promise<User | null>;

  getCursor(key: string): Promise<string | null>;
  setCursor(key: string, value: string): Promise<void>;

  stats(): Promise<StoreStats>;
}

/** In-process or distributed event bus. */
export interface Bus {
  publish(events: EarshotEvent[]): void;
  subscribe(handler: (e: EarshotEvent) => void): () => void;
  close(): Promise<void>;
}

/** A raw payload as it arrived from a network or a file, before normalization. */
export interface RawPayload {
  /** Format name (`x-v2`, `bluesky-jetstream`, `mastodon`, `twcs-csv`, `earshot-ndjson`); null = detect. */
  format: string | null;
  /** A JSON line / CSV record as text, or an already-parsed object. */
  data: string | Record<string, unknown>;
  /** Where it came from: a file path or a connector name. */
  source: string;
  /** Line number in the source file, when there is one. */
  line: number | null;
}

export interface ConnectorHealth {
  name: string;
  network: Network;
  state: ConnectorState;
  detail: string | null;
  since: number;
  attempt: number;
  nextRetryAt: number | null;
  received: number;
  sent: number;
}

export interface OutboundRequest {
  network: Network;
  /** The brand account that speaks. */
  account: { handle: string; externalId: string | null };
  text: string;
  inReplyToExternalId: string | null;
  isPrivate: boolean;
  /** Stable key for this reply, so a retry can be recognised and never posted twice. */
  idempotencyKey: string;
}

/** A live source of raw payloads and a way to answer on one network account. */
export interface Connector {
  readonly name: string;
  readonly network: Network;
  /** Start listening; raw payloads go to `sink`, which applies backpressure by returning a promise. */
  start(sink: (raw: RawPayload) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
  health(): ConnectorHealth;
  publish(req: OutboundRequest): Promise<SentPost>;
}

/** Labels a post. Pure and synchronous: it runs in the hot path. */
export interface Classifier {
  classify(post: Pick<NormalizedPost, 'text' | 'lang' | 'author' | 'mentions' | 'hashtags' | 'urls' | 'repostOfId'>): TriageResult;
}
