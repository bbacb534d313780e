import { afterEach, describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '../../core/errors.js';
import type { ConnectorHealth, OutboundRequest, RawPayload } from '../../core/index.js';
import { buildBrandIndex } from '../../core/index.js';
import { describeWithSharedData } from '../../testing/shared-data.js';
import { normalizeRaw } from '../formats.js';
import { createBlueskyConnector, type BlueskyConnector, type BlueskyConnectorOptions } from './connector.js';
import { CAPTURE_FILE, INLINE_EVENTS, defaultEvents, startFakeBluesky, type FakeBluesky, type FakeBlueskyOptions } from './fake-server.js';
import { brandEventFilter } from './filter.js';
import { keyValueCursorStore, memoryCursorStore, subscribeUrl, timeUsOf } from './jetstream.js';
import { BlueskyApiError, rkeyFor } from './publish.js';
import { fastClock, until } from '../testing.js';

let fake: FakeBluesky | null = null;
let connector: BlueskyConnector | null = null;

afterEach(async () => {
  await connector?.stop();
  await fake?.close();
  connector = null;
  fake = null;
});

/** External ids of the posts (creates in app.bsky.feed.post) among JSON lines, as the normalizer names them. */
function postIds(lines: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const line of lines) {
    try {
      for (const p of normalizeRaw({ format: 'bluesky-jetstream', data: line, source: 't', line: null }).posts) ids.add(p.externalId);
    } catch {
      // malformed: not a post
    }
  }
  return ids;
}

function counts(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

async function setup(fo: FakeBlueskyOptions = {}, co: Partial<BlueskyConnectorOptions> = {}) {
  fake = await startFakeBluesky({ events: [...INLINE_EVENTS], ...fo });
  const f = fake;
  const raws: RawPayload[] = [];
  const statuses: ConnectorHealth[] = [];
  connector = createBlueskyConnector({
    name: 'bluesky-test',
    jetstreamUrl: f.jetstreamUrl,
    pdsUrl: f.url,
    identifier: f.handle,
    appPassword: f.password,
    stallTimeoutMs: 5_000,
    onStatus: (h) => statuses.push(h),
    ...co,
  });
  const c = connector;
  await c.start(async (raw) => {
    raws.push(raw);
  });
  const lines = () => raws.map((r) => String(r.data));
  /** Every post the server has (the replay is filtered to posts, so every post it emitted). */
  const expected = postIds(f.events);
  const allReceived = () => [...expected].every((id) => postIds(lines()).has(id));
  return { f, c, raws, lines, statuses, expected, allReceived };
}

const reply = (f: FakeBluesky, text: string, inReplyTo: string | null, key = `earshot-reply-${text}`): OutboundRequest => ({
  network: 'bluesky',
  account: { handle: f.handle, externalId: null },
  text,
  inReplyToExternalId: inReplyTo,
  isPrivate: false,
  idempotencyKey: key,
});

const ROOT = 'at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mmrootaaaaa2';
const MID = 'at://did:plc:bobbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3mmreplyaaaa2';
const DEEP = 'at://did:plc:carolccccccccccccccccccc/app.bsky.feed.post/3mmdeepaaaaa2';

describe('Bluesky Jetstream listening against the fake server', () => {
  it('clean stream: subscribes to posts only, and every emitted event reaches the sink exactly once', async () => {
    const { f, c, raws, lines, expected, allReceived } = await setup();
    await until('all posts', allReceived);
    await new Promise((r) => setTimeout(r, 100));
    expect(f.connections).toHaveLength(1);
    expect(f.connections[0]?.wantedCollections).toEqual(['app.bsky.feed.post']);
    expect(f.connections[0]?.cursor).toBeNull();
    // The like is filtered out by the server; identity events always come through (the pipeline ignores them).
    expect(counts(lines())).toEqual(counts(f.connections[0]?.sent ?? []));
    expect(expected.size).toBe(3);
    expect(raws[0]).toMatchObject({ format: 'bluesky-jetstream', source: 'bluesky-test', line: null });
    expect(c.cursor()).toBe(Math.max(...lines().map((l) => timeUsOf(l) ?? 0)));
    expect(c.health()).toMatchObject({ state: 'connected', network: 'bluesky', attempt: 0, received: raws.length });
  });

  it('disconnect mid-stream: reconnects from the cursor minus the rewind; after dedupe nothing is missing', async () => {
    const { f, lines, statuses, expected, allReceived } = await setup({ plans: [{ dropAfter: 2 }], paceMs: 20 });
    await until('all posts after the reconnect', allReceived);
    expect(f.connections.length).toBeGreaterThanOrEqual(2);
    const first = f.connections[0]?.sent ?? [];
    const resumedAt = f.connections[1]?.cursor;
    expect(first.map((l) => (timeUsOf(l) ?? 0) - 5_000_000)).toContain(resumedAt);
    expect(statuses.some((s) => s.state === 'reconnecting' && /closed|ECONNRESET|socket/i.test(s.detail ?? ''))).toBe(true);
    expect(postIds(lines())).toEqual(expected);
  });

  it('resumes exactly at the cursor with rewindMs 0, replaying only what was not processed (plus the last event)', async () => {
    const { f, lines, allReceived } = await setup({ plans: [{ dropAfter: 2 }], paceMs: 20 }, { rewindMs: 0 });
    await until('all posts after the reconnect', allReceived);
    const resumedAt = f.connections[1]?.cursor ?? null;
    expect(resumedAt).not.toBeNull();
    // Nothing before the cursor is sent again.
    expect((f.connections[1]?.sent ?? []).every((l) => (timeUsOf(l) ?? 0) >= (resumedAt ?? 0))).toBe(true);
    expect(lines().length).toBeLessThan(f.connections[0]!.sent.length + f.events.length);
  });

  it('stall: no message for the stall timeout → reconnect, and the stream completes', async () => {
    const { f, statuses, allReceived } = await setup({ plans: [{ stallAfter: 1 }] }, { stallTimeoutMs: 300 });
    await until('all posts after the stall', allReceived);
    expect(f.connections.length).toBeGreaterThanOrEqual(2);
    expect(statuses.some((s) => s.state === 'reconnecting' && /stalled: no message for 300 ms/.test(s.detail ?? ''))).toBe(true);
    await until('connected again', () => statuses.at(-1)?.state === 'connected');
  });

  it('truncated JSON message: delivered to the sink (the pipeline quarantines it) and the stream goes on', async () => {
    const { f, raws, allReceived } = await setup({ plans: [{ truncateAt: 1 }] });
    await until('all posts', allReceived);
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

  it('keeps the cursor in the cursor store and resumes from it (minus the rewind) after a restart', async () => {
    const store = memoryCursorStore();
    const { f, c, allReceived } = await setup({}, { cursorStore: store, cursorSaveIntervalMs: 60_000 });
    await until('all posts', allReceived);
    const last = c.cursor();
    await c.stop();
    expect(store.value).toBe(last);
    expect(c.health().state).toBe('stopped');
    const again = createBlueskyConnector({ name: 'bluesky-test', jetstreamUrl: f.jetstreamUrl, pdsUrl: f.url, identifier: f.handle, appPassword: f.password, cursorStore: store, rewindMs: 1_000 });
    connector = again;
    await again.start(async () => undefined);
    await until('second connection', () => f.connections.length >= 2);
    expect(f.connections[1]?.cursor).toBe((last ?? 0) - 1_000_000);
  });

  it('a storm of 503s on connect: reconnecting with attempt counts and HTTP backoff, then connected', async () => {
    // Stall timeout 600 s on the fast clock = 6 s: a quiet stream must not add reconnects of its own.
    const { statuses, allReceived } = await setup({}, { clock: fastClock(100), stallTimeoutMs: 600_000 });
    // The fake server was already connected to once; drop and fail the next three upgrades.
    await until('all posts', allReceived);
    fake!.failNext('subscribe', 503, 3);
    fake!.dropAll();
    await until('connected again', () => statuses.filter((s) => s.state === 'connected').length >= 2);
    const retries = statuses.filter((s) => s.state === 'reconnecting');
    expect(retries.map((s) => s.attempt)).toEqual([1, 2, 3, 4]);
    // A dropped socket is a network failure (250 ms); the 503s back off exponentially from 5 s.
    expect(retries.map((s) => /in (\d+) ms/.exec(s.detail ?? '')?.[1])).toEqual(['250', '5000', '10000', '20000']);
    expect(retries[1]?.detail).toMatch(/HTTP 503/);
  });

  it('backpressure: a slow sink slows the reader, is not taken for a stall, and the cursor follows the sink', async () => {
    fake = await startFakeBluesky({ events: [...INLINE_EVENTS] });
    const f = fake;
    const seen: string[] = [];
    let release: (() => void) | null = null;
    const store = memoryCursorStore();
    const c = createBlueskyConnector({ name: 'slow', jetstreamUrl: f.jetstreamUrl, pdsUrl: f.url, identifier: f.handle, appPassword: f.password, stallTimeoutMs: 150, cursorStore: store, cursorSaveIntervalMs: 0 });
    connector = c;
    await c.start(async (raw) => {
      seen.push(String(raw.data));
      if (seen.length === 1) await new Promise<void>((r) => (release = r));
    });
    await until('first event in the sink', () => seen.length === 1);
    await new Promise((r) => setTimeout(r, 600)); // four stall timeouts while the sink holds the first event
    expect(c.cursor()).toBeNull();
    expect(store.value).toBeNull();
    expect(seen).toHaveLength(1);
    expect(f.connections).toHaveLength(1);
    (release as (() => void) | null)?.();
    await until('every event', () => seen.length >= (f.connections[0]?.sent.length ?? Infinity));
    expect(c.cursor()).toBe(Math.max(...seen.map((l) => timeUsOf(l) ?? 0)));
    expect(store.value).toBe(c.cursor());
  });

  it('with a brand filter, only events for the brand (and malformed messages) reach the sink; the cursor passes the rest', async () => {
    const idx = buildBrandIndex([{ id: 1, name: 'brand', keywords: [] }], []);
    const { f, c, raws } = await setup({ plans: [{ truncateAt: 2 }] }, { filter: brandEventFilter(() => idx) });
    await until('the last event processed', () => c.cursor() === Math.max(...f.events.map((l) => timeUsOf(l) ?? 0)));
    expect(raws.map((r) => String(r.data))).toEqual([f.connections[0]?.sent[0], f.connections[0]?.sent[2]]);
    expect(postIds(raws.map((r) => String(r.data)))).toEqual(new Set([ROOT]));
  });

  it('keyValueCursorStore: reads and writes the store cursor, flushing first', async () => {
    const kv = new Map<string, string>();
    const order: string[] = [];
    const store = keyValueCursorStore(
      { getCursor: async (k) => kv.get(k) ?? null, setCursor: async (k, v) => void (order.push(`set ${v}`), kv.set(k, v)) },
      'bluesky:jetstream',
      async () => void order.push('flush'),
    );
    await expect(store.load()).resolves.toBeNull();
    await store.save(1_783_175_888_000_000);
    await expect(store.load()).resolves.toBe(1_783_175_888_000_000);
    expect(order).toEqual(['flush', 'set 1783175888000000']);
    kv.set('bluesky:jetstream', 'garbage');
    await expect(store.load()).resolves.toBeNull();
  });

  it('builds the subscribe URL with the collection filter and cursor', () => {
    expect(subscribeUrl('https://jetstream.example/', 42)).toBe('wss://jetstream.example/subscribe?wantedCollections=app.bsky.feed.post&cursor=42');
    expect(subscribeUrl('ws://127.0.0.1:1', null)).toBe('ws://127.0.0.1:1/subscribe?wantedCollections=app.bsky.feed.post');
  });
});

describeWithSharedData('Bluesky Jetstream listening on the recorded capture', () => {
  it(`replays ${CAPTURE_FILE.split('/').pop()} cleanly: every emitted event exactly once`, async () => {
    const { lines: events, recorded } = defaultEvents();
    expect(recorded).toBe(true);
    const { f, lines, expected, allReceived } = await setup({ events });
    await until('all posts', allReceived);
    await new Promise((r) => setTimeout(r, 100));
    expect(expected.size).toBeGreaterThan(10);
    expect(counts(lines())).toEqual(counts(f.connections[0]?.sent ?? []));
  });

  it('disconnect and stall mid-capture: every post arrives, duplicates only from the rewind', async () => {
    const { lines: events } = defaultEvents();
    const { f, lines, expected, allReceived } = await setup({ events, plans: [{ dropAfter: 5 }, { stallAfter: 9 }, { truncateAt: 3 }], paceMs: 5 }, { stallTimeoutMs: 300 });
    await until('all posts', allReceived);
    expect(f.connections.length).toBeGreaterThanOrEqual(3);
    expect(postIds(lines())).toEqual(expected);
  });
});

describe('Bluesky publishing against the fake PDS', () => {
  it('a reply to a reply: root is the thread root, parent the post answered, both strong refs', async () => {
    const { f, c } = await setup();
    const sent = await c.publish(reply(f, 'Sorry about that, we are on it', DEEP));
    expect(f.created).toHaveLength(1);
    const rec = f.created[0]!;
    expect(rec.value).toMatchObject({
      $type: 'app.bsky.feed.post',
      text: 'Sorry about that, we are on it',
      reply: { root: { uri: ROOT, cid: f.records.get(ROOT)?.cid }, parent: { uri: DEEP, cid: f.records.get(DEEP)?.cid } },
    });
    expect(typeof rec.value.createdAt).toBe('string');
    expect(sent.externalId).toBe(rec.uri);
    expect(sent.externalId).toBe(`at://${f.did}/app.bsky.feed.post/${rkeyFor('earshot-reply-Sorry about that, we are on it')}`);
    expect(sent.post).toMatchObject({ network: 'bluesky', direction: 'outbound', inReplyToId: DEEP, rootId: ROOT, author: { externalId: f.did, handle: f.handle } });
    expect(c.health().sent).toBe(1);
    // Answering the middle post: its own root; answering the root: root = parent.
    await c.publish(reply(f, 'second', MID));
    expect(f.created[1]?.value.reply).toEqual({ root: { uri: ROOT, cid: f.records.get(ROOT)?.cid }, parent: { uri: MID, cid: f.records.get(MID)?.cid } });
    await c.publish(reply(f, 'third', ROOT));
    expect(f.created[2]?.value.reply).toEqual({ root: { uri: ROOT, cid: f.records.get(ROOT)?.cid }, parent: { uri: ROOT, cid: f.records.get(ROOT)?.cid } });
    await c.publish(reply(f, 'a new post', null));
    expect(f.created[3]?.value.reply).toBeUndefined();
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.createSession')).toHaveLength(1);
  });

  it.each([401, 400] as const)('expired access token (%i ExpiredToken): refreshes the session and succeeds', async (status) => {
    const { f, c } = await setup();
    await c.publish(reply(f, 'one', ROOT));
    f.expireAccessTokens(status);
    const sent = await c.publish(reply(f, 'two', ROOT));
    expect(sent.externalId).toBe(f.created[1]?.uri);
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.refreshSession' && x.status === 200)).toHaveLength(1);
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.createSession')).toHaveLength(1);
    expect(f.created).toHaveLength(2);
  });

  it('concurrent replies after the token expired share one refresh', async () => {
    const { f, c } = await setup();
    await c.publish(reply(f, 'one', ROOT));
    f.expireAccessTokens();
    const sent = await Promise.all([c.publish(reply(f, 'two', ROOT)), c.publish(reply(f, 'three', MID)), c.publish(reply(f, 'four', DEEP))]);
    expect(new Set(sent.map((x) => x.externalId)).size).toBe(3);
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.refreshSession')).toHaveLength(1);
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.createSession')).toHaveLength(1);
    expect(f.created).toHaveLength(4);
  });

  it('refresh token expired too: signs in again with the app password and succeeds', async () => {
    const { f, c } = await setup();
    await c.publish(reply(f, 'one', ROOT));
    f.expireAccessTokens();
    f.expireRefreshTokens();
    await c.publish(reply(f, 'two', ROOT));
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.refreshSession').map((x) => x.status)).toEqual([400]);
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.server.createSession').map((x) => x.status)).toEqual([200, 200]);
    expect(f.created).toHaveLength(2);
  });

  it('account(): the signed-in handle and DID, for the brand account row', async () => {
    const { f, c } = await setup();
    await expect(c.account()).resolves.toEqual({ handle: f.handle, did: f.did });
    // Publishing for the DID as the account's external id works as well.
    await expect(c.publish({ ...reply(f, 'by did', ROOT), account: { handle: 'Brand.bsky.social', externalId: f.did } })).resolves.toBeTruthy();
  });

  it('timeout, then the retry: posted exactly once, the retry reports the record that exists', async () => {
    const { f, c } = await setup({}, { requestTimeoutMs: 300 });
    f.delayNextCreate(1_000);
    const req = reply(f, 'we will refund you', DEEP, 'earshot-reply-17');
    const err = await c.publish(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlueskyApiError);
    expect(err).toMatchObject({ retryable: true });
    const sent = await c.publish(req);
    expect(f.created).toHaveLength(1);
    expect(sent.externalId).toBe(f.created[0]?.uri);
    expect(sent.post.text).toBe('we will refund you');
    expect(f.calls.filter((x) => x.nsid === 'com.atproto.repo.createRecord').map((x) => x.status)).toEqual([400]);
  });

  it('classifies failures for the outbox: 5xx and 429 retryable, bad password, gone parent and bad request not', async () => {
    const { f, c } = await setup();
    f.failNext('com.atproto.repo.createRecord', 503, 2);
    await expect(c.publish(reply(f, 'x', ROOT))).rejects.toMatchObject({ status: 503, retryable: true });
    await expect(c.publish(reply(f, 'x', ROOT))).rejects.toMatchObject({ status: 503, retryable: true });
    await expect(c.publish(reply(f, 'x', ROOT))).resolves.toMatchObject({ externalId: expect.stringMatching(/^at:\/\//) });
    expect(f.created).toHaveLength(1);
    f.failNext('com.atproto.repo.createRecord', 429, 1);
    const limited = await c.publish(reply(f, 'y', ROOT)).catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429, retryable: true });
    expect((limited as BlueskyApiError).retryAt).toBeGreaterThan(Date.now());
    await expect(c.publish(reply(f, 'z', 'at://did:plc:nobody/app.bsky.feed.post/3mmgoneaaaa22'))).rejects.toMatchObject({ retryable: false, code: 'RecordNotFound' });
    await expect(c.publish(reply(f, 'z', 'https://bsky.app/whatever'))).rejects.toMatchObject({ retryable: false });
    await expect(c.publish({ ...reply(f, 'z', ROOT), account: { handle: 'someone.else', externalId: null } })).rejects.toMatchObject({ retryable: false });
    await expect(c.publish({ ...reply(f, 'z', ROOT), isPrivate: true })).rejects.toMatchObject({ retryable: false });
    f.failNext('com.atproto.repo.createRecord', 400, 1);
    await expect(c.publish(reply(f, 'w', ROOT))).rejects.toMatchObject({ status: 400, retryable: false });

    const wrong = createBlueskyConnector({ name: 'b2', jetstreamUrl: f.jetstreamUrl, pdsUrl: f.url, identifier: f.handle, appPassword: 'nope' });
    await expect(wrong.publish(reply(f, 'v', ROOT))).rejects.toMatchObject({ status: 401, retryable: false, message: expect.stringMatching(/app password/) });
    f.failNext('com.atproto.server.createSession', 502, 1);
    const flaky = createBlueskyConnector({ name: 'b3', jetstreamUrl: f.jetstreamUrl, pdsUrl: f.url, identifier: f.handle, appPassword: f.password });
    await expect(flaky.publish(reply(f, 'u', ROOT))).rejects.toMatchObject({ status: 502, retryable: true });
  });

  it('PDS unreachable: retryable', async () => {
    const c = createBlueskyConnector({ name: 'b4', jetstreamUrl: 'ws://127.0.0.1:9', pdsUrl: 'http://127.0.0.1:9', identifier: 'a.bsky.social', appPassword: 'x' });
    await expect(c.publish({ network: 'bluesky', account: { handle: 'a.bsky.social', externalId: null }, text: 't', inReplyToExternalId: null, isPrivate: false, idempotencyKey: 'k' })).rejects.toMatchObject({
      status: null,
      retryable: true,
    });
  });

  it('record keys are deterministic per idempotency key and have TID syntax', () => {
    expect(rkeyFor('earshot-reply-1')).toBe(rkeyFor('earshot-reply-1'));
    expect(rkeyFor('earshot-reply-1')).not.toBe(rkeyFor('earshot-reply-2'));
    for (let i = 0; i < 200; i++) expect(rkeyFor(`k${i}`)).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
  });
});
