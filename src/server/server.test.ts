import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOpaqueToken } from './auth/passwords.js';
import { call, login, startFixture, type Fixture } from './test-fixture.js';

let f: Fixture;
let admin = '';
let agent = '';
let viewer = '';

beforeAll(async () => {
  f = await startFixture();
  [admin, agent, viewer] = await Promise.all([login(f.url, 'admin@example.com'), login(f.url, 'agent@example.com'), login(f.url, 'viewer@example.com')]);
});

afterAll(async () => {
  await f?.close();
});

describe('health', () => {
  it('answers without auth, with store dialect and version; degraded when a connector is down (still 200)', async () => {
    const ok = await call(f.url, 'GET', '/api/health');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ok', connectors: [], store: 'sqlite' });
    expect(ok.body.version).toMatch(/^\d+\.\d+\.\d+/);

    const base = { network: 'x' as const, detail: null, since: 0, attempt: 0, nextRetryAt: null, received: 0, sent: 0 };
    f.health = [{ ...base, name: 'a', state: 'connected' }, { ...base, name: 'b', state: 'starting' }];
    expect((await call(f.url, 'GET', '/api/health')).body.status).toBe('ok');
    f.health = [{ ...base, name: 'a', state: 'connected' }, { ...base, name: 'b', state: 'auth_failed', detail: 'token revoked' }];
    const bad = await call(f.url, 'GET', '/api/health');
    expect(bad.status).toBe(200);
    expect(bad.body.status).toBe('degraded');
    expect(bad.body.connectors[1]).toMatchObject({ name: 'b', state: 'auth_failed' });
    f.health = [];
  });
});

describe('sign-in', () => {
  it('signs in with a session cookie that is HttpOnly, SameSite=Lax, Path=/ and not Secure on http', async () => {
    const res = await fetch(`${f.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-earshot-client': 'desk' },
      body: JSON.stringify({ email: '  Admin@Example.com ', password: 'correct horse battery' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ email: 'admin@example.com', role: 'admin', signature: '^AD' });
    expect(body.user).not.toHaveProperty('passwordHash');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^earshot_session=es_[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=604800/);
    expect(cookie).not.toMatch(/Secure/i);
    // The store keeps only the hash of the id.
    const id = cookie.split(';')[0]!.split('=')[1]!;
    const stored = f.store.raw.prepare('SELECT id_hash FROM sessions').pluck().all() as string[];
    expect(stored).not.toContain(id);
    expect(stored.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
  });

  it('refuses a wrong password, an unknown email and a disabled user with one message, and no faster for unknown emails', async () => {
    const attempt = async (email: string, password: string) => {
      const t = performance.now();
      const r = await call(f.url, 'POST', '/api/login', { body: { email, password } });
      return { ...r, ms: performance.now() - t };
    };
    const wrong = await attempt('admin@example.com', 'nope');
    const unknown = await attempt('nobody@example.com', 'nope');
    const disabled = await attempt('gone@example.com', 'correct horse battery');
    for (const r of [wrong, unknown, disabled]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 'unauthorized', message: wrong.body.message });
      expect(r.headers.get('set-cookie')).toBeNull();
      expect(r.ms).toBeGreaterThanOrEqual(240);
    }
  });

  it('needs the client header or a JSON content type on sign-in', async () => {
    const form = await fetch(`${f.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'correct horse battery' }),
    });
    expect(form.status).toBe(403);
    expect(((await form.json()) as { code: string }).code).toBe('forbidden');
  });

  it('GET /api/me answers the user, or 401 without a session', async () => {
    const me = await call(f.url, 'GET', '/api/me', { cookie: agent });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: 'agent@example.com', role: 'agent' });
    const anon = await call(f.url, 'GET', '/api/me');
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe('unauthorized');
    const forged = await call(f.url, 'GET', '/api/me', { cookie: 'earshot_session=es_forged' });
    expect(forged.status).toBe(401);
  });

  it('signs out: 204, cookie cleared, session gone', async () => {
    const cookie = await login(f.url, 'lead@example.com');
    expect((await call(f.url, 'GET', '/api/me', { cookie })).status).toBe(200);
    const out = await call(f.url, 'POST', '/api/logout', { cookie, body: {} });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^earshot_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
    expect((await call(f.url, 'GET', '/api/me', { cookie })).status).toBe(401);
  });
});

describe('behind https', () => {
  it('marks the session cookie Secure and honours a shorter session lifetime', async () => {
    const g = await startFixture({ secureCookies: true, sessionTtlMs: 60 * 60 * 1000 });
    try {
      const res = await fetch(`${g.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-earshot-client': 'desk' },
        body: JSON.stringify({ email: 'agent@example.com', password: 'correct horse battery' }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/Max-Age=3600/);
      const expires = g.store.raw.prepare('SELECT expires_at FROM sessions').pluck().get() as number;
      expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(10_000);
    } finally {
      await g.close();
    }
  });
});

describe('auth on the API', () => {
  it('answers 401 without a session or token on every protected route', async () => {
    for (const [method, path] of [
      ['GET', '/api/conversations'],
      ['GET', `/api/conversations/${f.conversations.alice}`],
      ['POST', `/api/conversations/${f.conversations.alice}/replies`],
      ['PATCH', `/api/conversations/${f.conversations.alice}`],
      ['GET', '/api/brands'],
      ['GET', '/api/quarantine'],
      ['GET', '/api/events'],
    ] as const) {
      const r = await call(f.url, method, path, method === 'GET' ? {} : { body: { text: 'hi', status: 'open' } });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body.code).toBe('unauthorized');
    }
  });

  it('refuses a cookie-authenticated write without X-Earshot-Client (CSRF) with 403, and does nothing', async () => {
    const id = f.conversations.bob!;
    const r = await call(f.url, 'PATCH', `/api/conversations/${id}`, { cookie: agent, body: { status: 'resolved' }, desk: false });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
    expect((await f.store.getConversation(id))?.conversation.status).toBe('new');
  });

  it('accepts a bearer token without the client header; refuses an unknown token', async () => {
    const { token, hash } = newOpaqueToken('et_');
    await f.store.createToken({ hash, userId: f.users.agent.id, name: 'ci' });
    const list = await call(f.url, 'GET', '/api/conversations', { bearer: token });
    expect(list.status).toBe(200);
    const patch = await call(f.url, 'PATCH', `/api/conversations/${f.conversations.dave}`, { bearer: token, body: { status: 'open' }, desk: false });
    expect(patch.status).toBe(200);
    expect(patch.body.conversation).toMatchObject({ id: f.conversations.dave, status: 'open' });
    const bad = await call(f.url, 'GET', '/api/conversations', { bearer: 'et_nope' });
    expect(bad.status).toBe(401);
    // A bad token is not rescued by a good cookie beside it.
    expect((await call(f.url, 'GET', '/api/conversations', { bearer: 'et_nope', cookie: agent })).status).toBe(401);
  });

  it('lets a viewer read but not write; quarantine is for leads and admins', async () => {
    expect((await call(f.url, 'GET', '/api/conversations', { cookie: viewer })).status).toBe(200);
    const w = await call(f.url, 'POST', `/api/conversations/${f.conversations.alice}/replies`, { cookie: viewer, body: { text: 'hello' } });
    expect(w.status).toBe(403);
    expect(w.body.code).toBe('forbidden');
    expect((await call(f.url, 'GET', '/api/quarantine', { cookie: agent })).status).toBe(403);
    await f.store.quarantine([{ source: 'file.csv', line: 3, reason: 'no text', sample: '{"bad":true}' }]);
    const q = await call(f.url, 'GET', '/api/quarantine?limit=10', { cookie: admin });
    expect(q.status).toBe(200);
    expect(q.body.total).toBe(1);
    expect(q.body.items[0]).toMatchObject({ source: 'file.csv', line: 3, reason: 'no text' });
  });
});

describe('conversations', () => {
  it('lists with total, filters by status, intent, sentiment, network, and searches text', async () => {
    const all = await call(f.url, 'GET', '/api/conversations', { cookie: agent });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(4);
    expect(all.body.items).toHaveLength(4);

    const x = await call(f.url, 'GET', '/api/conversations?network=x', { cookie: agent });
    expect(x.body.items.map((c: { customer: { handle: string } }) => c.customer.handle).sort()).toEqual(['alice', 'bob']);
    const complaints = await call(f.url, 'GET', '/api/conversations?intent=complaint&sentiment=negative,neutral', { cookie: agent });
    expect(complaints.body.total).toBe(2);
    const both = await call(f.url, 'GET', '/api/conversations?network=bluesky,mastodon&intent=praise', { cookie: agent });
    expect(both.body.items.map((c: { customer: { handle: string } }) => c.customer.handle)).toEqual(['carol.bsky.social']);
    const search = await call(f.url, 'GET', '/api/conversations?q=refund', { cookie: agent });
    expect(search.body.items.map((c: { id: number }) => c.id)).toEqual([f.conversations.alice]);
    const page = await call(f.url, 'GET', '/api/conversations?limit=1&offset=1', { cookie: agent });
    expect(page.body).toMatchObject({ total: 4 });
    expect(page.body.items).toHaveLength(1);
    const byStatus = await call(f.url, 'GET', '/api/conversations?status=new,open,pending', { cookie: agent });
    expect(byStatus.status).toBe(200);
  });

  it('refuses unknown filter values and out-of-range limits with validation_failed naming the field', async () => {
    for (const [qs, field] of [
      ['status=new,bogus', 'status'],
      ['network=myspace', 'network'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['offset=-1', 'offset'],
    ]) {
      const r = await call(f.url, 'GET', `/api/conversations?${qs}`, { cookie: agent });
      expect(r.status, qs).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('returns the detail, 404 for a missing one, 400 for a malformed id', async () => {
    const d = await call(f.url, 'GET', `/api/conversations/${f.conversations.alice}`, { cookie: agent });
    expect(d.status).toBe(200);
    expect(d.body.conversation).toMatchObject({ id: f.conversations.alice, brandName: 'Acme', network: 'x' });
    expect(d.body.posts[0].text).toContain('refund');
    expect(d.body.customer.identities[0].handle).toBe('alice');
    const missing = await call(f.url, 'GET', '/api/conversations/99999', { cookie: agent });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    const bad = await call(f.url, 'GET', '/api/conversations/1e3', { cookie: agent });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
  });

  it('queues a reply with the signature appended: 202, events published once, outbox woken', async () => {
    const id = f.conversations.alice!;
    const before = f.bus.published.length;
    const wakes = f.wakes;
    const r = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: admin, body: { text: '  Sorry about that, we are on it.  ' } });
    expect(r.status).toBe(202);
    expect(r.body.reply).toMatchObject({ conversationId: id, text: 'Sorry about that, we are on it. ^AD', status: 'queued', network: 'x', createdBy: f.users.admin.id });
    expect(f.wakes).toBe(wakes + 1);
    const events = f.bus.published.slice(before);
    expect(events.filter((e) => e.type === 'reply.queued')).toEqual([{ type: 'reply.queued', replyId: r.body.reply.id, conversationId: id, at: expect.any(Number) }]);
    // queueReply opened the `new` conversation: the desk hears about it.
    expect(events).toContainEqual(expect.objectContaining({ type: 'conversation.updated', conversationId: id, status: 'open' }));
    const detail = await call(f.url, 'GET', `/api/conversations/${id}`, { cookie: admin });
    expect(detail.body.replies.map((x: { text: string }) => x.text)).toContain('Sorry about that, we are on it. ^AD');

    // No signature: the text alone.
    const plain = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: agent, body: { text: 'Following up' } });
    expect(plain.body.reply.text).toBe('Following up');
  });

  it('refuses a reply longer than the network allows (X: 281 weighted characters) with 422 too_long', async () => {
    const id = f.conversations.bob!;
    const r = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: agent, body: { text: 'a'.repeat(281) } });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'too_long', details: { limit: 280, length: 281, unit: 'weighted' } });
    // Emoji weigh 2 on X: 141 of them are 282.
    const emoji = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: agent, body: { text: '😀'.repeat(141) } });
    expect(emoji.status).toBe(422);
    expect(emoji.body.details.length).toBe(282);
    // The signature counts: 277 + " ^AD" = 281.
    const signed = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: admin, body: { text: 'a'.repeat(277) } });
    expect(signed.status).toBe(422);
    const fits = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: agent, body: { text: 'a'.repeat(280) } });
    expect(fits.status).toBe(202);
    // Bluesky counts graphemes: 300 family emoji fit.
    const family = '👨‍👩‍👧';
    const bsky = await call(f.url, 'POST', `/api/conversations/${f.conversations['carol.bsky.social']}/replies`, { cookie: agent, body: { text: family.repeat(300) } });
    expect(bsky.status).toBe(202);
    const bskyLong = await call(f.url, 'POST', `/api/conversations/${f.conversations['carol.bsky.social']}/replies`, { cookie: agent, body: { text: family.repeat(301) } });
    expect(bskyLong.body.details).toEqual({ limit: 300, length: 301, unit: 'graphemes' });
  });

  it('refuses empty and too large reply texts with validation_failed', async () => {
    const id = f.conversations.bob!;
    for (const text of ['', '   \n ', 'x'.repeat(10_001)]) {
      const r = await call(f.url, 'POST', `/api/conversations/${id}/replies`, { cookie: agent, body: { text } });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.details[0].field).toBe('text');
    }
    const missing = await call(f.url, 'POST', '/api/conversations/99999/replies', { cookie: agent, body: { text: 'hi' } });
    expect(missing.status).toBe(404);
  });

  it('changes status, publishes the store events, answers the updated summary; back to new is a conflict', async () => {
    const id = f.conversations.bob!;
    const before = f.bus.published.length;
    const r = await call(f.url, 'PATCH', `/api/conversations/${id}`, { cookie: agent, body: { status: 'resolved' } });
    expect(r.status).toBe(200);
    expect(r.body.conversation).toMatchObject({ id, status: 'resolved', customer: { handle: 'bob' } });
    expect(r.body.conversation.resolvedAt).toEqual(expect.any(Number));
    expect(f.bus.published.slice(before)).toEqual([{ type: 'conversation.updated', conversationId: id, status: 'resolved', at: expect.any(Number) }]);

    const back = await call(f.url, 'PATCH', `/api/conversations/${id}`, { cookie: agent, body: { status: 'new' } });
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ code: 'conflict', details: { from: 'resolved', to: 'new' } });
    const bogus = await call(f.url, 'PATCH', `/api/conversations/${id}`, { cookie: agent, body: { status: 'archived' } });
    expect(bogus.status).toBe(400);
    expect(bogus.body.details[0].field).toBe('status');
    expect((await call(f.url, 'PATCH', '/api/conversations/99999', { cookie: agent, body: { status: 'open' } })).status).toBe(404);
  });
});

describe('brands', () => {
  it('lists brands with their accounts', async () => {
    const r = await call(f.url, 'GET', '/api/brands', { cookie: viewer });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0].name).toBe('Acme');
    expect(r.body.items[0].accounts.map((a: { network: string }) => a.network).sort()).toEqual(['bluesky', 'mastodon', 'x']);
  });
});

describe('hostile requests', () => {
  const path = () => `/api/conversations/${f.conversations.dave}/replies`;

  it('answers 400 (never 500) to malformed, mistyped and oversized bodies', async () => {
    const cases: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }]> = [
      ['not json', { rawBody: '{"text": ' }],
      ['array', { body: [1, 2, 3] }],
      ['null', { rawBody: 'null' }],
      ['number', { body: { text: 5 } }],
      ['object', { body: { text: { $gt: '' } } }],
      ['array text', { body: { text: ['a', 'b'] } }],
      ['proto', { rawBody: '{"text":"hi","__proto__":{"admin":true}}' }],
      ['constructor', { rawBody: '{"text":"hi","constructor":{"prototype":{"admin":true}}}' }],
      ['huge', { body: { text: 'a'.repeat(200_000) } }],
      ['deep', { rawBody: '['.repeat(5000) + ']'.repeat(5000) }],
      ['text/plain', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } }],
      ['empty json', { rawBody: '' , headers: { 'content-type': 'application/json' } }],
    ];
    for (const [name, opts] of cases) {
      const r = await call(f.url, 'POST', path(), { cookie: agent, ...opts });
      expect(r.status, name).toBe(400);
      expect(['bad_request', 'validation_failed'], name).toContain(r.body.code);
      expect(typeof r.body.message, name).toBe('string');
      expect(JSON.stringify(r.body), name).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers unknown API routes with 404 JSON, even signed out', async () => {
    for (const [method, p] of [
      ['GET', '/api/nope'],
      ['POST', '/api/nope'],
      ['DELETE', '/api/conversations/1'],
      ['GET', '/api'],
    ] as const) {
      const r = await call(f.url, method, p, { cookie: agent, body: method === 'GET' ? undefined : {} });
      expect(r.status, `${method} ${p}`).toBe(404);
      expect(r.body.code).toBe('not_found');
    }
    expect((await call(f.url, 'GET', '/api/nope')).status).toBe(404);
  });

  it('hides internal errors behind a generic 500', async () => {
    const broken = await startFixture({
      health: () => {
        throw new Error('SECRET connection string postgres://u:p@h/db');
      },
    });
    try {
      const r = await call(broken.url, 'GET', '/api/health');
      expect(r.status).toBe(500);
      expect(r.body.code).toBe('internal');
      expect(JSON.stringify(r.body)).not.toContain('SECRET');
    } finally {
      await broken.close();
    }
  });

  it('sets security headers on API answers and never lets them be cached', async () => {
    const r = await call(f.url, 'GET', '/api/me', { cookie: agent });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('same-origin');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const e = await call(f.url, 'GET', '/api/me');
    expect(e.headers.get('x-content-type-options')).toBe('nosniff');
    expect(e.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
