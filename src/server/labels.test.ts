import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, startFixture, type Fixture } from './test-fixture.js';

let f: Fixture;
let agent = '';
let viewer = '';

beforeAll(async () => {
  f = await startFixture();
  [agent, viewer] = await Promise.all([login(f.url, 'agent@example.com'), login(f.url, 'viewer@example.com')]);
});

afterAll(async () => {
  await f?.close();
});

/** The first (inbound) post of a customer's conversation. */
async function firstPostOf(handle: string): Promise<{ id: number; conversationId: number }> {
  const conversationId = f.conversations[handle]!;
  const detail = await call(f.url, 'GET', `/api/conversations/${conversationId}`, { cookie: agent });
  return { id: detail.body.posts[0].id as number, conversationId };
}

describe('POST /api/posts/:id/labels', () => {
  it('stores the correction, answers the post with the corrected labels, and tells the desks', async () => {
    const { id, conversationId } = await firstPostOf('bob');
    const before = f.bus.published.length;
    const res = await call(f.url, 'POST', `/api/posts/${id}/labels`, { cookie: agent, body: { intent: 'request', needsReply: false } });
    expect(res.status).toBe(200);
    expect(res.body.post).toMatchObject({ id, intent: 'request', needsReply: 0, sentiment: 'neutral' });
    expect(res.body.post.corrections).toEqual([
      expect.objectContaining({ field: 'intent', modelValue: 'question', correctedValue: 'request', userId: f.users.agent.id, userName: 'Arno Agent' }),
      expect.objectContaining({ field: 'needs_reply', modelValue: '0.9', correctedValue: 'false' }),
    ]);
    expect(f.bus.published.slice(before)).toEqual([expect.objectContaining({ type: 'conversation.updated', conversationId })]);

    // The desk sees it after a reload: the post and the conversation carry the corrected intent.
    const detail = await call(f.url, 'GET', `/api/conversations/${conversationId}`, { cookie: agent });
    expect(detail.body.posts[0]).toMatchObject({ intent: 'request', corrections: expect.any(Array) });
    expect(detail.body.conversation.intent).toBe('request');
  });

  it('answers 404 for an unknown post and 400 validation_failed for bad bodies, naming the field', async () => {
    const missing = await call(f.url, 'POST', '/api/posts/987654/labels', { cookie: agent, body: { intent: 'spam' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');

    const { id } = await firstPostOf('alice');
    for (const [body, field] of [
      [{}, '(body)'],
      [{ intent: 'rant' }, 'intent'],
      [{ sentiment: 'angry' }, 'sentiment'],
      [{ needsReply: 'yes' }, 'needsReply'],
      [{ intent: 'spam', extra: 1 }, '(body)'],
    ] as const) {
      const r = await call(f.url, 'POST', `/api/posts/${id}/labels`, { cookie: agent, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const badId = await call(f.url, 'POST', '/api/posts/abc/labels', { cookie: agent, body: { intent: 'spam' } });
    expect(badId.status).toBe(400);
    const count = f.store.raw.prepare('SELECT COUNT(*) FROM label_corrections WHERE post_id = ?').pluck().get(id);
    expect(count).toBe(0);
  });

  it('needs write access and the CSRF header', async () => {
    const { id } = await firstPostOf('alice');
    expect((await call(f.url, 'POST', `/api/posts/${id}/labels`, { body: { intent: 'spam' } })).status).toBe(401);
    expect((await call(f.url, 'POST', `/api/posts/${id}/labels`, { cookie: viewer, body: { intent: 'spam' } })).status).toBe(403);
    expect((await call(f.url, 'POST', `/api/posts/${id}/labels`, { cookie: agent, body: { intent: 'spam' }, desk: false })).status).toBe(403);
  });
});

describe('dismissing a conversation', () => {
  it('records needs_reply = false for its inbound posts the model said needed a reply', async () => {
    const { id, conversationId } = await firstPostOf('dave');
    const res = await call(f.url, 'PATCH', `/api/conversations/${conversationId}`, { cookie: agent, body: { status: 'dismissed' } });
    expect(res.status).toBe(200);
    const rows = f.store.raw.prepare('SELECT post_id, field, model_value, corrected_value, user_id FROM label_corrections WHERE post_id = ?').all(id);
    expect(rows).toEqual([{ post_id: id, field: 'needs_reply', model_value: '0.9', corrected_value: 'false', user_id: f.users.agent.id }]);
    const detail = await call(f.url, 'GET', `/api/conversations/${conversationId}`, { cookie: agent });
    expect(detail.body.posts[0].needsReply).toBe(0);
  });
});
