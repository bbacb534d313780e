/**
 * Label corrections in the store (table `label_corrections`, migration 0003), shared by both dialects. The post row
 * takes the corrected value, so the desk and the queue show it; the correction row keeps what the model said.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  NotFoundError,
  ValidationError,
  isNoise,
  type ConversationStatus,
  type CorrectedPost,
  type EarshotEvent,
  type Intent,
  type LabelCorrection,
  type LabelCorrectionInput,
  type LabelField,
  type PostRecord,
  type Sentiment,
} from '../core/index.js';
import { selectPostsWithAuthors } from './post-query.js';
import { toPost, type PostRow } from './rows.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

interface Change {
  field: LabelField;
  model: string;
  corrected: string;
}

/** A later correction of the same field replaces the value, who and when; never the model's value. */
async function upsert(db: Db, postId: number, c: Change, userId: number | null, now: number): Promise<void> {
  await db
    .insertInto('label_corrections')
    .values({ post_id: postId, field: c.field, model_value: c.model, corrected_value: c.corrected, user_id: userId, created_at: now })
    .onConflict((oc) => oc.columns(['post_id', 'field']).doUpdateSet({ corrected_value: c.corrected, user_id: userId, created_at: now }))
    .execute();
}

/** The same labels ingest gives a conversation: its latest non-noise inbound post's, else its first inbound post's. */
async function relabelConversation(db: Db, conversationId: number): Promise<void> {
  const posts = await db
    .selectFrom('posts')
    .select(['intent', 'sentiment'])
    .where('conversation_id', '=', conversationId)
    .where('direction', '=', 'inbound')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const pick = posts.findLast((p) => !isNoise(p.intent as Intent)) ?? posts[0];
  if (pick) await db.updateTable('conversations').set({ intent: pick.intent, sentiment: pick.sentiment }).where('id', '=', conversationId).execute();
}

export async function loadPost(db: Db, id: number): Promise<PostRecord | null> {
  const row = (await selectPostsWithAuthors(db)
    .where('p.id', '=', id)
    .executeTakeFirst()) as PostRow | undefined;
  if (!row) return null;
  const [post] = await withCorrections(db, [toPost(row)]);
  return post!;
}

async function correctionsOf(db: Db, postIds: readonly number[]): Promise<LabelCorrection[]> {
  if (postIds.length === 0) return [];
  const out: LabelCorrection[] = [];
  // Chunks stay under the dialects' bound-parameter limits.
  for (let i = 0; i < postIds.length; i += 500) {
    const rows = await db
      .selectFrom('label_corrections as lc')
      .leftJoin('users as u', 'u.id', 'lc.user_id')
      .selectAll('lc')
      .select('u.name as user_name')
      .where('lc.post_id', 'in', postIds.slice(i, i + 500))
      .orderBy('lc.post_id')
      .orderBy('lc.field')
      .execute();
    for (const r of rows) {
      out.push({
        postId: n(r.post_id),
        field: r.field as LabelField,
        modelValue: r.model_value,
        correctedValue: r.corrected_value,
        userId: r.user_id === null ? null : n(r.user_id),
        userName: r.user_name,
        createdAt: n(r.created_at),
      });
    }
  }
  return out;
}

/** The posts with their corrections attached (only to those that have any). */
export async function withCorrections(db: Db, posts: PostRecord[]): Promise<PostRecord[]> {
  const all = await correctionsOf(
    db,
    posts.filter((p) => p.direction === 'inbound').map((p) => p.id),
  );
  if (all.length === 0) return posts;
  const byPost = new Map<number, LabelCorrection[]>();
  for (const c of all) byPost.set(c.postId, [...(byPost.get(c.postId) ?? []), c]);
  return posts.map((p) => (byPost.has(p.id) ? { ...p, corrections: byPost.get(p.id) } : p));
}

export async function correctLabels(db: Kysely<Database>, postId: number, input: LabelCorrectionInput, byUserId: number | null): Promise<{ post: PostRecord; events: EarshotEvent[] }> {
  const row = await db.selectFrom('posts').select(['id', 'direction', 'conversation_id', 'intent', 'sentiment', 'needs_reply']).where('id', '=', postId).executeTakeFirst();
  if (!row) throw new NotFoundError(`post ${postId}`);
  if (row.direction !== 'inbound') throw new ValidationError("Only a customer's post has labels to correct; this one is the brand's own.");
  const changes: Change[] = [];
  // An agent's label is certain: its score is 1 (the model's score was for the model's label).
  const set: { intent?: Intent; intent_score?: number; sentiment?: Sentiment; sentiment_score?: number; needs_reply?: number } = {};
  if (input.intent !== undefined) {
    changes.push({ field: 'intent', model: row.intent, corrected: input.intent });
    set.intent = input.intent;
    set.intent_score = 1;
  }
  if (input.sentiment !== undefined) {
    changes.push({ field: 'sentiment', model: row.sentiment, corrected: input.sentiment });
    set.sentiment = input.sentiment;
    set.sentiment_score = 1;
  }
  if (input.needsReply !== undefined) {
    changes.push({ field: 'needs_reply', model: String(n(row.needs_reply)), corrected: String(input.needsReply) });
    set.needs_reply = input.needsReply ? 1 : 0;
  }
  if (changes.length === 0) throw new ValidationError('Nothing to correct: give intent, sentiment or needsReply.');
  const now = Date.now();
  const conversationId = row.conversation_id === null ? null : n(row.conversation_id);
  const status = await db.transaction().execute(async (tx) => {
    // The model's value is the post's value before its first correction of that field; upsert never overwrites it.
    for (const c of changes) await upsert(tx, postId, c, byUserId, now);
    await tx.updateTable('posts').set(set).where('id', '=', postId).execute();
    await tx
      .insertInto('audit_log')
      .values({ at: now, user_id: byUserId, action: 'post.labels', target: `post:${postId}`, detail: JSON.stringify(Object.fromEntries(changes.map((c) => [c.field, c.corrected]))) })
      .execute();
    if (conversationId === null) return null;
    if (set.intent !== undefined || set.sentiment !== undefined) await relabelConversation(tx, conversationId);
    const conv = await tx.selectFrom('conversations').select('status').where('id', '=', conversationId).executeTakeFirst();
    return (conv?.status as ConversationStatus | undefined) ?? null;
  });
  const post = await loadPost(db, postId);
  if (!post) throw new NotFoundError(`post ${postId}`);
  const events: EarshotEvent[] = conversationId !== null && status !== null ? [{ type: 'conversation.updated', conversationId, status, at: now }] : [];
  return { post, events };
}

export async function recordDismissal(db: Kysely<Database>, conversationId: number, byUserId: number | null): Promise<number> {
  const now = Date.now();
  return db.transaction().execute(async (tx) => {
    const posts = await tx
      .selectFrom('posts as p')
      .leftJoin('label_corrections as lc', (j) => j.onRef('lc.post_id', '=', 'p.id').on('lc.field', '=', 'needs_reply'))
      .select(['p.id', 'p.needs_reply', 'lc.model_value'])
      .where('p.conversation_id', '=', conversationId)
      .where('p.direction', '=', 'inbound')
      .orderBy('p.id')
      .execute();
    let count = 0;
    for (const p of posts) {
      // What the model said, even when an agent has corrected this post before.
      const model = p.model_value ?? String(Number(p.needs_reply));
      if (Number(model) < 0.5) continue;
      await upsert(tx, Number(p.id), { field: 'needs_reply', model, corrected: 'false' }, byUserId, now);
      await tx.updateTable('posts').set({ needs_reply: 0 }).where('id', '=', p.id).execute();
      count++;
    }
    return count;
  });
}

export async function listCorrectedPosts(db: Kysely<Database>): Promise<CorrectedPost[]> {
  const posts = await db
    .selectFrom('posts')
    .select(['id', 'text', 'intent', 'sentiment', 'needs_reply'])
    .where('id', 'in', db.selectFrom('label_corrections').select('post_id'))
    .orderBy('id')
    .execute();
  const corrections = await correctionsOf(
    db,
    posts.map((p) => n(p.id)),
  );
  const byPost = new Map<number, LabelCorrection[]>();
  for (const c of corrections) byPost.set(c.postId, [...(byPost.get(c.postId) ?? []), c]);
  return posts.map((p) => ({
    postId: n(p.id),
    text: p.text,
    intent: p.intent as Intent,
    sentiment: p.sentiment as Sentiment,
    needsReply: n(p.needs_reply),
    corrections: byPost.get(n(p.id)) ?? [],
  }));
}
