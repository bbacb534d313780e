import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarshotError, type NormalizedPost, type TriageResult } from '../../core/index.js';
import { author, testPost } from '../../testing/posts.js';
import { SqliteStore } from './sqlite-store.js';

const post = (text: string, over: Partial<NormalizedPost> = {}): NormalizedPost => testPost(text, { author: { ...author('cust-1', 'cust'), displayName: 'Cust' }, ...over });

const labels = (over: Partial<TriageResult>): TriageResult => ({
  language: 'en',
  sentiment: 'neutral',
  sentimentScore: 0.8,
  intent: 'question',
  intentScore: 0.8,
  needsReply: 0.9,
  priority: 40,
  reasons: ['test'],
  ...over,
});

describe('label corrections in the SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  let agentId: number;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-corrections-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    const brand = await store.upsertBrand({ name: 'Acme', keywords: [] });
    await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: 'acme', externalId: 'acme-id' });
    agentId = (await store.createUser({ email: 'a@example.com', name: 'Arno', role: 'agent', passwordHash: 'x' })).id;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const postIds = () => store.raw.prepare('SELECT id FROM posts ORDER BY id').pluck().all() as number[];

  it('shows the corrected labels on the post, keeps what the model said, and a later correction replaces the value only', async () => {
    await store.ingest([{ post: post('@acme my card was charged twice'), triage: labels({ intent: 'question', sentiment: 'neutral', needsReply: 0.9 }) }]);
    const [id] = postIds();
    const first = await store.correctLabels(id!, { intent: 'complaint', sentiment: 'negative' }, agentId);
    expect(first.post).toMatchObject({ id, intent: 'complaint', sentiment: 'negative', needsReply: 0.9 });
    expect(first.post.corrections?.map((c) => [c.field, c.modelValue, c.correctedValue, c.userName])).toEqual([
      ['intent', 'question', 'complaint', 'Arno'],
      ['sentiment', 'neutral', 'negative', 'Arno'],
    ]);
    // The conversation (its only post) carries the corrected labels too, and desks are told.
    const conv = first.events[0];
    expect(conv).toMatchObject({ type: 'conversation.updated', status: 'new' });
    const detail = await store.getConversation(conv?.type === 'conversation.updated' ? conv.conversationId : 0);
    expect(detail?.conversation).toMatchObject({ intent: 'complaint', sentiment: 'negative' });
    expect(detail?.posts[0]?.corrections).toHaveLength(2);

    const again = await store.correctLabels(id!, { intent: 'request', needsReply: false }, null);
    expect(again.post).toMatchObject({ intent: 'request', sentiment: 'negative', needsReply: 0 });
    const rows = store.raw.prepare('SELECT field, model_value, corrected_value, user_id FROM label_corrections ORDER BY field').all();
    expect(rows).toEqual([
      { field: 'intent', model_value: 'question', corrected_value: 'request', user_id: null },
      { field: 'needs_reply', model_value: '0.9', corrected_value: 'false', user_id: null },
      { field: 'sentiment', model_value: 'neutral', corrected_value: 'negative', user_id: agentId },
    ]);

    const listed = await store.listCorrectedPosts();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ postId: id, text: '@acme my card was charged twice', intent: 'request', sentiment: 'negative', needsReply: 0 });
    expect(listed[0]!.corrections.map((c) => c.field)).toEqual(['intent', 'needs_reply', 'sentiment']);
  });

  it('refuses unknown posts, brand posts and empty corrections', async () => {
    await store.ingest([{ post: post('@cust we are on it', { author: { network: 'x', externalId: 'acme-id', handle: 'acme', displayName: null, followers: null, verified: false } }), triage: labels({}) }]);
    const [brandPost] = postIds();
    await expect(store.correctLabels(999_999, { intent: 'spam' }, agentId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.correctLabels(brandPost!, { intent: 'spam' }, agentId)).rejects.toBeInstanceOf(EarshotError);
    await expect(store.correctLabels(brandPost!, { intent: 'spam' }, agentId)).rejects.toMatchObject({ code: 'validation_failed' });
    await store.ingest([{ post: post('@acme hello?'), triage: labels({}) }]);
    await expect(store.correctLabels(postIds()[1]!, {}, agentId)).rejects.toMatchObject({ code: 'validation_failed' });
    expect(store.raw.prepare('SELECT COUNT(*) FROM label_corrections').pluck().get()).toBe(0);
  });

  it('a dismissal records needs_reply = false for the inbound posts the model said needed a reply, once', async () => {
    await store.ingest([
      { post: post('@acme buy followers cheap, dm me'), triage: labels({ intent: 'question', needsReply: 0.8 }) },
      { post: post('@acme lol'), triage: labels({ intent: 'question', needsReply: 0.2 }) },
    ]);
    const [a, b] = postIds();
    const convId = store.raw.prepare('SELECT conversation_id FROM posts WHERE id = ?').pluck().get(a) as number;
    expect(store.raw.prepare('SELECT conversation_id FROM posts WHERE id = ?').pluck().get(b)).toBe(convId);
    expect(await store.recordDismissal(convId, agentId)).toBe(1);
    expect(store.raw.prepare('SELECT post_id, model_value, corrected_value FROM label_corrections').all()).toEqual([{ post_id: a, model_value: '0.8', corrected_value: 'false' }]);
    expect(store.raw.prepare('SELECT needs_reply FROM posts WHERE id = ?').pluck().get(a)).toBe(0);
    // Dismissed again (after a reopen): the model's value is still known, so the row is refreshed, not duplicated.
    expect(await store.recordDismissal(convId, agentId)).toBe(1);
    expect(store.raw.prepare("SELECT model_value FROM label_corrections WHERE field = 'needs_reply'").pluck().all()).toEqual(['0.8']);
  });

  it('survives a reopen of the database file', async () => {
    await store.ingest([{ post: post('@acme where is my parcel'), triage: labels({}) }]);
    const [id] = postIds();
    await store.correctLabels(id!, { sentiment: 'negative' }, agentId);
    await store.close();
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    expect((await store.listCorrectedPosts()).map((p) => [p.postId, p.sentiment])).toEqual([[id, 'negative']]);
  });
});
