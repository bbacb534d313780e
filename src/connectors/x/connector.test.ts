import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorHealth, Connector, OutboundRequest, RawPayload } from '../../core/index.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { createXConnector, type XConnectorOptions } from './connector.js';
import { XApiError, XRateLimitError } from './publish.js';
import { fastClock, until } from '../testing.js';

interface Line {
  data: { id: string; text: string; author_id: string; conversation_id: string; in_reply_to_user_id?: string };
}

let sandbox: Sandbox | null = null;
let connector: Connector | null = null;

afterEach(async () => {
  await connector?.stop();
  await sandbox?.close();
  connector = null;
  sandbox = null;
});

async function setup(sb: Parameters<typeof startSandbox>[0] = {}, conn: Partial<XConnectorOptions> = {}) {
  sandbox = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, keepAliveMs: 50, seed: 7, ...sb });
  const lines: Line[] = [];
  const statuses: ConnectorHealth[] = [];
  const s = sandbox;
  connector = createXConnector({
    name: 'x-sandbox',
    baseUrl: s.url,
    bearerToken: s.bearerToken,
    accounts: s.brands.map((b) => ({ handle: b.handle, externalId: null, userToken: s.userTokens[b.handle] ?? '' })),
    stallTimeoutMs: 400,
    onStatus: (h) => statuses.push(h),
    ...conn,
  });
  const raws: RawPayload[] = [];
  await connector.start(async (raw) => {
    raws.push(raw);
    lines.push(JSON.parse(String(raw.data)) as Line);
  });
  return { s, c: connector, lines, raws, statuses };
}

const reply = (handle: string, text: string, inReplyTo: string | null): OutboundRequest => ({
  network: 'x',
  account: { handle, externalId: null },
  text,
  inReplyToExternalId: inReplyTo,
  isPrivate: false,
  idempotencyKey: `k-${text}`,
});

describe('X connector against the sandbox', () => {
  it('receives posts as raw x-v2 lines and survives keep-alives', async () => {
    const { s, c, lines, raws } = await setup();
    await until('connected', () => c.health().state === 'connected');
    await new Promise((r) => setTimeout(r, 200)); // several keep-alives
    const ids = s.emitNow(5);
    await until('5 lines', () => lines.length >= 5);
    expect(lines.map((l) => l.data.id)).toEqual(ids);
    expect(raws[0]).toMatchObject({ format: 'x-v2', source: 'x-sandbox', line: null });
    expect(c.health()).toMatchObject({ state: 'connected', received: 5, attempt: 0, network: 'x' });
  });

  it('publishes a reply that the sandbox records and streams back; the customer answers', async () => {
    const { s, c, lines } = await setup({ replyDelayMs: [20, 40] });
    await until('connected', () => c.health().state === 'connected');
    // Find a customer post to answer.
    let target: Line | undefined;
    for (let i = 0; i < 50 && !target; i++) {
      s.emitNow(1);
      const l = await until('line', () => lines[lines.length - 1]);
      if (!l.data.text.startsWith('RT ') && !l.data.in_reply_to_user_id) target = l;
    }
    if (!target) throw new Error('no target');
    const brand = s.brands[0];
    if (!brand) throw new Error('no brand');
    const sent = await c.publish(reply(brand.handle, 'Sorry to hear that! Could you DM us your account number?', target.data.id));
    expect(sent.externalId).toMatch(/^\d{19}$/);
    expect(sent.url).toBe(`https://x.com/${brand.handle}/status/${sent.externalId}`);
    expect(sent.post).toMatchObject({ direction: 'outbound', inReplyToId: target.data.id, source: 'x-v2', network: 'x' });
    expect(sent.post.author).toMatchObject({ handle: brand.handle, externalId: brand.userId });
    expect(s.received).toEqual([expect.objectContaining({ id: sent.externalId, brand: brand.handle, inReplyToId: target.data.id })]);
    const echoed = await until('echo', () => lines.find((l) => l.data.id === sent.externalId));
    expect(echoed.data.conversation_id).toBe(target.data.conversation_id);
    const answer = await until('customer answer', () => lines.find((l) => l.data.author_id === target.data.author_id && l.data.in_reply_to_user_id === brand.userId));
    expect(answer.data.conversation_id).toBe(target.data.conversation_id);
    expect(c.health().sent).toBe(1);
  });

  it('detects a stall (no keep-alives) and reconnects', async () => {
    const { s, c, statuses } = await setup({}, { stallTimeoutMs: 300 });
    await until('connected', () => c.health().state === 'connected' && s.streamConnections === 1);
    s.setStalled(true);
    await until('reconnecting', () => statuses.find((h) => h.state === 'reconnecting'));
    s.setStalled(false);
    await until('second connection', () => s.streamConnections >= 2);
    await until('connected again', () => c.health().state === 'connected');
    expect(statuses.find((h) => h.state === 'reconnecting')?.detail).toMatch(/stall/);
  });

  it('reports reconnecting with attempt counts while the network is down, then connected', async () => {
    const { s, c, statuses, lines } = await setup({}, { clock: fastClock(100), stallTimeoutMs: 20_000 });
    await until('connected', () => c.health().state === 'connected');
    s.setDown(true);
    await until('attempt 3', () => c.health().attempt >= 3);
    const h = c.health();
    expect(h.state).toBe('reconnecting');
    expect(h.nextRetryAt).not.toBeNull();
    expect(h.detail).toMatch(/503/);
    s.setDown(false);
    await until('connected again', () => c.health().state === 'connected', 15_000);
    expect(c.health().attempt).toBe(0);
    expect(statuses.map((x) => x.state)).toContain('reconnecting');
    s.emitNow(1);
    await until('line after recovery', () => lines.length === 1);
  });

  it('401 → auth_failed with a helpful detail', async () => {
    const { c } = await setup({}, { bearerToken: 'wrong' });
    await until('auth_failed', () => c.health().state === 'auth_failed');
    expect(c.health().detail).toMatch(/bearer token/i);
  });

  it('a duplicate-content 403 resolves to the post that already exists', async () => {
    const { s, c } = await setup();
    const handle = s.brands[1]?.handle ?? '';
    const first = await c.publish(reply(handle, 'We are looking into this now.', null));
    const second = await c.publish({ ...reply(handle, 'We are looking into this now.', null), idempotencyKey: 'retry' });
    expect(second.externalId).toBe(first.externalId);
    expect(s.received).toHaveLength(1);
  });

  it('honours rate limits and classifies errors', async () => {
    const { s, c } = await setup({ postLimitPer15Min: 1 });
    const handle = s.brands[2]?.handle ?? '';
    await c.publish(reply(handle, 'one', null));
    const e1 = await c.publish(reply(handle, 'two', null)).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(XRateLimitError);
    expect(e1).toMatchObject({ retryable: true, status: 429 });
    expect((e1 as XRateLimitError).retryAt).toBeGreaterThan(Date.now());
    // Known exhausted: refused locally, before any request.
    const e2 = await c.publish(reply(handle, 'three', null)).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(XRateLimitError);
    expect((e2 as Error).message).toMatch(/exhausted/);
    const e3 = await c.publish(reply('nobody', 'x', null)).catch((e: unknown) => e);
    expect(e3).toMatchObject({ retryable: false });
    const tooLong = await c.publish(reply(s.brands[0]?.handle ?? '', 'x'.repeat(300), null)).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(XApiError);
    expect(tooLong).toMatchObject({ status: 400, retryable: false });
  });

  it('network errors on publish are retryable', async () => {
    const { s, c } = await setup();
    await s.close();
    const e = await c.publish(reply(s.brands[0]?.handle ?? '', 'hello', null)).catch((err: unknown) => err);
    expect(e).toMatchObject({ retryable: true, status: null });
  });
});
