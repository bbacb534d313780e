/**
 * A fake Mastodon instance for tests: real HTTP and WebSocket on 127.0.0.1. `/api/v1/streaming` (WebSocket) sends
 * `notification` events to `user:notification` subscribers and `update` events to hashtag subscribers, with
 * WebSocket pings as heartbeats; `/api/v1/streaming/user/notification` does the same over SSE (`:thump` heartbeats),
 * and `sseOnly` refuses the WebSocket upgrade with 404; `/api/v1/notifications` (since_id, max_id, min_id, types[], limit, `Link` pagination),
 * `GET`/`POST /api/v1/statuses` (Idempotency-Key dedupe) and `/api/v1/accounts/verify_credentials` answer with
 * Mastodon's shapes. Notifications are built from the recorded documentation examples in ../shared/data when present
 * (the mention notification is the template), small inline fixtures otherwise. The server keeps producing while
 * clients are away, like a real instance. Faults on demand: a connection dropped mid-stream, a stall (no messages
 * and no pings), a truncated message, a bad token, 429 with `X-RateLimit-Reset`, a storm of 503s.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { sharedPath } from '../../testing/shared-data.js';

export const EXAMPLES_FILE = sharedPath('api_payloads', 'mastodon', 'mastodon_docs_api_examples.jsonl');

type Json = Record<string, unknown>;

const INLINE_ACCOUNT: Json = { id: '108892712797543112', username: 'alice', acct: 'alice@example.social', display_name: 'Alice', followers_count: 12, url: 'https://example.social/@alice' };

const INLINE_NOTIFICATION: Json = {
  id: '68739215',
  type: 'mention',
  created_at: '2022-08-30T23:09:54.070Z',
  account: INLINE_ACCOUNT,
  status: {
    id: '108914343542683797',
    created_at: '2022-08-30T23:09:52.359Z',
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    sensitive: false,
    spoiler_text: '',
    visibility: 'public',
    language: 'en',
    uri: 'https://example.social/users/alice/statuses/108914343542683797',
    url: 'https://example.social/@alice/108914343542683797',
    content: '<p><span class="h-card"><a class="u-url mention" href="https://fake.social/@brand">@<span>brand</span></a></span> my order never arrived</p>',
    reblog: null,
    account: INLINE_ACCOUNT,
    mentions: [{ id: '1', username: 'brand', acct: 'brand', url: 'https://fake.social/@brand' }],
    tags: [],
  },
};

const INLINE_HASHTAG_UPDATE: Json = {
  id: '108914430312582020',
  created_at: '2022-08-30T23:30:00.000Z',
  in_reply_to_id: null,
  in_reply_to_account_id: null,
  spoiler_text: '',
  visibility: 'public',
  language: 'en',
  uri: 'https://example.social/users/bob/statuses/108914430312582020',
  url: 'https://example.social/@bob/108914430312582020',
  content: '<p>is <a href="https://example.social/tags/acme" class="mention hashtag">#<span>acme</span></a> down?</p>',
  reblog: null,
  account: { id: '2', username: 'bob', acct: 'bob@example.social', display_name: 'Bob' },
  mentions: [],
  tags: [{ name: 'acme' }],
};

/** The mention notification and a hashtag `update` status from the recorded examples, or the inline ones. */
export function templates(): { notification: Json; hashtagStatus: Json; recorded: boolean } {
  if (!existsSync(EXAMPLES_FILE)) return { notification: INLINE_NOTIFICATION, hashtagStatus: INLINE_HASHTAG_UPDATE, recorded: false };
  let notification: Json | null = null;
  let hashtagStatus: Json | null = null;
  for (const line of readFileSync(EXAMPLES_FILE, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as { kind?: string; event?: string; section?: string; data?: Json };
      if (r.kind !== 'sse_event' || typeof r.data !== 'object' || r.data === null) continue;
      if (r.event === 'notification' && r.data.type === 'mention' && notification === null) notification = r.data;
      if (r.event === 'update' && /hashtag/i.test(r.section ?? '') && hashtagStatus === null) hashtagStatus = r.data;
    } catch {
      // not an example
    }
  }
  return { notification: notification ?? INLINE_NOTIFICATION, hashtagStatus: hashtagStatus ?? INLINE_HASHTAG_UPDATE, recorded: notification !== null };
}

const add = (id: string, k: number): string => (BigInt(id) + BigInt(k)).toString();

/** What one WebSocket connection does; connections take plans in order, later ones run clean. */
export interface ConnectionPlan {
  /** Close the socket abruptly after sending this many notification messages. */
  dropAfter?: number;
  /** After this many messages, send nothing more (no messages, no pings) but keep the socket open. */
  stallAfter?: number;
  /** Before the message at this index, send a truncated copy of it. */
  truncateAt?: number;
}

export interface FakeMastodonOptions {
  token?: string;
  /** WebSocket ping interval, ms (default 50). */
  pingMs?: number;
  plans?: ConnectionPlan[];
  /** Refuse the WebSocket upgrade with 404, like a server without WebSocket streaming: clients must use SSE. */
  sseOnly?: boolean;
  /** Seconds until the reset named in 429 answers (default 1). */
  rateLimitResetS?: number;
}

interface Client {
  conn: FakeConnection;
  plan: ConnectionPlan;
  count: number;
  stalled: boolean;
  ping: ReturnType<typeof setInterval>;
  /** Sends one event (or a truncated copy of it); returns the text sent. */
  send(event: string, payload: string, truncated: boolean): string;
  terminate(): void;
}

export interface FakeConnection {
  transport: 'websocket' | 'sse';
  streams: string[];
  /** Every message sent on this connection, in order (truncated ones included). */
  sent: string[];
  closed: boolean;
}

export interface FakeMastodon {
  /** http://127.0.0.1:port: REST and streaming (ws://) on the same port. */
  url: string;
  token: string;
  account: { id: string; acct: string; username: string };
  /** Every notification produced so far, oldest first. */
  notifications: Json[];
  statuses: Map<string, Json>;
  /** Statuses created through POST /api/v1/statuses (dedupes by Idempotency-Key not included twice). */
  created: Json[];
  /** Request bodies and Idempotency-Keys of every POST /api/v1/statuses. */
  posts: Array<{ body: Json | null; idempotencyKey: string | null; status: number }>;
  calls: Array<{ route: string; status: number; query: string }>;
  connections: FakeConnection[];
  hashtagStatus: Json;
  recorded: boolean;
  /** Produces `n` new mention notifications, `paceMs` apart, sending each to the connections listening. */
  produce(n: number, paceMs?: number): Promise<void>;
  /** The next `times` calls of `route` ('streaming', 'notifications', 'get_status', 'post_status', 'verify_credentials') answer `status`. */
  failNext(route: string, status: number, times: number): void;
  plan(...plans: ConnectionPlan[]): void;
  dropAll(): void;
  close(): Promise<void>;
}

export async function startFakeMastodon(opts: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const tpl = templates();
  const token = opts.token ?? 'fake-mastodon-token';
  const pingMs = opts.pingMs ?? 50;
  const plans: ConnectionPlan[] = [...(opts.plans ?? [])];
  const failures = new Map<string, { status: number; times: number }>();
  const idempotent = new Map<string, Json>();
  const live = new Set<Client>();
  const account = { id: '1', acct: 'brand', username: 'brand' };
  let produced = 0;
  let createdSeq = 0;

  const f: FakeMastodon = {
    url: '',
    token,
    account,
    notifications: [],
    statuses: new Map(),
    created: [],
    posts: [],
    calls: [],
    connections: [],
    hashtagStatus: tpl.hashtagStatus,
    recorded: tpl.recorded,
    async produce(n, paceMs = 0) {
      for (let i = 0; i < n; i++) {
        produced += 1;
        const k = produced;
        const base = tpl.notification;
        const st = base.status as Json;
        const status: Json = {
          ...st,
          id: add(String(st.id), k * 1000),
          created_at: new Date(Date.parse(String(st.created_at)) + k * 1000).toISOString(),
          content: `${String(st.content)} (${k})`,
          uri: `${String(st.uri)}-${k}`,
          url: `${String(st.url)}-${k}`,
        };
        const notification: Json = { ...base, id: add(String(base.id), k), created_at: status.created_at, status };
        f.notifications.push(notification);
        f.statuses.set(String(status.id), status);
        const payload = JSON.stringify(notification);
        for (const c of live) if (c.conn.streams.includes('user:notification')) sendPlanned(c, 'notification', payload);
        if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
      }
    },
    failNext(route, status, times) {
      failures.set(route, { status, times });
    },
    plan(...p) {
      plans.push(...p);
    },
    dropAll() {
      for (const c of live) c.terminate();
    },
    close: async () => {
      for (const c of live) {
        clearInterval(c.ping);
        c.terminate();
      }
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  f.statuses.set(String(tpl.hashtagStatus.id), tpl.hashtagStatus);

  const sendPlanned = (c: Client, event: string, payload: string) => {
    if (c.conn.closed || c.stalled) return;
    if (c.plan.dropAfter !== undefined && c.count >= c.plan.dropAfter) {
      c.terminate();
      return;
    }
    if (c.plan.stallAfter !== undefined && c.count >= c.plan.stallAfter) {
      c.stalled = true;
      return;
    }
    if (c.plan.truncateAt === c.count) c.conn.sent.push(c.send(event, payload, true));
    c.conn.sent.push(c.send(event, payload, false));
    c.count += 1;
  };

  /** A listening client, over WebSocket or SSE. */
  const newClient = (conn: FakeConnection, send: Client['send'], terminate: () => void, ping: () => void): Client => {
    const c: Client = {
      conn,
      plan: plans.shift() ?? {},
      count: 0,
      stalled: false,
      send,
      terminate,
      ping: setInterval(() => {
        if (!c.stalled && !conn.closed) ping();
      }, pingMs),
    };
    f.connections.push(conn);
    live.add(c);
    return c;
  };
  const gone = (c: Client) => {
    c.conn.closed = true;
    clearInterval(c.ping);
    live.delete(c);
  };

  const takeFailure = (route: string): number | null => {
    const x = failures.get(route);
    if (!x || x.times <= 0) return null;
    x.times -= 1;
    return x.status;
  };

  const tokenOf = (req: http.IncomingMessage, url: URL): string | null => {
    const h = req.headers.authorization;
    if (h?.startsWith('Bearer ')) return h.slice(7);
    return url.searchParams.get('access_token');
  };

  const resetHeader = () => new Date(Date.now() + (opts.rateLimitResetS ?? 1) * 1000).toISOString();

  const forcedAnswer = (status: number): { status: number; body: Json; headers: Record<string, string> } =>
    status === 429
      ? { status, body: { error: 'Too many requests' }, headers: { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetHeader() } }
      : status === 401
        ? { status, body: { error: 'The access token is invalid' }, headers: {} }
        : { status, body: { error: status >= 500 ? 'Service Unavailable' : 'Fake failure' }, headers: {} };

  const readBody = async (req: http.IncomingMessage): Promise<Json | null> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (chunks.length === 0) return null;
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      return typeof v === 'object' && v !== null ? (v as Json) : null;
    } catch {
      return null;
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const p = url.pathname;
      const route =
        p === '/api/v1/streaming/user/notification'
          ? 'sse'
          : p === '/api/v1/notifications'
          ? 'notifications'
          : p === '/api/v1/accounts/verify_credentials'
            ? 'verify_credentials'
            : p === '/api/v1/statuses' && req.method === 'POST'
              ? 'post_status'
              : /^\/api\/v1\/statuses\/[^/]+$/.test(p) && req.method === 'GET'
                ? 'get_status'
                : 'unknown';
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        f.calls.push({ route, status, query: url.search });
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      const body = req.method === 'POST' ? await readBody(req) : null;
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      const forced = takeFailure(route);
      if (forced !== null) {
        const a = forcedAnswer(forced);
        if (route === 'post_status') f.posts.push({ body, idempotencyKey: key, status: forced });
        return send(a.status, a.body, a.headers);
      }
      if (tokenOf(req, url) !== token) return send(401, { error: 'The access token is invalid' });
      switch (route) {
        case 'sse': {
          f.calls.push({ route, status: 200, query: url.search });
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.flushHeaders();
          const conn: FakeConnection = { streams: ['user:notification'], sent: [], closed: false, transport: 'sse' };
          const c = newClient(
            conn,
            (event, payload, truncated) => {
              const frame = `event: ${event}\ndata: ${truncated ? payload.slice(0, Math.floor(payload.length / 2)) : payload}\n\n`;
              res.write(frame);
              return frame;
            },
            () => res.destroy(),
            () => res.write(':thump\n'),
          );
          res.on('close', () => gone(c));
          return;
        }
        case 'verify_credentials':
          return send(200, { ...account, display_name: 'Brand', followers_count: 100, url: `${f.url}/@brand` });
        case 'notifications': {
          const types = url.searchParams.getAll('types[]');
          const since = url.searchParams.get('since_id');
          const max = url.searchParams.get('max_id');
          const min = url.searchParams.get('min_id');
          const limit = Math.min(40, Math.max(1, Number(url.searchParams.get('limit') ?? 40) || 40));
          const cmp = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
          let list = f.notifications.filter((n) => types.length === 0 || types.includes(String(n.type)));
          if (since) list = list.filter((n) => cmp(String(n.id), since) > 0);
          if (max) list = list.filter((n) => cmp(String(n.id), max) < 0);
          if (min) list = list.filter((n) => cmp(String(n.id), min) > 0);
          // Newest first; with min_id the page adjacent to it (oldest above min_id), still sent newest first.
          list = [...list].sort((a, b) => cmp(String(b.id), String(a.id)));
          const page = min ? list.slice(-limit) : list.slice(0, limit);
          const links: string[] = [];
          if (page.length > 0) {
            const q = (k: string, v: string) => {
              const s = new URLSearchParams();
              for (const t of types) s.append('types[]', t);
              s.set('limit', String(limit));
              s.set(k, v);
              return `${f.url}/api/v1/notifications?${s.toString()}`;
            };
            // Like Mastodon, the links keep types[] and limit, not since_id.
            links.push(`<${q('max_id', String(page[page.length - 1]?.id))}>; rel="next"`);
            links.push(`<${q('min_id', String(page[0]?.id))}>; rel="prev"`);
          }
          return send(200, page, links.length ? { link: links.join(', ') } : {});
        }
        case 'get_status': {
          const id = decodeURIComponent(p.slice('/api/v1/statuses/'.length));
          const s = f.statuses.get(id);
          return s ? send(200, s) : send(404, { error: 'Record not found' });
        }
        case 'post_status': {
          if (key !== null && idempotent.has(key)) {
            f.posts.push({ body, idempotencyKey: key, status: 200 });
            return send(200, idempotent.get(key));
          }
          const text = body?.status;
          if (typeof text !== 'string' || text.trim() === '') {
            f.posts.push({ body, idempotencyKey: key, status: 422 });
            return send(422, { error: "Validation failed: Text can't be blank" });
          }
          const inReplyTo = typeof body?.in_reply_to_id === 'string' ? body.in_reply_to_id : null;
          const parent = inReplyTo ? f.statuses.get(inReplyTo) : undefined;
          if (inReplyTo && !parent) {
            f.posts.push({ body, idempotencyKey: key, status: 404 });
            return send(404, { error: 'Record not found' });
          }
          createdSeq += 1;
          const id = add('109000000000000000', createdSeq);
          const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
          const status: Json = {
            id,
            created_at: new Date().toISOString(),
            in_reply_to_id: inReplyTo,
            in_reply_to_account_id: parent ? ((parent.account as Json | undefined)?.id ?? null) : null,
            sensitive: false,
            spoiler_text: '',
            visibility: typeof body?.visibility === 'string' ? body.visibility : 'public',
            language: 'en',
            uri: `${f.url}/users/brand/statuses/${id}`,
            url: `${f.url}/@brand/${id}`,
            content: `<p>${escaped}</p>`,
            reblog: null,
            account: { ...account, display_name: 'Brand' },
            mentions: [...text.matchAll(/@([\w.-]+(?:@[\w.-]+)?)/g)].map((m, i) => ({ id: String(1000 + i), username: (m[1] ?? '').split('@')[0], acct: m[1], url: '' })),
            tags: [],
          };
          f.statuses.set(id, status);
          f.created.push(status);
          if (key !== null) idempotent.set(key, status);
          f.posts.push({ body, idempotencyKey: key, status: 200 });
          return send(200, status);
        }
        default:
          return send(404, { error: 'Not found' });
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(e) }));
      }
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, body: Json, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      f.calls.push({ route: 'streaming', status, query: url.search });
      socket.end(`HTTP/1.1 ${status} Fake\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}Connection: close\r\n\r\n${text}`);
    };
    if (url.pathname !== '/api/v1/streaming' || opts.sseOnly) return refuse(404, { error: 'Not found' });
    const forced = takeFailure('streaming');
    if (forced !== null) {
      const a = forcedAnswer(forced);
      return refuse(a.status, a.body, a.headers);
    }
    if (tokenOf(req, url) !== token) return refuse(401, { error: 'Missing access token' });
    f.calls.push({ route: 'streaming', status: 101, query: url.search });
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, url));
  });

  const serve = (ws: WebSocket, url: URL) => {
    const streams = url.searchParams.getAll('stream');
    const conn: FakeConnection = { streams, sent: [], closed: false, transport: 'websocket' };
    const c = newClient(
      conn,
      (event, payload, truncated) => {
        const msg = JSON.stringify({ stream: ['user:notification'], event, payload });
        const out = truncated ? msg.slice(0, Math.floor(msg.length / 2)) : msg;
        ws.send(out);
        return out;
      },
      () => ws.terminate(),
      () => ws.ping(),
    );
    ws.on('close', () => gone(c));
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      try {
        const m = JSON.parse(String(data)) as { type?: string; stream?: string; tag?: string };
        if (m.type !== 'subscribe' || typeof m.stream !== 'string') return;
        const name = m.stream === 'hashtag' && m.tag ? `hashtag:${m.tag.toLowerCase()}` : m.stream;
        conn.streams.push(name);
        if (m.stream === 'hashtag' && m.tag) {
          const msg = JSON.stringify({ stream: ['hashtag', m.tag], event: 'update', payload: JSON.stringify(tpl.hashtagStatus) });
          conn.sent.push(msg);
          ws.send(msg);
        }
      } catch {
        // Mastodon ignores what it cannot parse
      }
    });
  };

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return f;
}
