import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../x/backoff.js';
import { INLINE_EVENTS, INLINE_PROFILES, startFakeBluesky, type FakeBluesky } from './fake-server.js';
import { HandleSync, authorDid } from './handle-sync.js';
import { DEFAULT_ERROR_TTL_MS, DEFAULT_NEGATIVE_TTL_MS, DEFAULT_TTL_MS, HandleResolver, parseProfiles } from './handles.js';

const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa';
const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb';
const CAROL = 'did:plc:carolccccccccccccccccccc';
const NOBODY = 'did:plc:nobodynobodynobodynobody';

let fake: FakeBluesky | null = null;
let resolver: HandleResolver | null = null;

afterEach(async () => {
  await resolver?.stop();
  await fake?.close();
  resolver = null;
  fake = null;
});

/** Real timers (for batching), a clock that the test moves (for TTLs and rate-limit pauses). */
function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    advance: (ms) => {
      offset += ms;
    },
  };
}

async function setup(profiles: Record<string, { handle: string; displayName?: string | null }> = INLINE_PROFILES) {
  fake = await startFakeBluesky({ events: [...INLINE_EVENTS], profiles });
  const clock = movableClock();
  resolver = new HandleResolver({ appViewUrl: fake.url, clock });
  return { fake, clock, resolver };
}

describe('HandleResolver', () => {
  it('resolves DIDs through getProfiles, batching at most 25 actors per call', async () => {
    const many: Record<string, { handle: string; displayName?: string | null }> = { ...INLINE_PROFILES };
    for (let i = 0; i < 30; i++) many[`did:plc:user${String(i).padStart(20, '0')}`] = { handle: `user${i}.bsky.social`, displayName: `User ${i}` };
    const { fake, resolver } = await setup(many);
    const dids = Object.keys(many);
    const found = await resolver.resolveMany(dids);
    expect(found.size).toBe(32);
    expect(found.get(ALICE)).toEqual({ did: ALICE, handle: 'alice.bsky.social', displayName: 'Alice' });
    expect(found.get(BOB)).toEqual({ did: BOB, handle: 'bob.bsky.social', displayName: null });
    expect(fake.profileRequests.map((r) => r.length)).toEqual([25, 7]);
    expect(new Set(fake.profileRequests.flat())).toEqual(new Set(dids));
  });

  it('answers from the cache, and never has two requests in flight for one DID', async () => {
    const { fake, resolver } = await setup();
    const [a, b] = await Promise.all([resolver.resolve(ALICE), resolver.resolve(ALICE)]);
    expect(a?.handle).toBe('alice.bsky.social');
    expect(b).toEqual(a);
    expect(fake.profileRequests).toEqual([[ALICE]]);
    expect((await resolver.resolve(ALICE))?.handle).toBe('alice.bsky.social');
    expect(fake.profileRequests).toHaveLength(1);
    expect(resolver.stats().hits).toBe(1);
  });

  it('expires entries after the TTL and keeps the cache bounded (least recently used goes first)', async () => {
    const { fake, clock } = await setup();
    resolver = new HandleResolver({ appViewUrl: fake.url, clock, maxEntries: 2 });
    await resolver.resolveMany([ALICE, BOB]);
    expect(resolver.peek(ALICE)?.handle).toBe('alice.bsky.social'); // alice is now the most recent
    resolver.learn(CAROL, 'carol.bsky.social');
    expect(resolver.stats().size).toBe(2);
    expect(resolver.peek(BOB)).toBeUndefined();
    clock.advance(DEFAULT_TTL_MS + 1);
    expect(resolver.peek(ALICE)).toBeUndefined();
    await resolver.resolve(ALICE);
    expect(fake.profileRequests).toHaveLength(2);
  });

  it('caches DIDs the AppView does not know, and failed lookups, for a shorter time', async () => {
    const { fake, clock, resolver } = await setup();
    expect(await resolver.resolve(NOBODY)).toBeNull();
    expect(await resolver.resolve(NOBODY)).toBeNull();
    expect(fake.profileRequests).toHaveLength(1);
    clock.advance(DEFAULT_NEGATIVE_TTL_MS + 1);
    fake.profiles.set(NOBODY, { handle: 'nobody.example.com' });
    expect((await resolver.resolve(NOBODY))?.handle).toBe('nobody.example.com');

    fake.failNext('app.bsky.actor.getProfiles', 503, 1);
    expect(await resolver.resolve(BOB)).toBeNull();
    expect(await resolver.resolve(BOB)).toBeNull();
    expect(fake.calls.filter((c) => c.nsid === 'app.bsky.actor.getProfiles').map((c) => c.status)).toEqual([200, 200, 503]);
    clock.advance(DEFAULT_ERROR_TTL_MS + 1);
    expect((await resolver.resolve(BOB))?.handle).toBe('bob.bsky.social');
    expect(resolver.stats().failures).toBe(1);
  });

  it('pauses after a 429 until ratelimit-reset, without caching the DIDs as unknown', async () => {
    const { fake, clock, resolver } = await setup();
    fake.failNext('app.bsky.actor.getProfiles', 429, 1);
    expect(await resolver.resolve(ALICE)).toBeNull();
    const until = resolver.rateLimitedUntil;
    // The fake answers ratelimit-reset = now + 60 s (epoch seconds).
    expect(until).toBeGreaterThan(Date.now() + 55_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 61_000);
    expect(await resolver.resolve(BOB)).toBeNull();
    expect(fake.profileRequests).toHaveLength(1); // no request while paused
    expect(resolver.peek(ALICE)).toBeUndefined();
    clock.advance(61_000);
    expect(resolver.rateLimitedUntil).toBe(0);
    expect((await resolver.resolve(ALICE))?.handle).toBe('alice.bsky.social');
    expect(resolver.stats().rateLimited).toBe(1);
  });

  it('learns handles from Jetstream identity events, without asking the AppView', async () => {
    const { fake, resolver } = await setup();
    for (const line of INLINE_EVENTS) resolver.learnFromEvent(JSON.parse(line));
    resolver.learnFromEvent({ kind: 'identity', identity: { did: NOBODY, handle: 'handle.invalid' } });
    resolver.learnFromEvent(null);
    expect(await resolver.resolve(CAROL)).toEqual({ did: CAROL, handle: 'carol.bsky.social', displayName: null });
    expect(resolver.peek(NOBODY)).toBeUndefined();
    expect(fake.profileRequests).toHaveLength(0);
    // A later handle change replaces the cached one, keeping the display name.
    await resolver.resolve(ALICE);
    resolver.learnFromEvent({ did: ALICE, time_us: 1, kind: 'identity', identity: { did: ALICE, handle: 'alice.example.com', seq: 2, time: '' } });
    expect(resolver.peek(ALICE)).toEqual({ did: ALICE, handle: 'alice.example.com', displayName: 'Alice' });
  });

  it('never rejects: an unreachable AppView resolves to null', async () => {
    resolver = new HandleResolver({ appViewUrl: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
    expect(await resolver.resolve(ALICE)).toBeNull();
    expect(await resolver.resolve('not-a-did')).toBeNull();
  });

  it('drops profiles it did not ask for or without a usable handle', () => {
    const body = { profiles: [{ did: ALICE, handle: 'Alice.BSKY.social', displayName: '  ' }, { did: BOB, handle: 'handle.invalid' }, { did: CAROL, handle: 'c.bsky.social' }, 3] };
    expect([...parseProfiles(body, new Set([ALICE, BOB])).values()]).toEqual([{ did: ALICE, handle: 'alice.bsky.social', displayName: null }]);
    expect(parseProfiles('nope', new Set([ALICE])).size).toBe(0);
  });
});

describe('HandleSync', () => {
  it('resolves the authors of the events handed to the pipeline and updates the store, publishing what it returns', async () => {
    const { resolver } = await setup();
    const calls: unknown[] = [];
    const published: unknown[] = [];
    let flushed = 0;
    const sync = new HandleSync({
      resolver,
      store: {
        updateIdentityHandles: async (network, updates) => {
          calls.push({ network, updates });
          return [{ type: 'conversation.updated', conversationId: 1, status: 'new', at: 1 }];
        },
      },
      beforeUpdate: async () => {
        flushed++;
      },
      publish: (e) => published.push(...e),
      delayMs: 5,
    });
    for (const line of INLINE_EVENTS) sync.noteRaw({ format: 'bluesky-jetstream', data: line, source: 't', line: null });
    sync.noteRaw({ format: 'bluesky-jetstream', data: '{not json', source: 't', line: null });
    await sync.idle();
    expect(flushed).toBe(1);
    expect(calls).toEqual([
      {
        network: 'bluesky',
        updates: [
          { externalId: ALICE, handle: 'alice.bsky.social', displayName: 'Alice' },
          { externalId: BOB, handle: 'bob.bsky.social', displayName: null },
        ],
      },
    ]);
    expect(published).toHaveLength(1);
    await sync.stop();
    sync.note(ALICE);
    await sync.idle();
    expect(calls).toHaveLength(1);
  });

  it('reads the author DID of commit events only', () => {
    expect(authorDid(INLINE_EVENTS[0]!)).toBe(ALICE);
    expect(authorDid(INLINE_EVENTS[3]!)).toBeNull(); // identity
    expect(authorDid({ kind: 'commit', did: BOB })).toBe(BOB);
    expect(authorDid('[]')).toBeNull();
  });
});

describe('HandleSync after a 429', () => {
  it('keeps the authors it could not look up and retries them once the pause is over', async () => {
    fake = await startFakeBluesky({ events: [...INLINE_EVENTS], profiles: INLINE_PROFILES });
    fake.failNext('app.bsky.actor.getProfiles', 429, 1);
    // The fake's 429 says "reset in 60 s"; this fetch shortens that to 1 s so the test does not wait for long.
    const shortReset: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status !== 429) return res;
      const headers = new Headers(res.headers);
      headers.set('ratelimit-reset', String(Date.now() / 1000 + 1));
      return new Response(await res.text(), { status: 429, headers });
    };
    resolver = new HandleResolver({ appViewUrl: fake.url, fetch: shortReset });
    const updates: string[] = [];
    const sync = new HandleSync({
      resolver,
      store: {
        updateIdentityHandles: async (_network, u) => {
          updates.push(...u.map((x) => x.handle));
          return [];
        },
      },
      delayMs: 5,
    });
    sync.note(ALICE);
    await new Promise((r) => setTimeout(r, 100));
    expect(updates).toEqual([]);
    expect(resolver.rateLimitedUntil).toBeGreaterThan(0);
    await sync.idle();
    expect(updates).toEqual(['alice.bsky.social']);
    expect(fake.profileRequests).toEqual([[ALICE], [ALICE]]);
    await sync.stop();
  });
});
