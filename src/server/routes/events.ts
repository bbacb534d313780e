/**
 * GET /api/events: the desk's live feed as server-sent events. Each bus event goes out as `event: <type>` with the
 * event as JSON. A client that cannot keep up is not buffered for without bound: while its socket is full, events for
 * it are dropped, and once it drains it gets one `event: resync` telling it to fetch what it shows again.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Bus, EarshotEvent } from '../../core/index.js';
import { SECURITY_HEADERS } from '../headers.js';

export const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** How long a browser waits before reconnecting after the stream drops. */
const RETRY_MS = 3000;

/** The part of a ServerResponse a stream writes to (a plain Writable in tests). */
export interface SseSink {
  write(chunk: string): boolean;
  end(): unknown;
  once(event: 'drain', fn: () => void): unknown;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
}

/** One open event stream: writes, keep-alives, and the drop-then-resync rule for a full socket. */
export class SseConnection {
  private congested = false;
  private missed = false;
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly sink: SseSink,
    bus: Bus,
    keepAliveMs: number,
    /** Set when the stream belongs to a desk session, so signing out can end it. */
    readonly sessionHash: string | null,
  ) {
    this.write(`retry: ${RETRY_MS}\n\n`);
    this.unsubscribe = bus.subscribe((e) => this.send(e));
    // A comment line every so often keeps proxies and load balancers from closing an idle stream.
    this.timer = setInterval(() => {
      if (!this.congested) this.write(': keep-alive\n\n');
    }, keepAliveMs);
    this.timer.unref();
  }

  send(e: EarshotEvent): void {
    if (this.closed) return;
    if (this.congested) {
      this.missed = true;
      return;
    }
    this.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  }

  private write(chunk: string): void {
    if (this.closed || this.sink.writableEnded || this.sink.destroyed) return;
    if (this.sink.write(chunk)) return;
    // The chunk is queued, but the socket is full: stop adding until it drains.
    this.congested = true;
    this.sink.once('drain', () => {
      this.congested = false;
      if (this.missed) {
        this.missed = false;
        this.write(`event: resync\ndata: ${JSON.stringify({ type: 'resync', at: Date.now() })}\n\n`);
      }
    });
  }

  /** Stops listening; `end` also finishes the response (when the server closes or the session ends). */
  close(end: boolean): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    if (end && !this.sink.writableEnded && !this.sink.destroyed) this.sink.end();
  }
}

/** The open streams, so closing the server and signing out can end them. */
export class EventStreams {
  private readonly open = new Set<SseConnection>();

  constructor(
    private readonly bus: Bus,
    private readonly keepAliveMs: number = DEFAULT_KEEP_ALIVE_MS,
  ) {}

  get size(): number {
    return this.open.size;
  }

  attach(res: ServerResponse, sessionHash: string | null): SseConnection {
    const conn = new SseConnection(res, this.bus, this.keepAliveMs, sessionHash);
    this.open.add(conn);
    res.once('close', () => {
      conn.close(false);
      this.open.delete(conn);
    });
    return conn;
  }

  endSession(sessionHash: string): void {
    for (const c of this.open) {
      if (c.sessionHash === sessionHash) {
        c.close(true);
        this.open.delete(c);
      }
    }
  }

  endAll(): void {
    for (const c of this.open) c.close(true);
    this.open.clear();
  }
}

export function eventRoutes(app: FastifyInstance, streams: EventStreams): void {
  // No HEAD twin: it would open a stream that can never carry anything.
  app.get('/api/events', { config: { access: 'read' }, exposeHeadRoute: false }, (req, reply) => {
    // From here on the route owns the raw response: Fastify sends nothing more and runs no onSend hooks, so the
    // headers every other response gets are added by hand.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // nginx buffers responses unless told not to, which would hold events back.
      'x-accel-buffering': 'no',
      // The socket is not reused after the stream, so ending it (server shutdown) frees it at once.
      connection: 'close',
    });
    req.raw.socket.setNoDelay(true);
    streams.attach(res, req.auth?.sessionHash ?? null);
  });
}
