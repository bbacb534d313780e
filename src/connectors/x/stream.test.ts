import { describe, expect, it } from 'vitest';
import type { RawPayload } from '../../core/index.js';
import type { Clock } from './backoff.js';
import { XStreamClient, type StreamEvent } from './stream.js';

/** A manual clock: timers fire only when the test advances time. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number[] } {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now && timers.delete(id)) t.fn();
      }
    },
    pending: () => [...timers.values()].map((t) => t.at - now),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A response whose body is fed chunk by chunk, and errors when the request is aborted. */
function streamingResponse(signal: AbortSignal | null | undefined) {
  let ctl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
  signal?.addEventListener('abort', () => ctl.error(new Error('aborted')));
  const enc = new TextEncoder();
  return { res: new Response(body, { status: 200 }), push: (s: string) => ctl.enqueue(enc.encode(s)), end: () => ctl.close() };
}

describe('XStreamClient', () => {
  it('splits lines across chunks, skips keep-alives and error-only lines, and waits for the sink', async () => {
    const clock = manualClock();
    let feed: ReturnType<typeof streamingResponse> | null = null;
    const urls: string[] = [];
    const events: StreamEvent[] = [];
    const client = new XStreamClient({
      name: 'x-test',
      baseUrl: 'https://api.x.test/',
      bearerToken: 'T',
      clock,
      onEvent: (e) => events.push(e),
      fetch: async (url, init) => {
        urls.push(String(url));
        expect(new Headers(init?.headers).get('authorization')).toBe('Bearer T');
        feed = streamingResponse(init?.signal);
        return feed.res;
      },
    });
    const got: RawPayload[] = [];
    let release: () => void = () => {};
    const run = client.run(async (raw) => {
      got.push(raw);
      if (got.length === 1) await new Promise<void>((r) => (release = r));
    });
    await flush();
    expect(urls[0]).toMatch(/^https:\/\/api\.x\.test\/2\/tweets\/search\/stream\?tweet\.fields=.*&expansions=author_id,referenced_tweets\.id,in_reply_to_user_id&user\.fields=username,name,public_metrics,verified$/);
    feed!.push('\r\n{"data":{"id":"1"');
    feed!.push('}}\r\n\r\n{"errors":[{"title":"operational-disconnect"}]}\r\n{"data":{"id":"2"}}\r\n');
    await flush();
    expect(got.map((g) => g.data)).toEqual(['{"data":{"id":"1"}}']);
    // The sink is slow: that is not a stall.
    clock.advance(60_000);
    await flush();
    expect(events.some((e) => e.type === 'retrying')).toBe(false);
    release();
    await flush();
    expect(got.map((g) => g.data)).toEqual(['{"data":{"id":"1"}}', '{"data":{"id":"2"}}']);
    expect(got[0]).toEqual({ format: 'x-v2', data: '{"data":{"id":"1"}}', source: 'x-test', line: null });
    expect(events.some((e) => e.type === 'stream_error')).toBe(true);
    await client.stop();
    await run;
    expect(events[events.length - 1]).toEqual({ type: 'stopped' });
  });

  it('treats 20 s of silence as a dead connection and reconnects on the network schedule', async () => {
    const clock = manualClock();
    let connects = 0;
    const events: StreamEvent[] = [];
    const client = new XStreamClient({
      name: 'x',
      baseUrl: 'http://x',
      bearerToken: 'T',
      clock,
      onEvent: (e) => events.push(e),
      fetch: async (_u, init) => {
        connects++;
        return streamingResponse(init?.signal).res; // never sends a byte
      },
    });
    const run = client.run(async () => {});
    await flush();
    expect(connects).toBe(1);
    clock.advance(19_999);
    await flush();
    expect(connects).toBe(1);
    clock.advance(1);
    await flush();
    await flush();
    const retry = events.find((e) => e.type === 'retrying');
    expect(retry).toMatchObject({ kind: 'network', delayMs: 250, attempt: 1 });
    clock.advance(250);
    await flush();
    expect(connects).toBe(2);
    clock.advance(20_000);
    await flush();
    await flush();
    expect(events.filter((e) => e.type === 'retrying').map((e) => (e.type === 'retrying' ? e.delayMs : 0))).toEqual([250, 500]);
    await client.stop();
    await run;
  });

  it('backs off HTTP errors exponentially and 429 from a minute, honouring x-rate-limit-reset', async () => {
    const clock = manualClock();
    const statuses = [503, 500, 429, 429];
    const events: StreamEvent[] = [];
    const client = new XStreamClient({
      name: 'x',
      baseUrl: 'http://x',
      bearerToken: 'T',
      clock,
      onEvent: (e) => events.push(e),
      fetch: async () => {
        const status = statuses.shift() ?? 503;
        const headers = status === 429 && statuses.length === 0 ? { 'x-rate-limit-reset': String((clock.now() + 500_000) / 1000) } : undefined;
        return new Response(JSON.stringify({ title: 'Oops', detail: 'Oops' }), { status, headers });
      },
    });
    const run = client.run(async () => {});
    const delays = () => events.flatMap((e) => (e.type === 'retrying' ? [e.delayMs] : []));
    for (const step of [5_000, 10_000, 60_000]) {
      await flush();
      await flush();
      clock.advance(step);
    }
    await flush();
    await flush();
    expect(delays()).toEqual([5_000, 10_000, 60_000, 500_000]);
    await client.stop(); // cancels the pending 500 s wait at once
    await run;
  });
});
