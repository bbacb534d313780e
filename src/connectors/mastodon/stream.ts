/**
 * Mastodon streaming client: one WebSocket to `{streamingUrl}/api/v1/streaming?stream=user:notification` (the
 * brand account's notifications; mentions among them), with `hashtag` streams multiplexed on the same socket by
 * `{"type":"subscribe","stream":"hashtag","tag":…}` messages. Every message goes to the sink as a RawPayload, even
 * one that is not JSON (the pipeline quarantines it), and is awaited (backpressure).
 *
 * Mastodon has no resume cursor, so after every (re)connect the gap is filled from REST: mention notifications since
 * the newest notification id seen (kept in a CursorStore), oldest first. Duplicates are fine: the store dedupes on
 * (network, external id). Nothing at all (no message, no ping) for `heartbeatTimeoutMs` = a dead connection.
 *
 * A server that refuses the upgrade with 404/501 has no WebSocket streaming: the client switches to Server-Sent
 * Events (`/api/v1/streaming/user/notification`) for the rest of the run, with the same gap fill and watchdog, and
 * hands each event on in the WebSocket message shape (notifications only; hashtags are not streamed over SSE).
 */
import WebSocket from 'ws';
import type { RawPayload } from '../../core/index.js';
import { ReconnectPolicy, systemClock, type Clock, type FailureKind } from '../x/backoff.js';
import { MastodonApiError, compareIds, describe, errorText, parseMastodonReset, type MastodonRest } from './rest.js';
import {
  numericIdCursor,
  keyValueCursorStore as genericKeyValueCursorStore,
  memoryCursorStore as genericMemoryCursorStore,
  type CursorStore as GenericCursorStore,
  type KeyValueCursors,
} from '../cursor.js';
import { Sleeper } from '../sleeper.js';

export const FORMAT = 'mastodon';
export const STREAMING_PATH = '/api/v1/streaming';
/** Nothing (message or ping) for this long = dead connection. Mastodon pings every 30 s or so. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

/** Where the newest notification id seen lives between runs (connectors/cursor.ts). */
export type CursorStore = GenericCursorStore<string>;

export const memoryCursorStore = (initial: string | null = null) => genericMemoryCursorStore<string>(initial);

/** The notification cursor on the Store's key/value cursors; `beforeSave`: the pipeline's flush(). */
export const keyValueCursorStore = (kv: KeyValueCursors, key: string, beforeSave?: () => Promise<void>): CursorStore =>
  genericKeyValueCursorStore(kv, key, numericIdCursor, beforeSave);

export type StreamEvent =
  | { type: 'connecting'; attempt: number; cursor: string | null }
  | { type: 'connected' }
  /** The gap since the cursor was read from REST and handed to the sink; the backoff has been reset. */
  | { type: 'gap_filled'; count: number }
  | { type: 'retrying'; kind: FailureKind; status: number | null; detail: string; attempt: number; delayMs: number; nextRetryAt: number }
  | { type: 'cursor_error'; detail: string }
  /** The WebSocket upgrade was refused with 404/501: streaming over SSE from now on. */
  | { type: 'sse_fallback'; detail: string }
  | { type: 'stopped' };

export interface MastodonStreamOptions {
  /** Connector name, written into RawPayload.source. */
  name: string;
  /** Base of the streaming server, e.g. wss://mastodon.social (http(s):// is mapped to ws(s)://). */
  streamingUrl: string;
  accessToken: string;
  hashtags?: readonly string[];
  rest: MastodonRest;
  cursorStore?: CursorStore;
  heartbeatTimeoutMs?: number;
  clock?: Clock;
  /** For the SSE fallback. */
  fetch?: typeof globalThis.fetch;
  onEvent?: (e: StreamEvent) => void;
}

type Outcome = { kind: 'stopped' } | { kind: FailureKind; status: number | null; detail: string; resetAt?: number | null };

export function streamingUrl(base: string): string {
  const b = base.replace(/\/+$/, '').replace(/^http(s?):\/\//, 'ws$1://');
  return `${b}${STREAMING_PATH}?stream=user:notification`;
}

/** The id of the notification a streaming message carries, or null (not a notification, or not JSON). */
export function notificationIdOf(text: string): string | null {
  try {
    const env = JSON.parse(text) as { event?: unknown; payload?: unknown };
    if (env.event !== 'notification') return null;
    const p = (typeof env.payload === 'string' ? JSON.parse(env.payload) : env.payload) as { id?: unknown } | null;
    return typeof p?.id === 'string' && /^\d{1,40}$/.test(p.id) ? p.id : null;
  } catch {
    return null;
  }
}

export class MastodonStreamClient {
  private readonly policy = new ReconnectPolicy();
  private readonly clock: Clock;
  private readonly heartbeatMs: number;
  private readonly store: CursorStore;
  private stopped = false;
  private closeCurrent: (() => void) | null = null;
  /** Backoff waits, cut short by stop(). */
  private readonly sleeper: Sleeper;
  private running: Promise<void> | null = null;
  private newest: string | null = null;
  private saved: string | null = null;
  /** The server refused the WebSocket upgrade with 404/501: stream over SSE instead. */
  private sse = false;

  constructor(private readonly opts: MastodonStreamOptions) {
    this.clock = opts.clock ?? systemClock;
    this.sleeper = new Sleeper(this.clock);
    this.heartbeatMs = opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.store = opts.cursorStore ?? memoryCursorStore();
  }

  /** Newest notification id handed to the sink, or null. */
  get cursor(): string | null {
    return this.newest;
  }

  run(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
    this.running ??= this.loop(sink);
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.closeCurrent?.();
    this.sleeper.wake();
    await this.running?.catch(() => undefined);
  }

  private emit(e: StreamEvent): void {
    this.opts.onEvent?.(e);
  }

  private async loop(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
    try {
      this.newest = await this.store.load();
      this.saved = this.newest;
    } catch (e) {
      this.emit({ type: 'cursor_error', detail: `could not load the cursor, filling from the newest page: ${describe(e)}` });
    }
    while (!this.stopped) {
      this.emit({ type: 'connecting', attempt: this.policy.attempts + 1, cursor: this.newest });
      const out = this.sse ? await this.connectSseOnce(sink) : await this.connectOnce(sink);
      if (out.kind === 'stopped' || this.stopped) break;
      if (!this.sse && (out.status === 404 || out.status === 501)) {
        // No WebSocket streaming on this server: Server-Sent Events from now on, at once.
        this.sse = true;
        this.emit({ type: 'sse_fallback', detail: out.detail });
        continue;
      }
      const now = this.clock.now();
      const delayMs = this.policy.next(out.kind, { now, rateLimitResetAt: out.resetAt ?? null });
      this.emit({ type: 'retrying', kind: out.kind, status: out.status, detail: out.detail, attempt: this.policy.attempts, delayMs, nextRetryAt: now + delayMs });
      await this.sleep(delayMs);
    }
    this.emit({ type: 'stopped' });
  }

  /** Records a notification id handed to the sink; saves it when it is the newest. */
  private async advance(id: string | null): Promise<void> {
    if (id === null || (this.newest !== null && compareIds(id, this.newest) <= 0)) return;
    this.newest = id;
    if (this.saved === id) return;
    try {
      await this.store.save(id);
      this.saved = id;
    } catch (e) {
      this.emit({ type: 'cursor_error', detail: `could not save the cursor: ${describe(e)}` });
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : this.sleeper.sleep(ms);
  }

  private connectOnce(sink: (raw: RawPayload) => Promise<void>): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const ws = new WebSocket(streamingUrl(this.opts.streamingUrl), {
        headers: { authorization: `Bearer ${this.opts.accessToken}` },
        handshakeTimeout: this.heartbeatMs,
        perMessageDeflate: false,
      });
      const queue: string[] = [];
      let outcome: Outcome | null = null;
      let busy = false;
      let gapDone = false;
      let timer: unknown = null;

      const arm = () => {
        if (timer !== null) this.clock.clearTimeout(timer);
        timer = this.clock.setTimeout(() => {
          timer = null;
          // Time spent in the sink (or queued for it) is ours, not the network's: not a stall.
          if (busy || queue.length > 0) return arm();
          finish({ kind: 'network', status: null, detail: `stalled: no message or heartbeat for ${this.heartbeatMs} ms` });
        }, this.heartbeatMs);
      };
      const finish = (o: Outcome) => {
        if (outcome) return;
        outcome = this.stopped ? { kind: 'stopped' } : o;
        if (timer !== null) this.clock.clearTimeout(timer);
        timer = null;
        ws.removeAllListeners('message');
        ws.on('error', () => undefined);
        try {
          if (outcome.kind === 'stopped' && ws.readyState === WebSocket.OPEN) ws.close(1000);
          else ws.terminate();
        } catch {
          // already closed
        }
        this.closeCurrent = null;
        // What is still queued is dropped: the next connection's gap fill reads mentions from the cursor on.
        queue.length = 0;
        if (!busy) resolve(outcome);
      };
      this.closeCurrent = () => finish({ kind: 'stopped' });

      const drain = async () => {
        if (busy || !gapDone) return;
        busy = true;
        try {
          while (queue.length > 0 && !outcome) {
            const text = queue.shift() as string;
            await sink({ format: FORMAT, data: text, source: this.opts.name, line: null });
            await this.advance(notificationIdOf(text));
          }
        } catch (e) {
          finish({ kind: 'network', status: null, detail: `sink failed: ${describe(e)}` });
        } finally {
          busy = false;
          if (outcome) resolve(outcome);
        }
      };

      const fillGap = async () => {
        busy = true;
        try {
          const gap = await this.opts.rest.mentionsSince(this.newest);
          for (const n of gap) {
            if (outcome) break;
            await sink({ format: FORMAT, data: n, source: this.opts.name, line: null });
            await this.advance(typeof n.id === 'string' ? n.id : null);
          }
          if (outcome) return;
          gapDone = true;
          this.policy.reset();
          this.emit({ type: 'gap_filled', count: gap.length });
        } catch (e) {
          finish(gapFailure(e));
        } finally {
          busy = false;
          if (outcome) resolve(outcome);
        }
        void drain();
      };

      ws.on('open', () => {
        if (this.stopped) return finish({ kind: 'stopped' });
        this.emit({ type: 'connected' });
        arm();
        for (const tag of this.opts.hashtags ?? []) ws.send(JSON.stringify({ type: 'subscribe', stream: 'hashtag', tag }));
        void fillGap();
      });
      // Heartbeats: WebSocket pings (answered by ws itself) and pongs keep the connection alive.
      ws.on('ping', () => {
        if (!outcome) arm();
      });
      ws.on('pong', () => {
        if (!outcome) arm();
      });
      ws.on('message', (data: WebSocket.RawData) => {
        if (outcome) return;
        arm();
        queue.push(rawToString(data));
        void drain();
      });
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 2000) body += c;
        });
        res.on('end', () => {
          const detail = `HTTP ${status}${errorText(body)}`;
          const header = res.headers['x-ratelimit-reset'];
          if (status === 429) finish({ kind: 'rate_limit', status, detail, resetAt: parseMastodonReset(Array.isArray(header) ? header[0] : header) });
          else finish({ kind: 'http', status, detail });
        });
        res.on('error', () => finish({ kind: 'http', status, detail: `HTTP ${status}` }));
      });
      ws.on('error', (e) => finish({ kind: 'network', status: null, detail: describe(e) }));
      ws.on('close', (code, reason) => {
        const r = reason.toString('utf8');
        finish({ kind: 'network', status: null, detail: `connection closed by server (${code}${r ? ` ${r.slice(0, 200)}` : ''})` });
      });
    });
  }

  /** The SSE fallback: `GET /api/v1/streaming/user/notification`, gap fill, then events until it ends or stalls. */
  private async connectSseOnce(sink: (raw: RawPayload) => Promise<void>): Promise<Outcome> {
    const ac = new AbortController();
    let outcome: Outcome | null = null;
    let busy = false;
    let timer: unknown = null;
    const finish = (o: Outcome) => {
      if (outcome) return;
      outcome = this.stopped ? { kind: 'stopped' } : o;
      if (timer !== null) this.clock.clearTimeout(timer);
      timer = null;
      this.closeCurrent = null;
      ac.abort();
    };
    const arm = () => {
      if (outcome) return;
      if (timer !== null) this.clock.clearTimeout(timer);
      timer = this.clock.setTimeout(() => {
        timer = null;
        if (busy) return arm();
        finish({ kind: 'network', status: null, detail: `stalled: no event or heartbeat for ${this.heartbeatMs} ms` });
      }, this.heartbeatMs);
    };
    this.closeCurrent = () => finish({ kind: 'stopped' });
    const fetchFn = this.opts.fetch ?? globalThis.fetch;
    try {
      arm();
      const res = await fetchFn(sseUrl(this.opts.streamingUrl), {
        headers: { authorization: `Bearer ${this.opts.accessToken}`, accept: 'text/event-stream' },
        signal: ac.signal,
      });
      if (res.status !== 200 || res.body === null) {
        const text = await res.text().catch(() => '');
        const detail = `SSE HTTP ${res.status}${errorText(text)}`;
        if (res.status === 429) finish({ kind: 'rate_limit', status: 429, detail, resetAt: parseMastodonReset(res.headers.get('x-ratelimit-reset')) });
        else finish({ kind: 'http', status: res.status, detail });
        return outcome ?? { kind: 'stopped' };
      }
      this.emit({ type: 'connected' });
      arm();
      busy = true;
      try {
        const gap = await this.opts.rest.mentionsSince(this.newest);
        for (const n of gap) {
          if (outcome) break;
          await sink({ format: FORMAT, data: n, source: this.opts.name, line: null });
          await this.advance(typeof n.id === 'string' ? n.id : null);
        }
        if (!outcome) {
          this.policy.reset();
          this.emit({ type: 'gap_filled', count: gap.length });
        }
      } catch (e) {
        finish(gapFailure(e));
      } finally {
        busy = false;
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      while (!outcome) {
        const { value, done } = await reader.read();
        if (done) {
          finish({ kind: 'network', status: null, detail: 'event stream closed by server' });
          break;
        }
        arm();
        buf += decoder.decode(value, { stream: true });
        for (let m = /\r?\n\r?\n/.exec(buf); m !== null && !outcome; m = /\r?\n\r?\n/.exec(buf)) {
          const block = buf.slice(0, m.index);
          buf = buf.slice(m.index + m[0].length);
          const text = sseBlockToMessage(block);
          if (text === null) continue;
          busy = true;
          try {
            await sink({ format: FORMAT, data: text, source: this.opts.name, line: null });
            await this.advance(notificationIdOf(text));
          } catch (e) {
            finish({ kind: 'network', status: null, detail: `sink failed: ${describe(e)}` });
          } finally {
            busy = false;
          }
        }
      }
    } catch (e) {
      finish({ kind: 'network', status: null, detail: describe(e) });
    }
    return outcome ?? { kind: 'stopped' };
  }
}

/** The outcome of a failed gap fill. */
function gapFailure(e: unknown): Outcome {
  const err = e instanceof MastodonApiError ? e : null;
  const detail = `gap fill failed: ${describe(e)}`;
  if (err?.status === 429) return { kind: 'rate_limit', status: 429, detail, resetAt: err.retryAt };
  if (err?.status != null) return { kind: 'http', status: err.status, detail };
  return { kind: 'network', status: null, detail };
}

export function sseUrl(base: string): string {
  return `${base.replace(/\/+$/, '').replace(/^ws(s?):\/\//, 'http$1://')}${STREAMING_PATH}/user/notification`;
}

/**
 * One text/event-stream block (`event:`/`data:` lines; `:` comments are heartbeats) as the WebSocket message Mastodon
 * would have sent, so the pipeline sees one shape; null for a block with no data (a heartbeat).
 */
export function sseBlockToMessage(block: string): string | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  return JSON.stringify({ stream: ['user:notification'], event, payload: data.join('\n') });
}

function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
