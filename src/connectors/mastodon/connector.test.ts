import { afterEach, describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '../../core/errors.js';
import type { ConnectorHealth, OutboundRequest, RawPayload } from '../../core/index.js';
import { describeWithSharedData } from '../../testing/shared-data.js';
import { normalizeRaw } from '../formats.js';
import { createMastodonConnector, withMention, type MastodonConnector, type MastodonConnectorOptions } from './connector.js';
import { EXAMPLES_FILE, startFakeMastodon, templates, type FakeMastodon, type FakeMastodonOptions } from './fake-server.js';
import { MastodonApiError, compareIds, parseLinkHeader, parseMastodonReset } from './rest.js';
import { keyValueCursorStore, memoryCursorStore, notificationIdOf, sseBlockToMessage, sseUrl, streamingUrl } from './stream.js';
import { fastClock, until } from '../testing.js';

let fake: FakeMastodon | null = null;
let connector: MastodonConnector | null = null;

afterEach(async () => {
  await connector?.stop();
  await fake?.close();
  connector = null;
  fake = null;
});

/** External ids of the posts the raws normalize to, with repetitions. */
function postIds(raws: readonly RawPayload[]): string[] {
  const ids: string[] = [];
  for (const raw of raws) {
    try {
      for (const p of normalizeRaw(raw).posts) ids.push(p.externalId);
    } catch {
      // malformed: not a post
    }
  }
  return ids;
}

/** Status ids of the notifications the fake produced. */
const producedIds = (f: FakeMastodon) => f.notifications.map((n) => String((n.status as { id: string }).id));

async function setup(fo: FakeMastodonOptions = {}, co: Partial<MastodonConnectorOptions> = {}) {
  fake = await startFakeMastodon(fo);
  const f = fake;
  const raws: RawPayload[] = [];
  const statuses: ConnectorHealth[] = [];
  connector = createMastodonConnector({
    name: 'mastodon-test',
    instanceUrl: f.url,
    accessToken: f.token,
    // ×100: a 250 ms network backoff is 2.5 ms; heartbeat and request timeouts are set in clock ms accordingly.
    clock: fastClock(100),
    heartbeatTimeoutMs: 100_000,
    requestTimeoutMs: 500_000,
    onStatus: (h) => statuses.push(h),
    ...co,
  });
  const c = connector;
  await c.start(async (raw) => {
    raws.push(raw);
  });
  const allReceived = () => producedIds(f).every((id) => postIds(raws).includes(id));
  const connected = () => until('connected', () => c.health().state === 'connected');
  return { f, c, raws, statuses, allReceived, connected };
}

const reply = (f: FakeMastodon, text: string, inReplyTo: string | null, key = `earshot-reply-${text}`, isPrivate = false): OutboundRequest => ({
  network: 'mastodon',
  account: { handle: f.account.acct, externalId: f.account.id },
  text,
  inReplyToExternalId: inReplyTo,
  isPrivate,
  idempotencyKey: key,
});

describe('Mastodon streaming against the fake instance', () => {
  it('clean stream: every notification reaches the sink exactly once, hashtags ride on the same socket', async () => {
    const { f, c, raws, allReceived, connected } = await setup({}, { hashtags: ['acme'] });
    await connected();
    await f.produce(5, 5);
    await until('all notifications', allReceived);
    await new Promise((r) => setTimeout(r, 100));
    expect(f.connections).toHaveLength(1);
    expect(f.connections[0]?.streams).toEqual(['user:notification', 'hashtag:acme']);
    const ids = postIds(raws);
    for (const id of producedIds(f)) expect(ids.filter((x) => x === id)).toHaveLength(1);
    // The hashtag's update arrives as well.
    expect(ids).toContain(String(f.hashtagStatus.id));
    expect(raws[0]).toMatchObject({ format: 'mastodon', source: 'mastodon-test', line: null });
    expect(c.cursor()).toBe(String(f.notifications.at(-1)?.id));
    expect(c.health()).toMatchObject({ state: 'connected', network: 'mastodon', attempt: 0, received: raws.length });
    // The first connection had no cursor: one page, no since_id.
    expect(f.calls.filter((x) => x.route === 'notifications').map((x) => x.query)).toEqual(['?types%5B%5D=mention&limit=40']);
  });

  it('disconnect mid-stream while the server keeps producing: the gap is filled from REST, nothing is missing', async () => {
    const store = memoryCursorStore();
    const { f, raws, statuses, allReceived, connected } = await setup({ plans: [{ dropAfter: 2 }] }, { cursorStore: store });
    await connected();
    await f.produce(8, 20);
    await until('all notifications after the reconnect', allReceived);
    expect(f.connections.length).toBeGreaterThanOrEqual(2);
    // The second gap fill asked from the newest notification the first connection delivered.
    const second = f.calls.filter((x) => x.route === 'notifications')[1];
    expect(second?.query).toContain(`since_id=${String(f.notifications[1]?.id)}`);
    expect(statuses.some((s) => s.state === 'reconnecting')).toBe(true);
    expect(new Set(postIds(raws))).toEqual(new Set(producedIds(f)));
    expect(store.value).toBe(String(f.notifications.at(-1)?.id));
  });

  it('stall (no messages, no pings): the heartbeat watchdog reconnects and the gap is filled', async () => {
    const { f, statuses, allReceived, connected } = await setup({ plans: [{ stallAfter: 1 }] }, { heartbeatTimeoutMs: 30_000 });
    await connected();
    await f.produce(6, 30);
    await until('all notifications after the stall', allReceived);
    expect(f.connections.length).toBeGreaterThanOrEqual(2);
    expect(statuses.some((s) => s.state === 'reconnecting' && /stalled/.test(s.detail ?? ''))).toBe(true);
  });

  it('pings alone keep a quiet connection alive', async () => {
    const { f, c, connected } = await setup({ pingMs: 20 }, { heartbeatTimeoutMs: 10_000 });
    await connected();
    await new Promise((r) => setTimeout(r, 400)); // four heartbeat timeouts with no message, only pings
    expect(f.connections).toHaveLength(1);
    expect(c.health().state).toBe('connected');
  });

  it('truncated message: delivered to the sink (to be quarantined), the stream goes on', async () => {
    const { f, raws, allReceived, connected } = await setup({ plans: [{ truncateAt: 1 }] });
    await connected();
    await f.produce(4, 5);
    await until('all notifications', allReceived);
    expect(f.connections).toHaveLength(1);
    const bad = raws.filter((r) => {
      try {
        normalizeRaw(r);
        return false;
      } catch (e) {
        return e instanceof MalformedPayloadError;
      }
    });
    expect(bad).toHaveLength(1);
    expect(String(bad[0]?.data)).toBe(f.connections[0]?.sent[1]);
  });

  it('401: auth_failed, with a detail naming the variable and what to do', async () => {
    fake = await startFakeMastodon();
    const statuses: ConnectorHealth[] = [];
    connector = createMastodonConnector({ name: 'm', instanceUrl: fake.url, accessToken: 'wrong', clock: fastClock(100), onStatus: (h) => statuses.push(h) });
    await connector.start(async () => undefined);
    const c = connector;
    await until('auth_failed', () => c.health().state === 'auth_failed');
    expect(c.health().detail).toMatch(/EARSHOT_MASTODON_ACCESS_TOKEN/);
    expect(c.health().detail).toMatch(/Preferences → Development/);
    expect(c.health().nextRetryAt).toBeGreaterThan(0);
  });

  it('429 on the gap fill: rate_limited until X-RateLimit-Reset, then connected and filled', async () => {
    const f0 = await startFakeMastodon({ rateLimitResetS: 3 });
    fake = f0;
    await f0.produce(3);
    f0.failNext('notifications', 429, 1);
    const statuses: ConnectorHealth[] = [];
    const raws: RawPayload[] = [];
    const t0 = Date.now();
    // ×1000: the 60 s minimum wait for a 429 is 60 ms, the 3 s reset 3 ms of timer (but nextRetryAt is in clock time).
    connector = createMastodonConnector({ name: 'm', instanceUrl: f0.url, accessToken: f0.token, clock: fastClock(1000), heartbeatTimeoutMs: 1_000_000, requestTimeoutMs: 1_000_000, onStatus: (h) => statuses.push(h) });
    const c = connector;
    await c.start(async (r) => void raws.push(r));
    await until('connected', () => c.health().state === 'connected');
    const limited = statuses.find((s) => s.state === 'rate_limited');
    expect(limited?.nextRetryAt).toBeGreaterThanOrEqual(t0 + 60_000);
    expect(limited?.detail).toMatch(/rate limited until/);
    expect(new Set(postIds(raws))).toEqual(new Set(producedIds(f0)));
  });

  it('a storm of 503s on the streaming upgrade: backs off, then connects', async () => {
    fake = await startFakeMastodon();
    fake.failNext('streaming', 503, 3);
    const statuses: ConnectorHealth[] = [];
    connector = createMastodonConnector({ name: 'm', instanceUrl: fake.url, accessToken: fake.token, clock: fastClock(100), heartbeatTimeoutMs: 100_000, requestTimeoutMs: 500_000, onStatus: (h) => statuses.push(h) });
    const c = connector;
    await c.start(async () => undefined);
    await until('connected', () => c.health().state === 'connected');
    expect(statuses.filter((s) => s.state === 'reconnecting').map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(fake.calls.filter((x) => x.route === 'streaming').map((x) => x.status)).toEqual([503, 503, 503, 101]);
  });

  it('no WebSocket streaming (upgrade 404): falls back to SSE; a drop and a stall there are ridden out with no gap', async () => {
    const logs: string[] = [];
    const { f, raws, allReceived, connected } = await setup({ sseOnly: true, pingMs: 20, plans: [{ dropAfter: 2 }, { stallAfter: 1 }] }, { heartbeatTimeoutMs: 30_000, log: (m) => logs.push(m) });
    await connected();
    await f.produce(9, 25);
    await until('all notifications over SSE', allReceived);
    expect(f.connections.length).toBeGreaterThanOrEqual(3);
    expect(f.connections.every((x) => x.transport === 'sse')).toBe(true);
    expect(f.calls.filter((x) => x.route === 'streaming').map((x) => x.status)).toEqual([404]);
    expect(logs.some((l) => /Server-Sent Events/.test(l))).toBe(true);
    expect(new Set(postIds(raws))).toEqual(new Set(producedIds(f)));
    expect(raws.every((r) => r.format === 'mastodon')).toBe(true);
  });

  it('gap fill follows Link pagination from the stored cursor, oldest first', async () => {
    fake = await startFakeMastodon();
    const f = fake;
    await f.produce(100);
    const store = memoryCursorStore(String(f.notifications[0]?.id));
    const raws: RawPayload[] = [];
    connector = createMastodonConnector({ name: 'm', instanceUrl: f.url, accessToken: f.token, cursorStore: store });
    const c = connector;
    await c.start(async (r) => void raws.push(r));
    await until('connected', () => c.health().state === 'connected');
    const ids = postIds(raws);
    expect(ids).toEqual(producedIds(f).slice(1));
    expect(f.calls.filter((x) => x.route === 'notifications')).toHaveLength(3);
    expect(store.value).toBe(String(f.notifications.at(-1)?.id));
  });
});

describe('Mastodon publishing against the fake instance', () => {
  it('a reply: posted once with in_reply_to_id and the @mention; a retry with the same Idempotency-Key does not post twice', async () => {
    fake = await startFakeMastodon();
    const f = fake;
    await f.produce(1);
    connector = createMastodonConnector({ name: 'm', instanceUrl: f.url, accessToken: f.token });
    const c = connector;
    const parent = f.notifications[0]?.status as { id: string; account: { acct: string } };
    const req = reply(f, 'Sorry about that, we are on it', parent.id, 'earshot-reply-7');
    const sent = await c.publish(req);
    expect(f.created).toHaveLength(1);
    expect(f.posts[0]).toMatchObject({
      idempotencyKey: 'earshot-reply-7',
      body: { status: `@${parent.account.acct} Sorry about that, we are on it`, in_reply_to_id: parent.id, visibility: 'public' },
    });
    expect(sent.externalId).toBe(String(f.created[0]?.id));
    expect(sent.post).toMatchObject({ network: 'mastodon', direction: 'outbound', inReplyToId: parent.id, author: { handle: f.account.acct } });
    expect(sent.post.text).toBe(`@${parent.account.acct} Sorry about that, we are on it`);
    // The outbox retries after a timeout: same key, same status, nothing new.
    const again = await c.publish(req);
    expect(again.externalId).toBe(sent.externalId);
    expect(f.created).toHaveLength(1);
    expect(f.posts).toHaveLength(2);
    expect(c.health().sent).toBe(2);
    // A private reply is direct; a text that already mentions the customer is left alone.
    await c.publish(reply(f, `hi @${parent.account.acct}, check your DMs`, parent.id, 'k2', true));
    expect(f.posts[2]?.body).toMatchObject({ status: `hi @${parent.account.acct}, check your DMs`, visibility: 'direct' });
  });

  it('classifies failures for the outbox: 5xx and 429 retryable (with retryAt), 401/422/gone parent not', async () => {
    fake = await startFakeMastodon({ rateLimitResetS: 30 });
    const f = fake;
    await f.produce(1);
    const id = String((f.notifications[0]?.status as { id: string }).id);
    connector = createMastodonConnector({ name: 'm', instanceUrl: f.url, accessToken: f.token });
    const c = connector;
    f.failNext('post_status', 503, 2);
    await expect(c.publish(reply(f, 'x', id))).rejects.toMatchObject({ status: 503, retryable: true });
    await expect(c.publish(reply(f, 'x', id))).rejects.toMatchObject({ status: 503, retryable: true });
    await expect(c.publish(reply(f, 'x', id))).resolves.toMatchObject({ externalId: expect.any(String) });
    expect(f.created).toHaveLength(1);
    f.failNext('post_status', 429, 1);
    const limited = await c.publish(reply(f, 'y', id)).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(MastodonApiError);
    expect(limited).toMatchObject({ status: 429, retryable: true });
    expect((limited as MastodonApiError).retryAt).toBeGreaterThan(Date.now() + 20_000);
    f.failNext('post_status', 422, 1);
    await expect(c.publish(reply(f, 'z', id))).rejects.toMatchObject({ status: 422, retryable: false });
    await expect(c.publish(reply(f, 'z', '999'))).rejects.toMatchObject({ status: 404, retryable: false });
    await expect(c.publish({ ...reply(f, 'z', id), network: 'x' })).rejects.toMatchObject({ retryable: false });
    await expect(c.publish({ ...reply(f, 'z', id), account: { handle: 'someone.else', externalId: null } })).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/posts as @brand/) });
    // The outbox passes the handle only; acct@instance and a leading @ are the same account.
    await expect(c.publish({ ...reply(f, 'w', id), account: { handle: `@brand@${new URL(f.url).host}`, externalId: null } })).resolves.toBeTruthy();
    expect(f.calls.filter((x) => x.route === 'verify_credentials')).toHaveLength(1);
    const wrong = createMastodonConnector({ name: 'm2', instanceUrl: f.url, accessToken: 'nope' });
    await expect(wrong.publish(reply(f, 'v', id))).rejects.toMatchObject({ status: 401, retryable: false, message: expect.stringMatching(/EARSHOT_MASTODON_ACCESS_TOKEN/) });
    const down = createMastodonConnector({ name: 'm3', instanceUrl: 'http://127.0.0.1:9', accessToken: 't' });
    await expect(down.publish(reply(f, 'u', null))).rejects.toMatchObject({ status: null, retryable: true });
  });

  it('account(): the account behind the token', async () => {
    fake = await startFakeMastodon();
    connector = createMastodonConnector({ name: 'm', instanceUrl: fake.url, accessToken: fake.token });
    await expect(connector.account()).resolves.toEqual({ acct: 'brand', id: '1' });
  });
});

describe('Mastodon connector helpers', () => {
  it('withMention prepends the customer unless already mentioned', () => {
    expect(withMention('hello', 'alice@example.social')).toBe('@alice@example.social hello');
    expect(withMention('@Alice@example.social hello', 'alice@example.social')).toBe('@Alice@example.social hello');
    expect(withMention('hello @alice', 'alice')).toBe('hello @alice');
    expect(withMention('hello @alice@here.social', 'alice')).toBe('hello @alice@here.social');
    expect(withMention('hello @alicebob', 'alice')).toBe('@alice hello @alicebob');
    expect(withMention('hello', null)).toBe('hello');
  });

  it('parses Link headers, reset headers and compares big ids', () => {
    expect(parseLinkHeader('<https://a/x?max_id=1>; rel="next", <https://a/x?min_id=9>; rel="prev"')).toEqual({ next: 'https://a/x?max_id=1', prev: 'https://a/x?min_id=9' });
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseMastodonReset('2026-11-23T14:00:00.000Z')).toBe(Date.parse('2026-11-23T14:00:00.000Z'));
    expect(parseMastodonReset('1790000000')).toBe(1_790_000_000_000);
    expect(parseMastodonReset('garbage')).toBeNull();
    expect(compareIds('109000000000000001', '99999999999999999')).toBeGreaterThan(0);
    expect(compareIds('10', '10')).toBe(0);
  });

  it('notification ids from streaming messages; the streaming URL', () => {
    expect(notificationIdOf(JSON.stringify({ event: 'notification', payload: JSON.stringify({ id: '123', type: 'mention' }) }))).toBe('123');
    expect(notificationIdOf(JSON.stringify({ event: 'update', payload: '{"id":"5"}' }))).toBeNull();
    expect(notificationIdOf('{"event":"notification","payload":"{\\"id')).toBeNull();
    expect(streamingUrl('https://mastodon.example/')).toBe('wss://mastodon.example/api/v1/streaming?stream=user:notification');
    expect(sseUrl('wss://streaming.example')).toBe('https://streaming.example/api/v1/streaming/user/notification');
    expect(sseBlockToMessage(':thump')).toBeNull();
    const msg = sseBlockToMessage('event: notification\ndata: {"id":"42","type":"mention"}');
    expect(msg).not.toBeNull();
    expect(JSON.parse(msg ?? '')).toEqual({ stream: ['user:notification'], event: 'notification', payload: '{"id":"42","type":"mention"}' });
    expect(notificationIdOf(msg ?? '')).toBe('42');
  });

  it('keyValueCursorStore: reads and writes the store cursor, flushing first', async () => {
    const kv = new Map<string, string>();
    const order: string[] = [];
    const store = keyValueCursorStore({ getCursor: async (k) => kv.get(k) ?? null, setCursor: async (k, v) => void (order.push(`set ${v}`), kv.set(k, v)) }, 'mastodon:k', async () => void order.push('flush'));
    await expect(store.load()).resolves.toBeNull();
    await store.save('109000000000000001');
    await expect(store.load()).resolves.toBe('109000000000000001');
    expect(order).toEqual(['flush', 'set 109000000000000001']);
    kv.set('mastodon:k', 'garbage');
    await expect(store.load()).resolves.toBeNull();
  });
});

describeWithSharedData('Mastodon fake instance on the recorded documentation examples', () => {
  it(`builds its notifications from ${EXAMPLES_FILE.split('/').pop()}`, async () => {
    const t = templates();
    expect(t.recorded).toBe(true);
    const { f, raws, allReceived, connected } = await setup();
    await connected();
    await f.produce(3, 5);
    await until('all notifications', allReceived);
    const posts = raws.flatMap((r) => normalizeRaw(r).posts);
    expect(posts.map((p) => p.author.handle)).toEqual(Array(3).fill((t.notification.account as { acct: string }).acct));
  });
});
