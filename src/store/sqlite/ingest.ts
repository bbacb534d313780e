import type BetterSqlite3 from 'better-sqlite3';
import {
  brandAccountOf,
  brandAddressed,
  decideThread,
  isNoise,
  statusAfterInbound,
  statusAfterOutbound,
  withHistory,
  type BrandIndex,
  type ConversationStatus,
  type EarshotEvent,
  type IngestOutcome,
  type NormalizedPost,
  type TriageResult,
  type TriagedPost,
} from '../../core/index.js';

type Row = Record<string, unknown>;

/**
 * The hot write path on SQLite: one synchronous transaction per batch with prepared statements (better-sqlite3
 * is synchronous, so going through an async query builder here would cost most of the throughput).
 * Dedupe on (network, external_id), identity and customer upsert, threading, conversation aggregates, FTS (by trigger).
 */
export class SqliteIngester {
  private readonly s;
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly brands: () => BrandIndex,
    /** Registers a brand account seen in a source that states direction (e.g. TWCS) but is not configured. */
    private readonly registerBrandAccount: (p: NormalizedPost) => void,
  ) {
    this.s = {
      postExists: db.prepare('SELECT id FROM posts WHERE network = ? AND external_id = ?').pluck(),
      identity: db.prepare('SELECT id, customer_id, handle, display_name, followers, verified FROM identities WHERE network = ? AND external_id = ?'),
      insertIdentity: db.prepare(
        'INSERT INTO identities (customer_id, network, external_id, handle, display_name, followers, verified, brand_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateIdentity: db.prepare('UPDATE identities SET handle = ?, display_name = ?, followers = ?, verified = ?, customer_id = COALESCE(customer_id, ?) WHERE id = ?'),
      insertCustomer: db.prepare('INSERT INTO customers (display_name, created_at) VALUES (?, ?)'),
      parent: db.prepare(
        `SELECT p.id, p.conversation_id, p.direction, c.customer_id, c.status, c.brand_id
           FROM posts p LEFT JOIN conversations c ON c.id = p.conversation_id
          WHERE p.network = ? AND p.external_id = ?`,
      ),
      active: db.prepare(
        `SELECT id, status, brand_id FROM conversations
          WHERE customer_id = ? AND (brand_id IS ? OR brand_id IS NULL) AND status IN ('new', 'open', 'pending')
          ORDER BY (brand_id IS ?) DESC, id DESC LIMIT 1`,
      ),
      conv: db.prepare('SELECT id, status, brand_id, priority FROM conversations WHERE id = ?'),
      // The customer's other conversations with this brand (or unattributed), for the history part of priority.
      history: db.prepare(
        `SELECT COUNT(*) AS earlier, COALESCE(SUM(CASE WHEN intent = 'complaint' OR sentiment = 'negative' THEN 1 ELSE 0 END), 0) AS unhappy
           FROM conversations
          WHERE customer_id = ? AND status != 'dismissed' AND id != ? AND (? IS NULL OR brand_id IS NULL OR brand_id = ?)`,
      ),
      insertConversation: db.prepare(
        `INSERT INTO conversations (brand_id, customer_id, network, status, priority, intent, sentiment, preview, dismissed_reason,
           opened_at, last_inbound_at, post_count, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
      ),
      inboundUpdate: db.prepare(
        `UPDATE conversations SET status = ?, priority = MAX(priority, ?), intent = COALESCE(?, intent), sentiment = COALESCE(?, sentiment),
           brand_id = COALESCE(brand_id, ?), resolved_at = NULL, updated_at = ? WHERE id = ?`,
      ),
      outboundUpdate: db.prepare('UPDATE conversations SET status = ?, brand_id = COALESCE(brand_id, ?), updated_at = ? WHERE id = ?'),
      insertPost: db.prepare(
        `INSERT INTO posts (network, external_id, conversation_id, identity_id, direction, text, created_at, ingested_at, url, lang,
           in_reply_to_id, root_id, repost_of_id, quoted_id, is_private, mentions, hashtags, urls, source,
           sentiment, sentiment_score, intent, intent_score, needs_reply, priority, language, reasons, sent_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      detachedChildren: db.prepare(
        "SELECT id FROM posts WHERE network = ? AND in_reply_to_id = ? AND conversation_id IS NULL AND direction = 'outbound'",
      ).pluck(),
      attach: db.prepare('UPDATE posts SET conversation_id = ? WHERE id = ?'),
      childExternalId: db.prepare('SELECT network, external_id FROM posts WHERE id = ?'),
      // Aggregates are recomputed from the posts, so input that arrives out of order still gives the right times.
      aggregates: db.prepare(
        `UPDATE conversations SET
           post_count = (SELECT COUNT(*) FROM posts WHERE conversation_id = @id),
           opened_at = COALESCE((SELECT MIN(created_at) FROM posts WHERE conversation_id = @id AND direction = 'inbound'), opened_at),
           last_inbound_at = (SELECT MAX(created_at) FROM posts WHERE conversation_id = @id AND direction = 'inbound'),
           last_outbound_at = (SELECT MAX(created_at) FROM posts WHERE conversation_id = @id AND direction = 'outbound'),
           first_response_at = (SELECT MIN(o.created_at) FROM posts o WHERE o.conversation_id = @id AND o.direction = 'outbound'
              AND o.created_at >= (SELECT MIN(created_at) FROM posts WHERE conversation_id = @id AND direction = 'inbound')),
           waiting_since = (SELECT MIN(i.created_at) FROM posts i WHERE i.conversation_id = @id AND i.direction = 'inbound'
              AND i.created_at > COALESCE((SELECT MAX(created_at) FROM posts WHERE conversation_id = @id AND direction = 'outbound'), 0))
         WHERE id = @id`,
      ),
    };
  }

  ingest(batch: TriagedPost[], now: number): IngestOutcome {
    return this.db.transaction(() => this.ingestInTx(batch, now))();
  }

  private ingestInTx(batch: TriagedPost[], now: number): IngestOutcome {
    const s = this.s;
    const events: EarshotEvent[] = [];
    const touched = new Map<number, ConversationStatus | 'created'>();
    let stored = 0;
    let duplicates = 0;
    let conversationsCreated = 0;

    for (const { post, triage: classified } of batch) {
      let triage = classified;
      if (s.postExists.get(post.network, post.externalId) !== undefined) {
        duplicates++;
        continue;
      }
      let account = brandAccountOf(this.brands(), post);
      if (!account && post.direction === 'outbound') {
        this.registerBrandAccount(post);
        account = brandAccountOf(this.brands(), post);
      }
      const direction = post.direction ?? (account ? 'outbound' : 'inbound');
      const identity = this.upsertIdentity(post, direction === 'inbound', account?.brandId ?? null, now);
      const brandId = account?.brandId ?? brandAddressed(this.brands(), post);

      const parentRow = post.inReplyToId ? (s.parent.get(post.network, post.inReplyToId) as Row | undefined) : undefined;
      const parent = parentRow
        ? {
            conversationId: (parentRow.conversation_id as number | null) ?? null,
            customerId: (parentRow.customer_id as number | null) ?? null,
            conversationStatus: (parentRow.status as ConversationStatus | null) ?? null,
            parentIsBrand: parentRow.direction === 'outbound',
          }
        : null;

      let conversationId: number | null = null;
      const isRepost = post.repostOfId !== null;
      if (direction === 'outbound') {
        const d = decideThread({ direction, parent, activeConversation: null, customerId: null });
        if (d.kind === 'join') {
          conversationId = d.conversationId;
          const c = s.conv.get(conversationId) as Row;
          const status = statusAfterOutbound(c.status as ConversationStatus);
          s.outboundUpdate.run(status, brandId, now, conversationId);
          touched.set(conversationId, touched.get(conversationId) === 'created' ? 'created' : status);
        }
      } else if (!isRepost) {
        // Reposts are kept and counted but are not a customer talking, so they neither open nor join a conversation.
        const active = s.active.get(identity.customerId, brandId, brandId) as Row | undefined;
        const d = decideThread({
          direction,
          parent,
          activeConversation: active ? { id: active.id as number, status: active.status as ConversationStatus } : null,
          customerId: identity.customerId,
        });
        if (d.kind === 'join' || d.kind === 'open') triage = this.withCustomerHistory(triage, identity.customerId, d.kind === 'join' ? d.conversationId : 0, brandId);
        if (d.kind === 'join') {
          conversationId = d.conversationId;
          const c = s.conv.get(conversationId) as Row;
          const status = statusAfterInbound(c.status as ConversationStatus);
          // A noise post inside a real conversation does not overwrite the conversation's labels.
          const labels = isNoise(triage.intent) ? [null, null] : [triage.intent, triage.sentiment];
          s.inboundUpdate.run(status, triage.priority, labels[0], labels[1], brandId, now, conversationId);
          touched.set(conversationId, touched.get(conversationId) === 'created' ? 'created' : status);
        } else if (d.kind === 'open') {
          const noise = isNoise(triage.intent);
          const status: ConversationStatus = noise ? 'dismissed' : 'new';
          const reason = noise ? `triage: ${triage.intent.replace('_', ' ')}${triage.reasons[0] ? ` (${triage.reasons[0]})` : ''}` : null;
          const r = s.insertConversation.run(
            brandId,
            identity.customerId,
            post.network,
            status,
            triage.priority,
            triage.intent,
            triage.sentiment,
            post.text.slice(0, 280),
            reason,
            post.createdAt,
            post.createdAt,
            now,
          );
          conversationId = Number(r.lastInsertRowid);
          conversationsCreated++;
          touched.set(conversationId, 'created');
          events.push({ type: 'conversation.created', conversationId, brandId, status, at: now });
        }
      }

      const r = s.insertPost.run(
        post.network,
        post.externalId,
        conversationId,
        identity.id,
        direction,
        post.text,
        post.createdAt,
        now,
        post.url,
        post.lang,
        post.inReplyToId,
        post.rootId,
        post.repostOfId,
        post.quotedId,
        post.isPrivate ? 1 : 0,
        JSON.stringify(post.mentions),
        JSON.stringify(post.hashtags),
        JSON.stringify(post.urls),
        post.source,
        triage.sentiment,
        triage.sentimentScore,
        triage.intent,
        triage.intentScore,
        triage.needsReply,
        triage.priority,
        triage.language,
        JSON.stringify(triage.reasons),
        null,
      );
      const postId = Number(r.lastInsertRowid);
      stored++;
      events.push({ type: 'post.stored', postId, conversationId, network: post.network, direction, at: now });
      if (conversationId !== null) this.attachDetachedReplies(post.network, post.externalId, conversationId, brandId, now, touched);
    }

    for (const [id, state] of touched) {
      s.aggregates.run({ id });
      if (state !== 'created') events.push({ type: 'conversation.updated', conversationId: id, status: state, at: now });
    }
    return { stored, duplicates, conversationsCreated, events };
  }

  /**
   * A customer post's priority with the customer's history added (core/priority.ts), and the reason saying so. Noise
   * is left alone without a query: history never lifts it.
   */
  private withCustomerHistory(triage: TriageResult, customerId: number, conversationId: number, brandId: number | null): TriageResult {
    if (customerId === 0 || isNoise(triage.intent)) return triage;
    const h = this.s.history.get(customerId, conversationId, brandId, brandId) as { earlier: number; unhappy: number };
    const { priority, reason } = withHistory(triage.priority, triage.intent, { earlier: Number(h.earlier), unhappy: Number(h.unhappy) });
    return reason === null ? triage : { ...triage, priority, reasons: [...triage.reasons, reason] };
  }

  /** Brand replies stored before the post they answer (out-of-order input) join its conversation once it arrives. */
  private attachDetachedReplies(network: string, externalId: string, conversationId: number, brandId: number | null, now: number, touched: Map<number, ConversationStatus | 'created'>) {
    const s = this.s;
    const queue = [externalId];
    for (let guard = 0; queue.length > 0 && guard < 1000; guard++) {
      const ext = queue.pop()!;
      for (const childId of s.detachedChildren.all(network, ext) as number[]) {
        s.attach.run(conversationId, childId);
        const c = s.conv.get(conversationId) as Row;
        const status = statusAfterOutbound(c.status as ConversationStatus);
        s.outboundUpdate.run(status, brandId, now, conversationId);
        if (touched.get(conversationId) !== 'created') touched.set(conversationId, status);
        const child = s.childExternalId.get(childId) as Row;
        queue.push(child.external_id as string);
      }
    }
  }

  private upsertIdentity(post: NormalizedPost, isCustomer: boolean, brandId: number | null, now: number): { id: number; customerId: number } {
    const s = this.s;
    let a = post.author;
    const row = s.identity.get(a.network, a.externalId) as Row | undefined;
    if (row) {
      // Jetstream names authors by DID only: a handle resolved since (connectors/bluesky/handle-sync.ts) is kept.
      if (a.handle.startsWith('did:') && !String(row.handle).startsWith('did:')) a = { ...a, handle: row.handle as string };
      let customerId = row.customer_id as number | null;
      if (customerId === null && isCustomer) customerId = Number(s.insertCustomer.run(a.displayName ?? a.handle, now).lastInsertRowid);
      const changed =
        row.handle !== a.handle ||
        (a.displayName !== null && row.display_name !== a.displayName) ||
        (a.followers !== null && row.followers !== a.followers) ||
        row.verified !== (a.verified ? 1 : 0) ||
        customerId !== row.customer_id;
      if (changed) {
        s.updateIdentity.run(a.handle, a.displayName ?? (row.display_name as string | null), a.followers ?? (row.followers as number | null), a.verified ? 1 : 0, customerId, row.id);
      }
      return { id: row.id as number, customerId: customerId ?? 0 };
    }
    const customerId = isCustomer ? Number(s.insertCustomer.run(a.displayName ?? a.handle, now).lastInsertRowid) : null;
    const r = s.insertIdentity.run(customerId, a.network, a.externalId, a.handle, a.displayName, a.followers, a.verified ? 1 : 0, brandId);
    return { id: Number(r.lastInsertRowid), customerId: customerId ?? 0 };
  }
}
