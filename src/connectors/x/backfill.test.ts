import { afterEach, describe, expect, it } from 'vitest';
import type { Connector, ConnectorHealth, RawPayload } from '../../core/index.js';
import { normalizeRaw } from '../formats.js';
import { listeningTerms } from '../sandbox/brands.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { dataIds, keywordQuery, listeningQuery, memoryCursorStore, snowflakeTime, type XCursorStore } from './backfill.js';
import { createXConnector, type XConnectorOptions } from './connector.js';
import { fastClock, until } from '../testing.js';

let sandbox: Sandbox | null = null;
const connectors: Connector[] = [];

afterEach(async () => {
  for (const c of connectors.splice(0)) await c.stop();
  await sandbox?.close();
  sandbox = null;
});

function connect(s: Sandbox, conn: Partial<XConnectorOptions> = {}) {
  const ids = new Set<string>();
  const raws: RawPayload[] = [];
  const statuses: ConnectorHealth[] = [];
  const c = createXConnector({
    name: 'x-sandbox',
    baseUrl: s.url,
    bearerToken: s.bearerToken,
    accounts: s.brands.map((b) => ({ handle: b.handle, externalId: null, userToken: s.userTokens[b.handle] ?? '' })),
    // The sandbox streams keyword matches too: listen for the brands' names and keywords as well.
    extraQuery: keywordQuery(s.brands.flatMap(listeningTerms)),
    stallTimeoutMs: 20_000,
    onStatus: (h) => statuses.push(h),
    ...conn,
  });
  connectors.push(c);
  const sink = async (raw: RawPayload) => {
    raws.push(raw);
    for (const id of dataIds(String(raw.data))) ids.add(id);
  };
  return { c, ids, raws, statuses, start: () => c.start(sink) };
}

const missing = (want: string[], got: Set<string>) => want.filter((id) => !got.has(id));

describe('listening query and ids', () => {
  it('builds `@a OR @b`, with an extra query OR-ed', () => {
    expect(listeningQuery(['acme', '@AcmeHelp'])).toBe('@acme OR @AcmeHelp');
    expect(listeningQuery(['acme'], 'acme OR "acme phone"')).toBe('(@acme) OR (acme OR "acme phone")');
    expect(keywordQuery(['Nimbus Mobile', 'nimbis'])).toBe('"Nimbus Mobile" OR nimbis');
    expect(snowflakeTime('1588000000000000000')).toBeGreaterThan(Date.UTC(2022, 0, 1));
  });
});

describe('X connector: gap backfill from recent search', () => {
  it('after the stream drops, every post emitted during the gap reaches the sink, paginated, with progress in health', async () => {
    sandbox = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, keepAliveMs: 50, seed: 11 });
    const s = sandbox;
    const { c, ids, raws, statuses, start } = connect(s, { clock: fastClock(100) });
    await start();
    await until('connected', () => c.health().state === 'connected' && s.streamConnections === 1);
    const before = s.emitNow(5);
    await until('live posts', () => missing(before, ids).length === 0);
    expect(s.searchRequests).toBe(0); // no cursor at the very start: nothing to backfill

    s.setDown(true);
    await until('reconnecting', () => c.health().state === 'reconnecting');
    const gap = s.emitNow(230); // the server keeps producing while the client is away
    s.setDown(false);
    await until('reconnected', () => s.streamConnections >= 2 && c.health().state === 'connected', 15_000);
    const after = s.emitNow(3);
    await until('gap and live posts', () => missing([...gap, ...after], ids).length === 0, 15_000);
    expect(missing(gap, ids)).toEqual([]);
    // 230 posts at 100 a page: three pages, each one RawPayload the X normalizer reads.
    expect(s.searchRequests).toBeGreaterThanOrEqual(3);
    const pages = raws.filter((r) => dataIds(String(r.data)).length > 1);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages) expect(normalizeRaw(p).posts.length).toBe(dataIds(String(p.data)).length);
    expect(statuses.some((h) => h.state === 'connected' && /filling a .*gap: \d+ posts/.test(h.detail ?? ''))).toBe(true);
    await until('backfill finished', () => c.health().detail === null);
    expect(c.health().received).toBeGreaterThanOrEqual(5 + 230 + 3);
  });

  it('a 429 on search delays the backfill while the live stream keeps flowing', async () => {
    sandbox = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, keepAliveMs: 50, seed: 12 });
    const s = sandbox;
    const { c, ids, statuses, start } = connect(s, { clock: fastClock(10) });
    await start();
    await until('connected', () => c.health().state === 'connected');
    const first = s.emitNow(2);
    await until('first', () => missing(first, ids).length === 0);

    s.rateLimitSearch(1_500);
    s.dropStream();
    const gap = s.emitNow(20);
    await until('reconnected', () => s.streamConnections >= 2 && c.health().state === 'connected');
    await until('rate-limited', () => statuses.find((h) => /rate-limited/.test(h.detail ?? '')));
    const live = s.emitNow(4);
    await until('live posts while search is rate-limited', () => missing(live, ids).length === 0);
    expect(missing(gap, ids).length).toBeGreaterThan(0); // the gap is still waiting for the search window
    expect(c.health().state).toBe('connected');
    await until('gap filled after the reset', () => missing(gap, ids).length === 0, 15_000);
  });

  it('a restart with a stored cursor backfills from it, and the cursor is saved on stop', async () => {
    sandbox = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, keepAliveMs: 50, seed: 13 });
    const s = sandbox;
    const store: XCursorStore & { value: string | null } = memoryCursorStore();
    const a = connect(s, { cursorStore: store, cursorSaveMs: 60_000 });
    await a.start();
    await until('connected', () => a.c.health().state === 'connected');
    const seen = s.emitNow(4);
    await until('seen', () => missing(seen, a.ids).length === 0);
    await a.c.stop();
    expect(store.value).toBe(seen[seen.length - 1]);

    const whileOff = s.emitNow(15);
    const b = connect(s, { cursorStore: store });
    await b.start();
    await until('backfilled from the stored cursor', () => missing(whileOff, b.ids).length === 0);
    for (const id of seen) expect(b.ids.has(id)).toBe(false); // since_id is exclusive
    await b.c.stop();
    expect(store.value).toBe(whileOff[whileOff.length - 1]);
  });

  it('a cursor older than recent search reaches is said in health, and searches the 7 days it can', async () => {
    const urls: string[] = [];
    const old = ((BigInt(Date.now() - 9 * 86_400_000 - 1288834974657) << 22n) | 1n).toString();
    const fetchFn: typeof fetch = async (url, init) => {
      const u = String(url);
      if (u.includes('/search/stream')) {
        // A stream that stays open with nothing to say (until aborted).
        const body = new ReadableStream<Uint8Array>({
          start: (ctl) => init?.signal?.addEventListener('abort', () => ctl.error(new Error('aborted'))),
        });
        return new Response(body, { status: 200 });
      }
      urls.push(u);
      return new Response(JSON.stringify({ data: [{ id: '1999999999999999999', text: '@acme help', author_id: '1', conversation_id: '1999999999999999999', edit_history_tweet_ids: ['1999999999999999999'] }], meta: { result_count: 1 } }), { status: 200 });
    };
    const got: string[] = [];
    const c = createXConnector({ name: 'x', baseUrl: 'https://api.x.test', bearerToken: 'T', accounts: [{ handle: 'acme', externalId: null, userToken: 'u' }], fetch: fetchFn, cursorStore: memoryCursorStore(old) });
    connectors.push(c);
    await c.start(async (raw) => void got.push(...dataIds(String(raw.data))));
    await until('searched', () => got.length === 1);
    expect(urls[0]).toContain('start_time=');
    expect(urls[0]).not.toContain('since_id=');
    expect(new URL(urls[0] ?? '').searchParams.get('query')).toBe('@acme');
    await until('warning', () => /7 days/.test(c.health().detail ?? ''));
    expect(c.health().state).toBe('connected');
  });
});
