import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { EarshotEvent } from '../../core/index.js';
import { RecordingBus, call, login, startFixture, type Fixture } from '../test-fixture.js';
import { SseConnection } from './events.js';

const updated = (id: number): EarshotEvent => ({ type: 'conversation.updated', conversationId: id, status: 'open', at: 1 });

/** Reads an event stream's text until `until` matches (or times out). */
function streamReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    get text() {
      return text;
    },
    async waitFor(until: RegExp, ms = 3000): Promise<string> {
      const deadline = Date.now() + ms;
      while (!until.test(text)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${until}; got ${JSON.stringify(text)}`);
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
        if (chunk === null) continue;
        if (chunk.done) throw new Error(`stream ended waiting for ${until}; got ${JSON.stringify(text)}`);
        text += decoder.decode(chunk.value, { stream: true });
      }
      return text;
    },
    async ended(ms = 3000): Promise<boolean> {
      const deadline = Date.now() + ms;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        const chunk = await Promise.race([reader.read().catch(() => ({ done: true as const, value: undefined })), new Promise<null>((r) => setTimeout(() => r(null), left))]);
        if (chunk === null) return false;
        if (chunk.done) return true;
        text += decoder.decode(chunk.value, { stream: true });
      }
    },
  };
}

describe('GET /api/events over HTTP', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('streams bus events with the right headers, keep-alives, and unsubscribes when the client goes', async () => {
    f = await startFixture({ sseKeepAliveMs: 50 });
    const cookie = await login(f.url, 'viewer@example.com');
    const ac = new AbortController();
    const res = await fetch(`${f.url}/api/events`, { headers: { cookie }, signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toMatch(/no-cache/);
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const s = streamReader(res.body!);
    await s.waitFor(/^retry: 3000\n\n/);
    expect(f.bus.subscribers).toBe(1);

    f.bus.publish([updated(7)]);
    const text = await s.waitFor(/event: conversation\.updated\n/);
    const block = text.split('\n\n').find((b) => b.startsWith('event: conversation.updated'))!;
    expect(block.split('\n')).toEqual(['event: conversation.updated', `data: ${JSON.stringify(updated(7))}`]);
    await s.waitFor(/: keep-alive\n\n/);

    ac.abort();
    await expect.poll(() => f!.bus.subscribers, { timeout: 2000 }).toBe(0);
  });

  it('answers 401 JSON when signed out, and ends the streams of a session that signs out', async () => {
    f = await startFixture();
    const anon = await call(f.url, 'GET', '/api/events');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toMatch(/^application\/json/);
    expect(anon.body.code).toBe('unauthorized');

    const cookie = await login(f.url, 'agent@example.com');
    const res = await fetch(`${f.url}/api/events`, { headers: { cookie } });
    const s = streamReader(res.body!);
    await s.waitFor(/retry: 3000/);
    expect((await call(f.url, 'POST', '/api/logout', { cookie, body: {} })).status).toBe(204);
    expect(await s.ended()).toBe(true);
    expect(f.bus.subscribers).toBe(0);
  });

  it('closing the server ends open streams instead of hanging', async () => {
    f = await startFixture();
    const cookie = await login(f.url, 'agent@example.com');
    const streams = await Promise.all(
      [1, 2, 3].map(async () => {
        const s = streamReader((await fetch(`${f!.url}/api/events`, { headers: { cookie } })).body!);
        await s.waitFor(/retry: 3000/);
        return s;
      }),
    );
    const started = Date.now();
    await f.app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    for (const s of streams) expect(await s.ended()).toBe(true);
    expect(f.bus.subscribers).toBe(0);
  });
});

/** A socket stand-in whose buffer fills after `highWaterMark` bytes and drains only when told to. */
function slowSink(highWaterMark: number) {
  const chunks: string[] = [];
  const pending: Array<() => void> = [];
  const sink = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, done) {
      chunks.push(String(chunk));
      pending.push(done);
    },
  });
  return {
    sink,
    chunks,
    /** Lets the "network" take everything written so far. */
    flush() {
      while (pending.length) pending.shift()!();
    },
  };
}

describe('SseConnection with a slow client', () => {
  it('drops events while the socket is full and sends one resync once it drains', async () => {
    const bus = new RecordingBus();
    const { sink, chunks, flush } = slowSink(64);
    const conn = new SseConnection(sink, bus, 60_000, null);
    flush();
    await new Promise((r) => setImmediate(r));

    // Each event is > 64 bytes: the first fills the buffer; the rest are dropped rather than queued.
    for (let i = 1; i <= 50; i++) bus.publish([updated(i)]);
    expect(sink.writableLength).toBeLessThan(200);
    flush();
    await new Promise((r) => setImmediate(r));
    flush();
    await new Promise((r) => setImmediate(r));

    const all = chunks.join('');
    expect(all.match(/event: conversation\.updated/g)).toHaveLength(1);
    expect(all.match(/event: resync\n/g)).toHaveLength(1);
    expect(all).toContain('"conversationId":1,');

    // Back to normal: new events flow again, and no second resync without a loss.
    bus.publish([updated(99)]);
    flush();
    await new Promise((r) => setImmediate(r));
    flush();
    const after = chunks.join('');
    expect(after).toContain('"conversationId":99,');
    expect(after.match(/event: resync\n/g)).toHaveLength(1);
    conn.close(true);
    expect(bus.subscribers).toBe(0);
  });
});
