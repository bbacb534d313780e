import { sql, type Kysely } from 'kysely';
import {
  EarshotError,
  NotFoundError,
  ValidationError,
  canTransition,
  type Brand,
  type BrandAccount,
  type ConversationDetail,
  type ConversationFilter,
  type ConversationStatus,
  type ConversationSummary,
  type EarshotEvent,
  type IngestOutcome,
  type Network,
  type NewReply,
  type QuarantineInput,
  type QuarantineRecord,
  type ReplyRecord,
  type SentPost,
  type Store,
  type StoreStats,
  type TriagedPost,
  type User,
  type CorrectedPost,
  type LabelCorrectionInput,
  type PostRecord,
  WAITING_MAX_POINTS,
  WAITING_MS_PER_POINT,
  queuePriority,
} from '../core/index.js';
import { correctLabels, listCorrectedPosts, recordDismissal, withCorrections } from './corrections.js';
import type { Dialect } from './migrations.js';
import { selectPostsWithAuthors } from './post-query.js';
import { parseList, toConversation, toIdentity, toPost, toQuarantine, toReply, toUser, type PostRow } from './rows.js';
import type { Database } from './schema.js';

const SAMPLE_MAX = 4000;

/**
 * core/priority.ts's `queuePriority` in SQL, so the database sorts the queue the way the desk shows it (CASE rather
 * than MIN/LEAST, which the dialects spell differently; the 100 cap is left out, it does not change the order).
 */
function queuePriorityExpression(now: number) {
  const full = WAITING_MAX_POINTS * WAITING_MS_PER_POINT;
  return sql<number>`c.priority + CASE
      WHEN c.status NOT IN ('new', 'open') OR c.waiting_since IS NULL OR c.waiting_since >= ${now} THEN 0
      WHEN ${now} - c.waiting_since >= ${full} THEN ${WAITING_MAX_POINTS}
      ELSE CAST((${now} - c.waiting_since) / ${WAITING_MS_PER_POINT} AS INTEGER) END`;
}

/**
 * Everything the Store does through Kysely, so that SQLite and PostgreSQL share one code path. Each dialect adds only
 * its bulk ingest and its full-text predicate.
 */
export abstract class KyselyStore implements Store {
  abstract readonly dialect: Dialect;
  constructor(protected readonly db: Kysely<Database>) {}

  abstract ingest(batch: TriagedPost[]): Promise<IngestOutcome>;
  abstract close(): Promise<void>;
  /** SQL predicate "posts.id matches the full-text query", or null when the query has no searchable words. */
  protected abstract fullTextPostIds(q: string): ReturnType<typeof sql<number>> | null;

  async quarantine(items: QuarantineInput[]): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    // Chunks keep each statement well under the databases' bound-parameter limits; a record already quarantined
    // from the same file and line for the same reason (a file replayed twice) is not stored again.
    for (let i = 0; i < items.length; i += 500) {
      await this.db
        .insertInto('quarantine')
        .values(items.slice(i, i + 500).map((q) => ({ source: q.source, line: q.line, reason: q.reason, sample: q.sample.slice(0, SAMPLE_MAX), received_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  async listQuarantine(o: { limit: number; offset: number }): Promise<{ items: QuarantineRecord[]; total: number }> {
    const rows = await this.db.selectFrom('quarantine').selectAll().orderBy('id', 'desc').limit(o.limit).offset(o.offset).execute();
    const total = await this.db.selectFrom('quarantine').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { items: rows.map(toQuarantine), total: Number(total.n) };
  }

  async listBrands(): Promise<Brand[]> {
    const rows = await this.db.selectFrom('brands').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), name: r.name, keywords: parseList(r.keywords) }));
  }

  async upsertBrand(b: { name: string; keywords: string[] }): Promise<Brand> {
    await this.db
      .insertInto('brands')
      .values({ name: b.name, keywords: JSON.stringify(b.keywords) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ keywords: JSON.stringify(b.keywords) }))
      .execute();
    const r = await this.db.selectFrom('brands').selectAll().where('name', '=', b.name).executeTakeFirstOrThrow();
    return { id: Number(r.id), name: r.name, keywords: parseList(r.keywords) };
  }

  async listBrandAccounts(): Promise<BrandAccount[]> {
    const rows = await this.db.selectFrom('brand_accounts').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), brandId: Number(r.brand_id), network: r.network as Network, handle: r.handle, externalId: r.external_id }));
  }

  async upsertBrandAccount(a: { brandId: number; network: Network; handle: string; externalId: string | null }): Promise<BrandAccount> {
    const handleLc = a.handle.toLowerCase();
    await this.db
      .insertInto('brand_accounts')
      .values({ brand_id: a.brandId, network: a.network, handle: a.handle, handle_lc: handleLc, external_id: a.externalId })
      .onConflict((oc) => oc.columns(['network', 'handle_lc']).doUpdateSet({ brand_id: a.brandId, handle: a.handle, external_id: a.externalId }))
      .execute();
    const r = await this.db.selectFrom('brand_accounts').selectAll().where('network', '=', a.network).where('handle_lc', '=', handleLc).executeTakeFirstOrThrow();
    // The brand's own identity is marked so its posts are never taken for a customer's.
    if (a.externalId) await this.db.updateTable('identities').set({ brand_id: a.brandId }).where('network', '=', a.network).where('external_id', '=', a.externalId).execute();
    return { id: Number(r.id), brandId: Number(r.brand_id), network: r.network as Network, handle: r.handle, externalId: r.external_id };
  }

  private filtered(f: Omit<ConversationFilter, 'limit' | 'offset'>) {
    let q = this.db.selectFrom('conversations as c');
    if (f.status?.length) q = q.where('c.status', 'in', f.status);
    if (f.intent?.length) q = q.where('c.intent', 'in', f.intent);
    if (f.sentiment?.length) q = q.where('c.sentiment', 'in', f.sentiment);
    if (f.network?.length) q = q.where('c.network', 'in', f.network);
    if (f.brandId !== undefined) q = q.where('c.brand_id', '=', f.brandId);
    if (f.assigneeId !== undefined) q = f.assigneeId === null ? q.where('c.assignee_id', 'is', null) : q.where('c.assignee_id', '=', f.assigneeId);
    if (f.q) {
      const ids = this.fullTextPostIds(f.q);
      if (ids) q = q.where('c.id', 'in', this.db.selectFrom('posts').select('posts.conversation_id').where('posts.id', 'in', ids).where('posts.conversation_id', 'is not', null).$castTo<{ conversation_id: number }>());
    }
    return q;
  }

  async updateIdentityHandles(network: Network, updates: Array<{ externalId: string; handle: string; displayName: string | null }>): Promise<EarshotEvent[]> {
    if (updates.length === 0) return [];
    const customerIds = new Set<number>();
    await this.db.transaction().execute(async (tx) => {
      for (const u of updates) {
        const row = await tx
          .selectFrom('identities')
          .select(['id', 'customer_id', 'handle', 'display_name'])
          .where('network', '=', network)
          .where('external_id', '=', u.externalId)
          .executeTakeFirst();
        if (!row) continue;
        const displayName = u.displayName ?? row.display_name;
        if (row.handle === u.handle && row.display_name === displayName) continue;
        await tx.updateTable('identities').set({ handle: u.handle, display_name: displayName }).where('id', '=', row.id).execute();
        if (row.customer_id === null) continue;
        customerIds.add(Number(row.customer_id));
        await tx
          .updateTable('customers')
          .set({ display_name: u.displayName ?? u.handle })
          .where('id', '=', row.customer_id)
          .where((eb) => eb.or([eb('display_name', 'is', null), eb('display_name', '=', ''), eb('display_name', '=', u.externalId), eb('display_name', '=', row.handle)]))
          .execute();
      }
    });
    if (customerIds.size === 0) return [];
    const now = Date.now();
    const convs = await this.db
      .selectFrom('conversations')
      .select(['id', 'status'])
      .where('customer_id', 'in', [...customerIds])
      .orderBy('id', 'desc')
      .limit(200)
      .execute();
    return convs.map((c) => ({ type: 'conversation.updated' as const, conversationId: Number(c.id), status: c.status as ConversationStatus, at: now }));
  }

  async listConversations(f: ConversationFilter): Promise<{ items: ConversationSummary[]; total: number }> {
    const now = Date.now();
    const rows = await this.filtered(f)
      .selectAll('c')
      .orderBy(queuePriorityExpression(now), 'desc')
      .orderBy('c.updated_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    const total = await this.filtered(f).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { items: await this.summaries(rows, now), total: Number(total.n) };
  }

  private async summaries(rows: Array<Parameters<typeof toConversation>[0]>, now = Date.now()): Promise<ConversationSummary[]> {
    if (rows.length === 0) return [];
    const customerIds = [...new Set(rows.map((r) => Number(r.customer_id)))];
    const idents = await this.db.selectFrom('identities').selectAll().where('customer_id', 'in', customerIds).orderBy('id').execute();
    const brands = new Map((await this.listBrands()).map((b) => [b.id, b.name]));
    const assigneeIds = [...new Set(rows.map((r) => r.assignee_id).filter((v): v is number => v !== null))];
    const users = assigneeIds.length ? await this.db.selectFrom('users').select(['id', 'name']).where('id', 'in', assigneeIds).execute() : [];
    const userNames = new Map(users.map((u) => [Number(u.id), u.name]));
    return rows.map((r) => {
      const c = toConversation(r);
      const mine = idents.filter((i) => Number(i.customer_id) === c.customerId);
      const ident = mine.find((i) => i.network === c.network) ?? mine[0];
      return {
        ...c,
        customer: { id: c.customerId, handle: ident?.handle ?? '?', displayName: ident?.display_name ?? null, network: (ident?.network as Network) ?? c.network },
        brandName: c.brandId !== null ? (brands.get(c.brandId) ?? null) : null,
        assigneeName: c.assigneeId !== null ? (userNames.get(c.assigneeId) ?? null) : null,
        lastPostAt: Math.max(c.lastInboundAt ?? 0, c.lastOutboundAt ?? 0, c.openedAt),
        queuePriority: queuePriority(c, now),
      };
    });
  }

  async getConversation(id: number): Promise<ConversationDetail | null> {
    const row = await this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const [summary] = await this.summaries([row]);
    const posts = (await selectPostsWithAuthors(this.db)
      .where('p.conversation_id', '=', id)
      .orderBy('p.created_at')
      .orderBy('p.id')
      .execute()) as PostRow[];
    const replies = await this.db
      .selectFrom('replies as r')
      .leftJoin('users as u', 'u.id', 'r.created_by')
      .selectAll('r')
      .select('u.name as created_by_name')
      .where('r.conversation_id', '=', id)
      .orderBy('r.id')
      .execute();
    const identities = await this.db.selectFrom('identities').selectAll().where('customer_id', '=', row.customer_id).orderBy('id').execute();
    const others = await this.db
      .selectFrom('conversations')
      .select(['id', 'status', 'preview', 'opened_at', 'network', 'intent', 'sentiment'])
      .where('customer_id', '=', row.customer_id)
      .where('id', '!=', id)
      .orderBy('opened_at', 'desc')
      .limit(50)
      .execute();
    const customer = await this.db.selectFrom('customers').selectAll().where('id', '=', row.customer_id).executeTakeFirst();
    return {
      conversation: summary!,
      posts: await withCorrections(this.db, posts.map(toPost)),
      replies: replies.map(toReply),
      customer: {
        id: Number(row.customer_id),
        displayName: customer?.display_name ?? null,
        identities: identities.map(toIdentity),
        conversations: others.map((o) => ({
          id: Number(o.id),
          status: o.status as ConversationStatus,
          preview: o.preview,
          openedAt: Number(o.opened_at),
          network: o.network as Network,
          intent: o.intent as ConversationSummary['intent'],
          sentiment: o.sentiment as ConversationSummary['sentiment'],
        })),
      },
    };
  }

  async setConversationStatus(id: number, status: ConversationStatus, byUserId: number | null): Promise<EarshotEvent[]> {
    const row = await this.db.selectFrom('conversations').select(['status']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`conversation ${id}`);
    if (!canTransition(row.status as ConversationStatus, status)) throw new EarshotError('conflict', `a conversation cannot go from ${row.status} to ${status}`);
    const now = Date.now();
    await this.db
      .updateTable('conversations')
      .set({
        status,
        updated_at: now,
        resolved_at: status === 'resolved' ? now : null,
        dismissed_reason: status === 'dismissed' ? 'dismissed by an agent' : null,
      })
      .where('id', '=', id)
      .execute();
    await this.audit(byUserId, 'conversation.status', `conversation:${id}`, { from: row.status, to: status });
    return [{ type: 'conversation.updated', conversationId: id, status, at: now }];
  }

  async correctLabels(postId: number, input: LabelCorrectionInput, byUserId: number | null): Promise<{ post: PostRecord; events: EarshotEvent[] }> {
    return correctLabels(this.db, postId, input, byUserId);
  }

  async recordDismissal(conversationId: number, byUserId: number | null): Promise<number> {
    return recordDismissal(this.db, conversationId, byUserId);
  }

  async listCorrectedPosts(): Promise<CorrectedPost[]> {
    return listCorrectedPosts(this.db);
  }

  async audit(userId: number | null, action: string, target: string | null, detail: unknown): Promise<void> {
    await this.db.insertInto('audit_log').values({ at: Date.now(), user_id: userId, action, target, detail: detail === undefined ? null : JSON.stringify(detail) }).execute();
  }

  async queueReply(r: NewReply): Promise<ReplyRecord> {
    const conv = await this.db.selectFrom('conversations').select(['id', 'network', 'brand_id', 'customer_id']).where('id', '=', r.conversationId).executeTakeFirst();
    if (!conv) throw new NotFoundError(`conversation ${r.conversationId}`);
    // Answer the customer's latest post, from the brand account on the same network.
    const target = await this.db
      .selectFrom('posts')
      .select(['external_id', 'network'])
      .where('conversation_id', '=', r.conversationId)
      .where('direction', '=', 'inbound')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const network = (target?.network ?? conv.network) as Network;
    let accountQuery = this.db.selectFrom('brand_accounts').select(['handle']).where('network', '=', network);
    if (conv.brand_id !== null) accountQuery = accountQuery.where('brand_id', '=', conv.brand_id);
    const account = await accountQuery.orderBy('id').executeTakeFirst();
    if (!account) throw new ValidationError(`no brand account on ${network} can answer this conversation; connect one first`);
    const now = Date.now();
    const inserted = await this.db
      .insertInto('replies')
      .values({
        conversation_id: r.conversationId,
        network,
        account_handle: account.handle,
        text: r.text,
        in_reply_to_external_id: target?.external_id ?? null,
        is_private: r.isPrivate ? 1 : 0,
        status: 'queued',
        attempts: 0,
        created_by: r.createdBy,
        created_at: now,
        next_attempt_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.db.updateTable('conversations').set({ status: 'open', updated_at: now }).where('id', '=', r.conversationId).where('status', '=', 'new').execute();
    await this.audit(r.createdBy, 'reply.queued', `conversation:${r.conversationId}`, { replyId: Number(inserted.id) });
    return this.getReply(Number(inserted.id));
  }

  async getReply(id: number): Promise<ReplyRecord> {
    const r = await this.db.selectFrom('replies as r').leftJoin('users as u', 'u.id', 'r.created_by').selectAll('r').select('u.name as created_by_name').where('r.id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`reply ${id}`);
    return toReply(r);
  }

  async claimReplies(now: number, limit: number): Promise<ReplyRecord[]> {
    return this.db.transaction().execute(async (tx) => {
      const due = await tx.selectFrom('replies').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', now).orderBy('id').limit(limit).execute();
      if (due.length === 0) return [];
      const ids = due.map((d) => d.id);
      await tx.updateTable('replies').set({ status: 'sending', attempts: sql`attempts + 1`, next_attempt_at: now }).where('id', 'in', ids).where('status', '=', 'queued').execute();
      const rows = await tx.selectFrom('replies').selectAll().where('id', 'in', ids).where('status', '=', 'sending').orderBy('id').execute();
      return rows.map((r) => toReply(r));
    });
  }

  async markReplySent(id: number, sent: SentPost, now: number): Promise<EarshotEvent[]> {
    const reply = await this.getReply(id);
    // The network's copy of the post is stored in the thread now; if the stream echoes it later, dedupe drops it.
    const outcome = await this.ingest([
      {
        post: { ...sent.post, direction: 'outbound' },
        triage: { language: 'und', sentiment: 'neutral', sentimentScore: 1, intent: 'chatter', intentScore: 1, needsReply: 0, priority: 0, reasons: ['sent from the desk'] },
      },
    ]);
    const post = await this.db.selectFrom('posts').select(['id', 'conversation_id']).where('network', '=', sent.post.network).where('external_id', '=', sent.externalId).executeTakeFirst();
    if (post) {
      await this.db.updateTable('posts').set({ sent_by: reply.createdBy, conversation_id: post.conversation_id ?? reply.conversationId }).where('id', '=', post.id).execute();
    }
    await this.db
      .updateTable('replies')
      .set({ status: 'sent', external_id: sent.externalId, post_id: post ? Number(post.id) : null, sent_at: now, last_error: null })
      .where('id', '=', id)
      .execute();
    await this.audit(reply.createdBy, 'reply.sent', `conversation:${reply.conversationId}`, { replyId: id, externalId: sent.externalId });
    return [...outcome.events, { type: 'reply.sent', replyId: id, conversationId: reply.conversationId, postId: post ? Number(post.id) : 0, at: now }];
  }

  async markReplyFailed(id: number, error: string, retryAt: number | null, now: number): Promise<EarshotEvent[]> {
    const reply = await this.getReply(id);
    await this.db
      .updateTable('replies')
      .set({ status: retryAt === null ? 'failed' : 'queued', last_error: error.slice(0, 1000), next_attempt_at: retryAt ?? now })
      .where('id', '=', id)
      .execute();
    await this.audit(null, retryAt === null ? 'reply.failed' : 'reply.retry', `conversation:${reply.conversationId}`, { replyId: id, error });
    return [{ type: 'reply.failed', replyId: id, conversationId: reply.conversationId, error, retrying: retryAt !== null, at: now }];
  }

  async requeueStuckReplies(olderThan: number): Promise<number> {
    const r = await this.db.updateTable('replies').set({ status: 'queued' }).where('status', '=', 'sending').where('next_attempt_at', '<', olderThan).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async getUserByEmail(email: string): Promise<(User & { passwordHash: string }) | null> {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  }

  async getUser(id: number): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async createUser(u: { email: string; name: string; role: User['role']; passwordHash: string; signature?: string | null }): Promise<User> {
    const r = await this.db
      .insertInto('users')
      .values({ email: u.email.trim().toLowerCase(), name: u.name, role: u.role, password_hash: u.passwordHash, signature: u.signature ?? null, disabled: 0, created_at: Date.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(r);
  }

  async countUsers(): Promise<number> {
    const r = await this.db.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async createSession(s: { idHash: string; userId: number; expiresAt: number }): Promise<void> {
    await this.db.insertInto('sessions').values({ id_hash: s.idHash, user_id: s.userId, expires_at: s.expiresAt, created_at: Date.now() }).execute();
  }

  async getSession(idHash: string, now: number): Promise<User | null> {
    const r = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .selectAll('u')
      .where('s.id_hash', '=', idHash)
      .where('s.expires_at', '>', now)
      .where('u.disabled', '=', 0)
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async createToken(t: { hash: string; userId: number; name: string }): Promise<void> {
    await this.db.insertInto('api_tokens').values({ hash: t.hash, user_id: t.userId, name: t.name, created_at: Date.now() }).execute();
  }

  async getUserByToken(hash: string): Promise<User | null> {
    const r = await this.db.selectFrom('api_tokens as t').innerJoin('users as u', 'u.id', 't.user_id').selectAll('u').where('t.hash', '=', hash).where('u.disabled', '=', 0).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async getCursor(key: string): Promise<string | null> {
    const r = await this.db.selectFrom('cursors').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value ?? null;
  }

  async setCursor(key: string, value: string): Promise<void> {
    const now = Date.now();
    await this.db.insertInto('cursors').values({ key, value, updated_at: now }).onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now })).execute();
  }

  async stats(): Promise<StoreStats> {
    const count = async (t: 'posts' | 'conversations' | 'customers' | 'quarantine') =>
      Number((await this.db.selectFrom(t).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const queued = await this.db.selectFrom('replies').select((e) => e.fn.countAll<number>().as('n')).where('status', 'in', ['queued', 'sending']).executeTakeFirstOrThrow();
    return { posts: await count('posts'), conversations: await count('conversations'), customers: await count('customers'), quarantined: await count('quarantine'), repliesQueued: Number(queued.n) };
  }
}
