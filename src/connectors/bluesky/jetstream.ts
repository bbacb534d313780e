/**
 * Bluesky Jetstream client: one WebSocket to `{baseUrl}/subscribe?wantedCollections=app.bsky.feed.post`, one JSON
 * event per message. Reconnects forever until stop(), resuming from the last processed `time_us` minus a rewind
 * (duplicates are fine: the store dedupes on (network, external id)). Knows nothing about normalization: every
 * message, even one that is not JSON, goes to the sink as a RawPayload and is awaited (backpressure); the cursor
 * only moves once the sink has taken the event.
 */
import WebSocket from 'ws';
import type { RawPayload } from '../../core/index.js';
import { ReconnectPolicy, parseRateLimitReset, systemClock, type Clock, type FailureKind } from '../x/backoff.js';
import {
  integerCursor,
  keyValueCursorStore as genericKeyValueCursorStore,
  memoryCursorStore as genericMemoryCursorStore,
  type CursorStore as GenericCursorStore,
  type KeyValueCursors,
} from '../cursor.js';
import { describeError, errorBodyText } from '../wire-errors.js';
import { Sleeper } from '../sleeper.js';

export const JETSTREAM_PATH = '/subscribe';
export const POST_COLLECTION = 'app.bsky.feed.post';
export const FORMAT = 'bluesky-jetstream';

/** No message for this long = dead connection (the post collection alone carries several events a second). */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
/** On (re)connect, resume this far before the last processed event. */
export const DEFAULT_REWIND_MS = 5_000;
/** Save the cursor at most this often (and on every disconnect and on stop). */
export const DEFAULT_CURSOR_SAVE_MS = 5_000;
/** Messages buffered before the socket is paused while the sink catches up. */
const HIGH_WATER = 256;
const LOW_WATER = 64;

/** Where the last `time_us` the pipeline accepted lives between runs (connectors/cursor.ts). */
export type CursorStore = GenericCursorStore<number>;

export const memoryCursorStore = (initial: number | null = null) => genericMemoryCursorStore<number>(initial);

/** The Jetstream cursor on the Store's key/value cursors; `beforeSave`: the pipeline's flush(). */
export const keyValueCursorStore = (kv: KeyValueCursors, key: string, beforeSave?: () => Promise<void>): CursorStore =>
  genericKeyValueCursorStore(kv, key, integerCursor, beforeSave);

export type JetstreamEvent =
  | { type: 'connecting'; attempt: number; cursor: number | null }
  | { type: 'connected' }
  /** First message on a connection: the backoff has been reset. */
  | { type: 'receiving' }
  | { type: 'retrying'; kind: FailureKind; status: number | null; detail: string; attempt: number; delayMs: number; nextRetryAt: number }
  /** Loading or saving the cursor failed; listening goes on. */
  | { type: 'cursor_error'; detail: string }
  | { type: 'stopped' };

export interface JetstreamOptions {
  /** Connector name, written into RawPayload.source. */
  name: string;
  /** e.g. wss://jetstream2.us-east.bsky.network (http(s):// is accepted and mapped to ws(s)://). */
  baseUrl: string;
  cursorStore?: CursorStore;
  rewindMs?: number;
  stallTimeoutMs?: number;
  cursorSaveIntervalMs?: number;
  clock?: Clock;
  /**
   * Events for which this returns false are not handed to the sink (the cursor still moves past them). Messages
   * that are not JSON always reach the sink, to be quarantined.
   */
  filter?: (event: unknown) => boolean;
  onEvent?: (e: JetstreamEvent) => void;
}

type Outcome = { kind: 'stopped' } | { kind: FailureKind; status: number | null; detail: string; resetAt?: number | null };

export function subscribeUrl(baseUrl: string, cursor: number | null): string {
  const base = baseUrl.replace(/\/+$/, '').replace(/^http(s?):\/\//, 'ws$1://');
  const q = `wantedCollections=${POST_COLLECTION}${cursor !== null ? `&cursor=${cursor}` : ''}`;
  return `${base}${JETSTREAM_PATH}?${q}`;
}

export class JetstreamClient {
  private readonly policy = new ReconnectPolicy();
  private readonly clock: Clock;
  private readonly stallMs: number;
  private readonly rewindUs: number;
  private readonly saveMs: number;
  private readonly store: CursorStore;
  private stopped = false;
  private ws: WebSocket | null = null;
  private closeCurrent: (() => void) | null = null;
  /** Backoff waits, cut short by stop(). */
  private readonly sleeper: Sleeper;
  private running: Promise<void> | null = null;
  /** Last processed `time_us` (the highest seen: Jetstream's clock is monotonic). */
  private lastTimeUs: number | null = null;
  private savedTimeUs: number | null = null;
  private lastSaveAt = 0;

  constructor(private readonly opts: JetstreamOptions) {
    this.clock = opts.clock ?? systemClock;
    this.sleeper = new Sleeper(this.clock);
    this.stallMs = opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.rewindUs = Math.max(0, opts.rewindMs ?? DEFAULT_REWIND_MS) * 1000;
    this.saveMs = opts.cursorSaveIntervalMs ?? DEFAULT_CURSOR_SAVE_MS;
    this.store = opts.cursorStore ?? memoryCursorStore();
  }

  /** Last processed `time_us`, or null before the first event. */
  get cursor(): number | null {
    return this.lastTimeUs;
  }

  /** Runs the connect/read/reconnect loop; resolves once stop() has been called and the cursor is saved. */
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

  /** The filter's verdict; a filter that throws lets the event through (the pipeline decides), never stalls the stream. */
  private wanted(event: unknown): boolean {
    if (!this.opts.filter) return true;
    try {
      return this.opts.filter(event);
    } catch {
      return true;
    }
  }

  private emit(e: JetstreamEvent): void {
    this.opts.onEvent?.(e);
  }

  private async loop(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
    try {
      this.lastTimeUs = await this.store.load();
      this.savedTimeUs = this.lastTimeUs;
    } catch (e) {
      this.emit({ type: 'cursor_error', detail: `could not load the cursor, starting live: ${describe(e)}` });
    }
    while (!this.stopped) {
      const cursor = this.lastTimeUs === null ? null : Math.max(0, this.lastTimeUs - this.rewindUs);
      this.emit({ type: 'connecting', attempt: this.policy.attempts + 1, cursor });
      const out = await this.connectOnce(subscribeUrl(this.opts.baseUrl, cursor), sink);
      await this.saveCursor(true);
      if (out.kind === 'stopped' || this.stopped) break;
      const now = this.clock.now();
      const delayMs = this.policy.next(out.kind, { now, rateLimitResetAt: out.resetAt ?? null });
      this.emit({ type: 'retrying', kind: out.kind, status: out.status, detail: out.detail, attempt: this.policy.attempts, delayMs, nextRetryAt: now + delayMs });
      await this.sleep(delayMs);
    }
    await this.saveCursor(true);
    this.emit({ type: 'stopped' });
  }

  private async saveCursor(force: boolean): Promise<void> {
    const t = this.lastTimeUs;
    if (t === null || t === this.savedTimeUs) return;
    const now = this.clock.now();
    if (!force && now - this.lastSaveAt < this.saveMs) return;
    this.lastSaveAt = now;
    try {
      await this.store.save(t);
      this.savedTimeUs = t;
    } catch (e) {
      this.emit({ type: 'cursor_error', detail: `could not save the cursor: ${describe(e)}` });
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : this.sleeper.sleep(ms);
  }

  private connectOnce(url: string, sink: (raw: RawPayload) => Promise<void>): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const ws = new WebSocket(url, { handshakeTimeout: this.stallMs, perMessageDeflate: false });
      this.ws = ws;
      const queue: string[] = [];
      let outcome: Outcome | null = null;
      let busy = false;
      let paused = false;
      let gotMessage = false;
      let timer: unknown = null;

      const arm = () => {
        if (timer !== null) this.clock.clearTimeout(timer);
        timer = this.clock.setTimeout(() => {
          timer = null;
          // Time spent in the sink (or queued for it) is ours, not the network's: not a stall.
          if (busy || queue.length > 0) return arm();
          finish({ kind: 'network', status: null, detail: `stalled: no message for ${this.stallMs} ms` });
        }, this.stallMs);
      };
      const finish = (o: Outcome) => {
        if (outcome) return;
        outcome = this.stopped ? { kind: 'stopped' } : o;
        if (timer !== null) this.clock.clearTimeout(timer);
        timer = null;
        ws.removeAllListeners('message');
        ws.on('error', () => undefined); // late errors after we gave up on the socket
        try {
          // A polite close on stop(); a dead or stalled connection is not worth a closing handshake.
          if (outcome.kind === 'stopped' && ws.readyState === WebSocket.OPEN) ws.close(1000);
          else ws.terminate();
        } catch {
          // already closed
        }
        if (this.ws === ws) {
          this.ws = null;
          this.closeCurrent = null;
        }
        // The cursor only covers processed events and the next connection resumes from it, so what is still
        // queued can be dropped.
        queue.length = 0;
        if (!busy) resolve(outcome);
      };
      this.closeCurrent = () => finish({ kind: 'stopped' });

      const drain = async () => {
        if (busy) return;
        busy = true;
        try {
          while (queue.length > 0 && !outcome) {
            const text = queue.shift() as string;
            if (paused && queue.length <= LOW_WATER) {
              paused = false;
              ws.resume();
            }
            const event = parseEvent(text);
            const timeUs = event === null ? null : timeUsFrom(event);
            if (event === null || this.wanted(event)) {
              await sink({ format: FORMAT, data: text, source: this.opts.name, line: null });
            }
            if (timeUs !== null && (this.lastTimeUs === null || timeUs > this.lastTimeUs)) this.lastTimeUs = timeUs;
            await this.saveCursor(false);
          }
        } catch (e) {
          finish({ kind: 'network', status: null, detail: `sink failed: ${describe(e)}` });
        } finally {
          busy = false;
          if (outcome) resolve(outcome);
        }
      };

      ws.on('open', () => {
        if (this.stopped) return finish({ kind: 'stopped' });
        this.emit({ type: 'connected' });
        arm();
      });
      ws.on('message', (data: WebSocket.RawData) => {
        if (outcome) return;
        if (!gotMessage) {
          gotMessage = true;
          this.policy.reset();
          this.emit({ type: 'receiving' });
        }
        arm();
        queue.push(rawToString(data));
        if (!paused && queue.length >= HIGH_WATER) {
          paused = true;
          ws.pause();
        }
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
          const header = res.headers['ratelimit-reset'] ?? res.headers['x-ratelimit-reset'];
          if (status === 429) finish({ kind: 'rate_limit', status, detail, resetAt: parseRateLimitReset(Array.isArray(header) ? header[0] : header) });
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
}

function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function parseEvent(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function timeUsFrom(event: Record<string, unknown>): number | null {
  const t = event.time_us;
  return typeof t === 'number' && Number.isSafeInteger(t) && t > 0 ? t : null;
}

/** `time_us` of an event without trusting the rest of it; null for anything that is not a JSON event. */
export function timeUsOf(text: string): number | null {
  const e = parseEvent(text);
  return e === null ? null : timeUsFrom(e);
}

/** XRPC error bodies: `{error, message}`. */
export const errorText = (body: string): string => errorBodyText(body, ['error', 'message']);

export const describe = describeError;
