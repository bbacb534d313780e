/**
 * X API v2 filtered-stream client: one long-lived GET, newline-delimited JSON, `\r\n` keep-alives every 20 s.
 * Reconnects forever with X's documented backoff until stop(). Knows nothing about normalization: each JSON
 * line goes to the sink as a RawPayload and is awaited, so a slow pipeline slows the reader (backpressure).
 */
import type { RawPayload } from '../../core/index.js';
import { ReconnectPolicy, parseRateLimitReset, systemClock, type Clock, type FailureKind } from './backoff.js';
import { describeError, errorBodyText } from '../wire-errors.js';
import { Sleeper } from '../sleeper.js';

export const STREAM_PATH = '/2/tweets/search/stream';
export const STREAM_QUERY =
  'tweet.fields=author_id,conversation_id,created_at,entities,in_reply_to_user_id,lang,referenced_tweets,public_metrics' +
  '&expansions=author_id,referenced_tweets.id,in_reply_to_user_id' +
  '&user.fields=username,name,public_metrics,verified';

export type FetchLike = typeof globalThis.fetch;

export type StreamEvent =
  | { type: 'connecting'; attempt: number }
  | { type: 'connected' }
  /** First bytes on a connection (data or keep-alive): the backoff has been reset. */
  | { type: 'receiving' }
  | { type: 'retrying'; kind: FailureKind; status: number | null; detail: string; attempt: number; delayMs: number; nextRetryAt: number }
  /** A non-data line from X (e.g. `operational-disconnect`); informational. */
  | { type: 'stream_error'; detail: string }
  | { type: 'stopped' };

export interface XStreamOptions {
  /** Connector name, written into RawPayload.source. */
  name: string;
  baseUrl: string;
  bearerToken: string;
  /** No byte for this long = dead connection (X sends a keep-alive every 20 s). */
  stallTimeoutMs?: number;
  clock?: Clock;
  fetch?: FetchLike;
  onEvent?: (e: StreamEvent) => void;
}

export const DEFAULT_STALL_TIMEOUT_MS = 20_000;

type Outcome =
  | { kind: 'stopped' }
  | { kind: FailureKind; status: number | null; detail: string; resetAt?: number | null };

export class XStreamClient {
  private readonly policy = new ReconnectPolicy();
  private readonly clock: Clock;
  private readonly fetchFn: FetchLike;
  private readonly stallMs: number;
  private stopped = false;
  private abort: AbortController | null = null;
  /** Backoff waits, cut short by stop(). */
  private readonly sleeper: Sleeper;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: XStreamOptions) {
    this.clock = opts.clock ?? systemClock;
    this.sleeper = new Sleeper(this.clock);
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.stallMs = opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  }

  /** Runs the connect/read/reconnect loop; resolves once stop() has been called and everything is closed. */
  run(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
    this.running ??= this.loop(sink);
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.sleeper.wake();
    await this.running?.catch(() => undefined);
  }

  private emit(e: StreamEvent): void {
    this.opts.onEvent?.(e);
  }

  private async loop(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      this.emit({ type: 'connecting', attempt: this.policy.attempts + 1 });
      const out = await this.connectOnce(sink);
      if (out.kind === 'stopped' || this.stopped) break;
      const now = this.clock.now();
      const delayMs = this.policy.next(out.kind, { now, rateLimitResetAt: out.resetAt ?? null });
      this.emit({ type: 'retrying', kind: out.kind, status: out.status, detail: out.detail, attempt: this.policy.attempts, delayMs, nextRetryAt: now + delayMs });
      await this.sleep(delayMs);
    }
    this.emit({ type: 'stopped' });
  }

  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : this.sleeper.sleep(ms);
  }

  private async connectOnce(sink: (raw: RawPayload) => Promise<void>): Promise<Outcome> {
    const ac = new AbortController();
    this.abort = ac;
    let stalled = false;
    let timer: unknown = null;
    const disarm = () => {
      if (timer !== null) this.clock.clearTimeout(timer);
      timer = null;
    };
    const arm = () => {
      disarm();
      timer = this.clock.setTimeout(() => {
        stalled = true;
        ac.abort();
      }, this.stallMs);
    };
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}${STREAM_PATH}?${STREAM_QUERY}`;
    try {
      // The stall timer also covers a server that accepts the TCP connection but never answers.
      arm();
      let res: Response;
      try {
        res = await this.fetchFn(url, { headers: { authorization: `Bearer ${this.opts.bearerToken}` }, signal: ac.signal });
      } catch (e) {
        if (this.stopped) return { kind: 'stopped' };
        return { kind: 'network', status: null, detail: stalled ? `no response in ${this.stallMs} ms` : describe(e) };
      }
      if (!res.ok || !res.body) {
        disarm();
        const body = await res.text().catch(() => '');
        return httpFailure(res.status, res.headers, body);
      }
      this.emit({ type: 'connected' });
      return await this.read(res.body, sink, arm, disarm, () => stalled);
    } finally {
      disarm();
      ac.abort(); // releases the socket whatever happened
      this.abort = null;
    }
  }

  private async read(
    body: ReadableStream<Uint8Array>,
    sink: (raw: RawPayload) => Promise<void>,
    arm: () => void,
    disarm: () => void,
    wasStalled: () => boolean,
  ): Promise<Outcome> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let gotBytes = false;
    arm();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!gotBytes) {
          gotBytes = true;
          this.policy.reset();
          this.emit({ type: 'receiving' });
        }
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          // X terminates lines with \r\n; tolerate a bare \n.
          const line = buf.slice(0, i).replace(/\r$/, '');
          buf = buf.slice(i + 1);
          if (line.trim() === '') continue; // keep-alive
          if (isErrorOnlyLine(line)) {
            this.emit({ type: 'stream_error', detail: line.slice(0, 500) });
            continue;
          }
          // Time spent in the sink is ours, not the network's: don't let it count as a stall.
          disarm();
          await sink({ format: 'x-v2', data: line, source: this.opts.name, line: null });
          if (this.stopped) return { kind: 'stopped' };
          arm();
        }
        arm();
      }
    } catch (e) {
      if (this.stopped) return { kind: 'stopped' };
      if (wasStalled()) return { kind: 'network', status: null, detail: `stalled: no data or keep-alive for ${this.stallMs} ms` };
      return { kind: 'network', status: null, detail: describe(e) };
    } finally {
      disarm();
      reader.releaseLock();
    }
    if (this.stopped) return { kind: 'stopped' };
    return { kind: 'network', status: null, detail: 'stream closed by server' };
  }
}

/** Lines like `{"errors":[{"title":"operational-disconnect",...}]}` carry no post. */
function isErrorOnlyLine(line: string): boolean {
  if (!line.includes('"errors"') || line.includes('"data"')) return false;
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null && 'errors' in v && !('data' in v);
  } catch {
    return false;
  }
}

function httpFailure(status: number, headers: Headers, body: string): Outcome {
  const detail = `HTTP ${status}${problemText(body)}`;
  if (status === 429) return { kind: 'rate_limit', status, detail, resetAt: parseRateLimitReset(headers.get('x-rate-limit-reset')) };
  return { kind: 'http', status, detail };
}

/** X problem bodies: `{title, detail, type, connection_issue?}`. */
export const problemText = (body: string): string => errorBodyText(body, ['title', 'connection_issue', 'detail']);

const describe = describeError;
