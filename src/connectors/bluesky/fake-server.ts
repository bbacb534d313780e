/**
 * A fake Bluesky for tests: real HTTP and WebSocket on 127.0.0.1. `/subscribe` replays recorded Jetstream events
 * (from ../shared/data when present, a few inline events otherwise) honouring `wantedCollections` and `cursor`;
 * `/xrpc/...` serves createSession, refreshSession, getRecord and createRecord with the PDS's response shapes, and
 * the AppView's app.bsky.actor.getProfiles from a did → handle map.
 * Faults on demand: a connection dropped mid-stream, a stall, a truncated JSON message, an expired access token,
 * a storm of 5xx answers, a createRecord that answers too late.
 * Live mode (`live: true`, used by the sandbox): connections stay open after the replay and get every event `push`ed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
// Not ../../testing/shared-data.js: that imports vitest, and the sandbox runs this server inside the app.
import { sharedDataDir } from '../../triage/model/shared-dir.js';
import { POST_COLLECTION, timeUsOf } from './jetstream.js';

export const CAPTURE_FILE = path.join(sharedDataDir(), 'api_payloads', 'bluesky', 'jetstream_v1_events_capture_2026-07-04.jsonl');

/** Three posts (a root, a reply to it, a reply to the reply), a like and an identity event. */
export const INLINE_EVENTS: readonly string[] = [
  ev(1_783_175_888_000_000, 'did:plc:aliceaaaaaaaaaaaaaaaaaaa', 'create', POST_COLLECTION, '3mmrootaaaaa2', { $type: POST_COLLECTION, text: 'my order never arrived @brand.bsky.social', createdAt: '2026-07-04T12:00:00.000Z', langs: ['en'] }),
  ev(1_783_175_888_100_000, 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb', 'create', 'app.bsky.feed.like', '3mmlikeaaaaa2', { $type: 'app.bsky.feed.like', createdAt: '2026-07-04T12:00:00.100Z', subject: { uri: 'at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mmrootaaaaa2', cid: 'bafyreiroot' } }),
  ev(1_783_175_888_200_000, 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb', 'create', POST_COLLECTION, '3mmreplyaaaa2', {
    $type: POST_COLLECTION,
    text: 'same here, support?',
    createdAt: '2026-07-04T12:00:00.200Z',
    reply: {
      root: { uri: 'at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mmrootaaaaa2', cid: cidOf('3mmrootaaaaa2') },
      parent: { uri: 'at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mmrootaaaaa2', cid: cidOf('3mmrootaaaaa2') },
    },
  }),
  JSON.stringify({ did: 'did:plc:carolccccccccccccccccccc', time_us: 1_783_175_888_300_000, kind: 'identity', identity: { did: 'did:plc:carolccccccccccccccccccc', handle: 'carol.bsky.social', seq: 1, time: '2026-07-04T12:00:00.300Z' } }),
  ev(1_783_175_888_400_000, 'did:plc:carolccccccccccccccccccc', 'create', POST_COLLECTION, '3mmdeepaaaaa2', {
    $type: POST_COLLECTION,
    text: 'me too!!',
    createdAt: '2026-07-04T12:00:00.400Z',
    reply: {
      root: { uri: 'at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mmrootaaaaa2', cid: cidOf('3mmrootaaaaa2') },
      parent: { uri: 'at://did:plc:bobbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3mmreplyaaaa2', cid: cidOf('3mmreplyaaaa2') },
    },
  }),
];

function ev(timeUs: number, did: string, operation: string, collection: string, rkey: string, record: Record<string, unknown>): string {
  return JSON.stringify({ did, time_us: timeUs, kind: 'commit', commit: { rev: `rev${rkey}`, operation, collection, rkey, record, cid: cidOf(rkey) } });
}

function cidOf(s: string): string {
  return `bafyrei${createHash('sha256').update(s).digest('hex').slice(0, 40)}`;
}

/** The recorded capture when ../shared/data is there, else the inline events. */
export function defaultEvents(): { lines: string[]; recorded: boolean } {
  if (existsSync(CAPTURE_FILE)) {
    const lines = readFileSync(CAPTURE_FILE, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return { lines, recorded: true };
  }
  return { lines: [...INLINE_EVENTS], recorded: false };
}

/** What one WebSocket connection does; connections take plans in order, later ones run clean. */
export interface ConnectionPlan {
  /** Close the socket abruptly after sending this many events. */
  dropAfter?: number;
  /** Stop sending (but keep the socket open) after this many events. */
  stallAfter?: number;
  /** Before the event at this index, send a truncated copy of it. */
  truncateAt?: number;
}

export interface FakeBlueskyOptions {
  /** Jetstream events as JSON lines (sorted by time_us when served). */
  events?: string[];
  /** Delay between messages, ms (default 1). */
  paceMs?: number;
  handle?: string;
  did?: string;
  password?: string;
  plans?: ConnectionPlan[];
  /** What `app.bsky.actor.getProfiles` knows: did → handle and display name (the AppView; same port as the PDS). */
  profiles?: Record<string, FakeProfile>;
  /** Live mode: connections stay subscribed after the replay and get every event `push`ed later (the sandbox). */
  live?: boolean;
  /** Called after createRecord stored a record (the sandbox's customers answer the brand from here). */
  onCreate?: (record: FakeRecord) => void;
}

export interface FakeProfile {
  handle: string;
  displayName?: string | null;
}

/** Handles of the authors of INLINE_EVENTS, for the AppView (carol is left to her identity event). */
export const INLINE_PROFILES: Readonly<Record<string, FakeProfile>> = {
  'did:plc:aliceaaaaaaaaaaaaaaaaaaa': { handle: 'alice.bsky.social', displayName: 'Alice' },
  'did:plc:bobbbbbbbbbbbbbbbbbbbbbb': { handle: 'bob.bsky.social', displayName: null },
};

export interface FakeConnection {
  cursor: number | null;
  wantedCollections: string[];
  /** Every message sent on this connection, in order (truncated ones included). */
  sent: string[];
  closed: boolean;
}

export interface FakeRecord {
  uri: string;
  cid: string;
  value: Record<string, unknown>;
}

export interface FakeBluesky {
  /** http://127.0.0.1:port: the PDS. */
  url: string;
  /** ws://127.0.0.1:port: the Jetstream instance. */
  jetstreamUrl: string;
  handle: string;
  did: string;
  password: string;
  /** The replayed events, sorted by time_us. */
  events: string[];
  connections: FakeConnection[];
  /** Every record in every repo, by at-uri (posts from the replayed events included, so they can be answered). */
  records: Map<string, FakeRecord>;
  /** Records created through createRecord, in order. */
  created: FakeRecord[];
  calls: Array<{ nsid: string; status: number }>;
  /** The AppView's profiles (editable while running). */
  profiles: Map<string, FakeProfile>;
  /** The `actors` of every getProfiles call, in order (failed ones included). */
  profileRequests: string[][];
  /** Every access token issued so far expires (answers `ExpiredToken`). */
  expireAccessTokens(status?: 400 | 401): void;
  /** Every refresh token issued so far stops working (the next refresh fails with `ExpiredToken`). */
  expireRefreshTokens(): void;
  /** The next `times` calls of `nsid` ('subscribe' for the WebSocket upgrade) answer `status`. */
  failNext(nsid: string, status: number, times: number): void;
  /** The next createRecord stores the record but answers only after `ms`. */
  delayNextCreate(ms: number): void;
  /** Plans for the next connections (appended). */
  plan(...plans: ConnectionPlan[]): void;
  /** Drops every open Jetstream connection now. */
  dropAll(): void;
  /** Appends one Jetstream event (JSON line, time_us after the others) to the history; live connections get it. */
  push(event: string): void;
  close(): Promise<void>;
}

export async function startFakeBluesky(opts: FakeBlueskyOptions = {}): Promise<FakeBluesky> {
  const events = [...(opts.events ?? defaultEvents().lines)]
    .map((line, i) => ({ line, i, t: timeUsOf(line) ?? 0 }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((e) => e.line);
  const pace = opts.paceMs ?? 1;
  const handle = opts.handle ?? 'brand.bsky.social';
  const did = opts.did ?? 'did:plc:brandbrandbrandbrandbran';
  const password = opts.password ?? 'abcd-efgh-ijkl-mnop';
  const plans: ConnectionPlan[] = [...(opts.plans ?? [])];
  const failures = new Map<string, { status: number; times: number }>();
  const access = new Map<string, { expired: boolean; status: 400 | 401 }>();
  const refresh = new Set<string>();
  let tokenSeq = 0;
  let createDelayMs = 0;
  const sockets = new Set<WebSocket>();
  /** Live mode: connections waiting for the next pushed event. */
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const records = new Map<string, FakeRecord>();
  const rememberPost = (line: string) => {
    try {
      const e = JSON.parse(line) as { did: string; kind: string; commit?: { operation: string; collection: string; rkey: string; cid?: string; record?: Record<string, unknown> } };
      if (e.kind === 'commit' && e.commit?.operation === 'create' && e.commit.collection === POST_COLLECTION && e.commit.record) {
        const uri = `at://${e.did}/${POST_COLLECTION}/${e.commit.rkey}`;
        records.set(uri, { uri, cid: e.commit.cid ?? cidOf(uri), value: e.commit.record });
      }
    } catch {
      // not an event
    }
  };
  for (const line of events) rememberPost(line);

  const fb: FakeBluesky = {
    url: '',
    jetstreamUrl: '',
    handle,
    did,
    password,
    events,
    connections: [],
    records,
    created: [],
    calls: [],
    profiles: new Map(Object.entries(opts.profiles ?? {})),
    profileRequests: [],
    expireAccessTokens(status = 401) {
      for (const v of access.values()) {
        v.expired = true;
        v.status = status;
      }
    },
    expireRefreshTokens() {
      refresh.clear();
    },
    failNext(nsid, status, times) {
      failures.set(nsid, { status, times });
    },
    delayNextCreate(ms) {
      createDelayMs = ms;
    },
    plan(...p) {
      plans.push(...p);
    },
    dropAll() {
      for (const s of sockets) s.terminate();
    },
    push(event) {
      events.push(event);
      rememberPost(event);
      wake();
    },
    close: async () => {
      wake();
      for (const s of sockets) s.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const takeFailure = (nsid: string): number | null => {
    const f = failures.get(nsid);
    if (!f || f.times <= 0) return null;
    f.times -= 1;
    return f.status;
  };

  const issue = () => {
    tokenSeq += 1;
    const accessJwt = `fake-access.${tokenSeq}.${createHash('sha256').update(`a${tokenSeq}`).digest('hex').slice(0, 16)}`;
    const refreshJwt = `fake-refresh.${tokenSeq}.${createHash('sha256').update(`r${tokenSeq}`).digest('hex').slice(0, 16)}`;
    access.set(accessJwt, { expired: false, status: 401 });
    refresh.add(refreshJwt);
    return { accessJwt, refreshJwt, handle, did, email: `${handle}@example.com`, emailConfirmed: true, active: true, didDoc: { id: did } };
  };

  const send = (res: http.ServerResponse, nsid: string, status: number, body: unknown, headers: Record<string, string> = {}) => {
    fb.calls.push({ nsid, status });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const xerr = (res: http.ServerResponse, nsid: string, status: number, error: string, message: string, headers: Record<string, string> = {}) =>
    send(res, nsid, status, { error, message }, headers);

  const bearer = (req: http.IncomingMessage): string | null => {
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') ? h.slice(7) : null;
  };

  /** null = authorised; otherwise the error was sent. */
  const checkAccess = (req: http.IncomingMessage, res: http.ServerResponse, nsid: string): boolean => {
    const tok = bearer(req);
    const a = tok ? access.get(tok) : undefined;
    if (!a) {
      xerr(res, nsid, 401, tok ? 'InvalidToken' : 'AuthenticationRequired', tok ? 'Token could not be verified' : 'Authentication Required');
      return false;
    }
    if (a.expired) {
      xerr(res, nsid, a.status, 'ExpiredToken', 'Token has expired');
      return false;
    }
    return true;
  };

  const readBody = async (req: http.IncomingMessage): Promise<Record<string, unknown> | null> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (chunks.length === 0) return null;
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = /^\/xrpc\/([\w.]+)$/.exec(url.pathname);
      if (!m) return xerr(res, url.pathname, 404, 'NotFound', 'Not Found');
      const nsid = m[1] as string;
      const body = req.method === 'POST' ? await readBody(req) : null;
      if (nsid === 'app.bsky.actor.getProfiles') fb.profileRequests.push(url.searchParams.getAll('actors'));
      const forced = takeFailure(nsid);
      if (forced !== null) {
        return forced === 429
          ? xerr(res, nsid, 429, 'RateLimitExceeded', 'Rate Limit Exceeded', { 'ratelimit-limit': '30', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 60) })
          : xerr(res, nsid, forced, forced >= 500 ? 'InternalServerError' : 'InvalidRequest', forced >= 500 ? 'Internal Server Error' : 'Invalid request');
      }
      switch (nsid) {
        case 'com.atproto.server.createSession': {
          const id = String(body?.identifier ?? '').replace(/^@/, '').toLowerCase();
          if ((id !== handle && id !== did) || body?.password !== password) return xerr(res, nsid, 401, 'AuthenticationRequired', 'Invalid identifier or password');
          return send(res, nsid, 200, issue());
        }
        case 'com.atproto.server.refreshSession': {
          const tok = bearer(req);
          if (!tok || !refresh.has(tok)) return xerr(res, nsid, 400, 'ExpiredToken', 'Token has expired');
          refresh.delete(tok);
          return send(res, nsid, 200, issue());
        }
        case 'com.atproto.repo.getRecord': {
          if (req.method !== 'GET') return xerr(res, nsid, 405, 'InvalidRequest', 'Method Not Allowed');
          if (bearer(req) !== null && !checkAccess(req, res, nsid)) return;
          const uri = `at://${url.searchParams.get('repo')}/${url.searchParams.get('collection')}/${url.searchParams.get('rkey')}`;
          const r = records.get(uri);
          if (!r) return xerr(res, nsid, 400, 'RecordNotFound', `Could not locate record: ${uri}`);
          return send(res, nsid, 200, { uri: r.uri, cid: r.cid, value: r.value });
        }
        case 'com.atproto.repo.createRecord': {
          if (req.method !== 'POST') return xerr(res, nsid, 405, 'InvalidRequest', 'Method Not Allowed');
          if (!checkAccess(req, res, nsid)) return;
          const repo = body?.repo;
          const collection = body?.collection;
          const record = body?.record as Record<string, unknown> | undefined;
          if (repo !== did && repo !== handle) return xerr(res, nsid, 401, 'AuthenticationRequired', 'Invalid repo');
          if (typeof collection !== 'string' || typeof record !== 'object' || record === null || typeof record.text !== 'string') {
            return xerr(res, nsid, 400, 'InvalidRequest', 'Input/record must be an object with text');
          }
          if (record.$type !== collection) return xerr(res, nsid, 400, 'InvalidRequest', 'Invalid $type: must match collection');
          const rkey = typeof body?.rkey === 'string' ? body.rkey : `3m${Date.now().toString(32)}${fb.created.length}`.slice(0, 13);
          const uri = `at://${did}/${collection}/${rkey}`;
          if (records.has(uri)) return xerr(res, nsid, 400, 'InvalidRequest', `Record already exists: ${uri}`);
          const rec: FakeRecord = { uri, cid: cidOf(`${uri}${JSON.stringify(record)}`), value: record };
          records.set(uri, rec);
          fb.created.push(rec);
          opts.onCreate?.(rec);
          const delay = createDelayMs;
          createDelayMs = 0;
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          if (res.destroyed) return;
          return send(res, nsid, 200, { uri, cid: rec.cid, commit: { cid: cidOf(`commit${uri}`), rev: `rev${rkey}` }, validationStatus: 'valid' });
        }
        case 'app.bsky.actor.getProfiles': {
          if (req.method !== 'GET') return xerr(res, nsid, 405, 'InvalidRequest', 'Method Not Allowed');
          const actors = url.searchParams.getAll('actors');
          if (actors.length === 0) return xerr(res, nsid, 400, 'InvalidRequest', 'Error: Params must have the property "actors"');
          if (actors.length > 25) return xerr(res, nsid, 400, 'InvalidRequest', 'Error: actors must not have more than 25 elements');
          // The AppView leaves out actors it does not know; handles are accepted as actors too.
          const profiles = actors.flatMap((a) => {
            const entry = [...fb.profiles.entries()].find(([d, p]) => d === a || p.handle === a.toLowerCase());
            if (!entry) return [];
            const [pdid, p] = entry;
            return [
              {
                did: pdid,
                handle: p.handle,
                ...(p.displayName ? { displayName: p.displayName } : {}),
                avatar: `https://cdn.bsky.app/img/avatar/plain/${pdid}/bafkreiavatar@jpeg`,
                associated: { lists: 0, feedgens: 0, starterPacks: 0, labeler: false },
                labels: [],
                createdAt: '2024-01-01T00:00:00.000Z',
                indexedAt: '2024-01-01T00:00:00.000Z',
                followersCount: 10,
                followsCount: 20,
                postsCount: 30,
              },
            ];
          });
          return send(res, nsid, 200, { profiles });
        }
        default:
          return xerr(res, nsid, 501, 'MethodNotImplemented', 'Method Not Implemented');
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) xerr(res, 'error', 500, 'InternalServerError', String(e));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/subscribe') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const forced = takeFailure('subscribe');
    if (forced !== null) {
      const body = JSON.stringify({ error: 'InternalServerError', message: 'fake outage' });
      socket.end(`HTTP/1.1 ${forced} Fake\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, url));
  });

  const serve = (ws: WebSocket, url: URL) => {
    sockets.add(ws);
    const wanted = url.searchParams.getAll('wantedCollections').flatMap((v) => v.split(','));
    const c = url.searchParams.get('cursor');
    const cursor = c !== null && /^\d+$/.test(c) ? Number(c) : null;
    const conn: FakeConnection = { cursor, wantedCollections: wanted, sent: [], closed: false };
    fb.connections.push(conn);
    const plan = plans.shift() ?? {};
    ws.on('close', () => {
      conn.closed = true;
      sockets.delete(ws);
      wake();
    });
    ws.on('error', () => undefined);
    const wantedLine = (line: string): boolean => {
      let e: { time_us?: number; kind?: string; commit?: { collection?: string } };
      try {
        e = JSON.parse(line) as typeof e;
      } catch {
        return true;
      }
      if (cursor !== null && (e.time_us ?? 0) < cursor) return false;
      if (e.kind === 'commit' && wanted.length > 0 && !wanted.includes(e.commit?.collection ?? '')) return false;
      return true;
    };
    // Without live mode the history never grows: the replay is a snapshot taken now.
    const selected = opts.live ? null : events.filter(wantedLine);
    const next = async (i: number): Promise<{ line: string; i: number } | null> => {
      if (selected) return i < selected.length ? { line: selected[i] as string, i: i + 1 } : null;
      for (;;) {
        while (i < events.length) {
          const line = events[i] as string;
          i += 1;
          if (wantedLine(line)) return { line, i };
        }
        if (conn.closed) return null;
        await new Promise<void>((r) => waiters.push(r));
        if (conn.closed) return null;
      }
    };
    void (async () => {
      let n = 0;
      let at = 0;
      for (;;) {
        const got = await next(at);
        if (got === null) return;
        at = got.i;
        const line = got.line;
        if (conn.closed) return;
        if (plan.dropAfter !== undefined && n >= plan.dropAfter) return ws.terminate();
        if (plan.stallAfter !== undefined && n >= plan.stallAfter) return; // keeps the socket open, silent
        if (plan.truncateAt === n) {
          const cut = line.slice(0, Math.floor(line.length / 2));
          conn.sent.push(cut);
          ws.send(cut);
        }
        conn.sent.push(line);
        ws.send(line);
        n += 1;
        if (pace > 0) await new Promise((r) => setTimeout(r, pace));
      }
      // Then silence, like a quiet live tail.
    })();
  };

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  fb.url = `http://127.0.0.1:${port}`;
  fb.jetstreamUrl = `ws://127.0.0.1:${port}`;
  return fb;
}
