/**
 * The sandbox network: a fake X API v2 on loopback, fed by the traffic generator. The X connector talks to it
 * exactly as to api.x.com (filtered stream, POST /2/tweets, recent search, lookups, rate-limit headers), so the
 * demo and the tests exercise the production code path.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxBrand } from './brands.js';
import { TrafficGenerator, type SandboxUser, type TweetDraft } from './traffic.js';
import { SnowflakeIds, wireTweet, wireUser, type WireTweet } from './wire.js';
import { scheduler } from './later.js';

export interface SandboxOptions {
  /** 0 = a free port. */
  port?: number;
  host?: '127.0.0.1';
  seed?: number;
  /** Ordinary mentions per minute (Poisson arrivals); 0 = only emitNow/burst/replies. */
  ratePerMinute?: number;
  keepAliveMs?: number;
  brands?: SandboxBrand[];
  /** Mean time between automatic outage bursts; 0 = none. */
  incidentEveryMs?: number;
  /** How long a burst takes to unfold. */
  burstSpreadMs?: number;
  /** Delay range before a customer answers a brand reply. */
  replyDelayMs?: [number, number];
  /** POST /2/tweets allowance per account per 15-minute window (X: 200). */
  postLimitPer15Min?: number;
  bearerToken?: string;
}

/** A post a brand account made through POST /2/tweets. */
export interface SandboxReceived {
  id: string;
  brand: string;
  text: string;
  inReplyToId: string | null;
  at: number;
}

export interface Sandbox {
  url: string;
  port: number;
  brands: SandboxBrand[];
  /** App-only bearer token for the stream and search. */
  bearerToken: string;
  /** Brand handle → OAuth 2.0 user token for POST /2/tweets. */
  userTokens: Record<string, string>;
  received: SandboxReceived[];
  /** Emits n ordinary mentions now; returns their ids. */
  emitNow(n?: number): string[];
  /** An outage at one brand: n customers post about it over `burstSpreadMs`. */
  burst(brandHandle: string, n: number): void;
  /** Down for `ms`, then back up. */
  pause(ms: number): void;
  /** Drops streams and answers every request with 503 while down. */
  setDown(down: boolean): void;
  /** Test hook: the stream connection stays open but nothing (not even keep-alives) is written. */
  setStalled(stalled: boolean): void;
  /** Stream connections accepted so far. */
  readonly streamConnections: number;
  /** Test hook: recent search answers 429 (with `x-rate-limit-reset`) for the next `ms`. */
  rateLimitSearch(ms: number): void;
  /** Test hook: drops the current stream connection (the client sees "stream closed by server"). */
  dropStream(): void;
  /** Recent search requests received so far. */
  readonly searchRequests: number;
  tweet(id: string): WireTweet | undefined;
  close(): Promise<void>;
}

interface Stored {
  tweet: WireTweet;
  author: SandboxUser;
  /** Brand whose rule it matched (for matching_rules). */
  brand: string;
}

const WINDOW_MS = 15 * 60_000;
const LIMITS: Record<string, number> = { stream: 50, search: 450, lookup: 900, me: 75, timeline: 900 };

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const gen = new TrafficGenerator({ seed: opts.seed ?? 42, brands: opts.brands });
  const brands = gen.brands;
  const keepAliveMs = opts.keepAliveMs ?? 20_000;
  const rate = opts.ratePerMinute ?? 30;
  const burstSpreadMs = opts.burstSpreadMs ?? 180_000;
  const [replyMin, replyMax] = opts.replyDelayMs ?? [8_000, 45_000];
  const incidentEveryMs = opts.incidentEveryMs ?? 20 * 60_000;
  const bearerToken = opts.bearerToken ?? `sandbox-app-${randomBytes(12).toString('hex')}`;
  const userTokens: Record<string, string> = Object.fromEntries(brands.map((b) => [b.handle, `sandbox-user-${b.handle}-${randomBytes(12).toString('hex')}`]));
  const brandByToken = new Map(Object.entries(userTokens).map(([h, t]) => [t, h]));
  const ruleIds = new Map(brands.map((b, i) => [b.handle, `15${String(1000000000 + i * 7919).padStart(17, '0')}`]));

  const ids = new SnowflakeIds();
  const tweets = new Map<string, Stored>();
  /** Ids in creation order, for recent search and timelines. */
  const order: string[] = [];
  const received: SandboxReceived[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const usersByName = new Map([...gen.users, ...gen.brandUsers.values()].map((u) => [u.username.toLowerCase(), u]));
  const usersById = new Map([...gen.users, ...gen.brandUsers.values()].map((u) => [u.id, u]));
  const limits = new Map<string, { remaining: number; resetAt: number }>();

  let stream: { res: ServerResponse; keepAlive: ReturnType<typeof setInterval> } | null = null;
  let streamConnections = 0;
  let down = false;
  let stalled = false;
  let closed = false;
  let searchLimitedUntil = 0;
  let searchRequests = 0;

  const later = scheduler(timers, () => closed);

  const endStream = () => {
    if (!stream) return;
    clearInterval(stream.keepAlive);
    stream.res.destroy();
    stream = null;
  };

  const write = (line: string) => {
    if (!stream || stalled || stream.res.destroyed) return;
    stream.res.write(line);
  };

  /** Stores a draft as a tweet; streams it unless `silent` (e.g. the original of a retweet, posted earlier). */
  const post = (d: Omit<TweetDraft, 'retweetOf'> & { retweetOf?: Omit<TweetDraft, 'retweetOf'> }, silent = false): string => {
    let referenced: WireTweet['referenced_tweets'];
    if (d.retweetOf) referenced = [{ type: 'retweeted', id: post(d.retweetOf, true) }];
    if (d.inReplyTo) referenced = [{ type: 'replied_to', id: d.inReplyTo.tweetId }];
    const now = Date.now();
    const id = ids.next(now);
    const tweet = wireTweet(d, id, now, {
      conversationId: d.inReplyTo?.conversationId ?? id,
      inReplyToUserId: d.inReplyTo?.userId,
      referenced,
      userIdByName: (u) => usersByName.get(u.toLowerCase())?.id,
    });
    tweets.set(id, { tweet, author: d.author, brand: d.brand });
    order.push(id);
    if (order.length > 50_000) tweets.delete(order.shift() ?? '');
    if (!silent) write(JSON.stringify(streamLine(id)) + '\r\n');
    return id;
  };

  const streamLine = (id: string) => {
    const s = tweets.get(id);
    if (!s) throw new Error(`no tweet ${id}`);
    return { ...withIncludes([s.tweet]), matching_rules: [{ id: ruleIds.get(s.brand) ?? '1', tag: `brand:${s.brand}` }] };
  };

  /** `{data, includes:{users, tweets}}` with the expansions the connector asks for. */
  const withIncludes = (list: WireTweet[]) => {
    const users = new Map<string, ReturnType<typeof wireUser>>();
    const refs = new Map<string, WireTweet>();
    for (const t of list) {
      const a = usersById.get(t.author_id);
      if (a) users.set(a.id, wireUser(a));
      const r = t.in_reply_to_user_id ? usersById.get(t.in_reply_to_user_id) : undefined;
      if (r) users.set(r.id, wireUser(r));
      for (const ref of t.referenced_tweets ?? []) {
        const rt = tweets.get(ref.id)?.tweet;
        if (rt) refs.set(rt.id, rt);
      }
    }
    const includes: Record<string, unknown> = { users: [...users.values()] };
    if (refs.size) includes.tweets = [...refs.values()];
    return { data: list.length === 1 && list[0] ? list[0] : list, includes };
  };

  const emitNow = (n = 1): string[] => Array.from({ length: Math.max(0, n) }, () => post(gen.next()));

  const burst = (brandHandle: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const d = gen.incident(brandHandle);
      // Front-loaded, like a real outage: most posts in the first part of the spread.
      later(Math.floor(burstSpreadMs * Math.pow(Math.random(), 1.5)), () => post(d));
    }
  };

  // Poisson arrivals for ordinary traffic; timing is wall-clock, content is seeded.
  const scheduleTraffic = () => {
    if (rate <= 0) return;
    later(Math.max(1, Math.round((-Math.log(1 - Math.random()) * 60_000) / rate)), () => {
      emitNow(1);
      scheduleTraffic();
    });
  };
  const scheduleIncident = () => {
    if (incidentEveryMs <= 0) return;
    later(Math.round(incidentEveryMs * (0.5 + Math.random())), () => {
      const b = brands[Math.floor(Math.random() * brands.length)];
      if (b) burst(b.handle, 20 + Math.floor(Math.random() * 41));
      scheduleIncident();
    });
  };

  const send = (res: ServerResponse, status: number, body: unknown, bucket?: string, headers: Record<string, string> = {}) => {
    const lim = bucket ? limits.get(bucket) : undefined;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      ...(lim ? rateHeaders(bucket ?? '', lim) : {}),
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
  const rateHeaders = (bucket: string, l: { remaining: number; resetAt: number }) => ({
    'x-rate-limit-limit': String(limitOf(bucket)),
    'x-rate-limit-remaining': String(Math.max(0, l.remaining)),
    'x-rate-limit-reset': String(Math.ceil(l.resetAt / 1000)),
  });
  const limitOf = (bucket: string) => (bucket.startsWith('post:') ? (opts.postLimitPer15Min ?? 200) : (LIMITS[bucket.split(':')[0] ?? ''] ?? 900));
  /** Spends one request from the bucket's 15-minute window; false when exhausted. */
  const spend = (bucket: string): boolean => {
    const now = Date.now();
    let l = limits.get(bucket);
    if (!l || now >= l.resetAt) l = { remaining: limitOf(bucket), resetAt: now + WINDOW_MS };
    limits.set(bucket, l);
    if (l.remaining <= 0) return false;
    l.remaining -= 1;
    return true;
  };

  const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({ title, detail, type: 'about:blank', status, ...extra });
  const tooMany = (res: ServerResponse, bucket: string) => send(res, 429, problem(429, 'Too Many Requests', 'Too Many Requests'), bucket);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const asBrand = brandByToken.get(token);
    const isApp = token === bearerToken;
    if (down) return send(res, 503, problem(503, 'Service Unavailable', 'Service Unavailable'));
    if (!isApp && !asBrand) return send(res, 401, problem(401, 'Unauthorized', 'Unauthorized'));
    const path = url.pathname.replace(/\/+$/, '');

    if (req.method === 'GET' && path === '/2/tweets/search/stream') {
      if (!isApp) return send(res, 403, problem(403, 'Unsupported Authentication', 'Authenticating with OAuth 2.0 User Context is forbidden for this endpoint. Supported authentication types are [OAuth 2.0 Application-Only].'));
      if (stream && !stream.res.destroyed) {
        return send(res, 429, {
          title: 'ConnectionException',
          detail: 'This stream is currently at the maximum allowed connection limit.',
          connection_issue: 'TooManyConnections',
          type: 'https://api.twitter.com/2/problems/streaming-connection',
        });
      }
      if (!spend('stream')) return tooMany(res, 'stream');
      const l = limits.get('stream');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...(l ? rateHeaders('stream', l) : {}) });
      res.flushHeaders();
      streamConnections++;
      const keepAlive = setInterval(() => write('\r\n'), keepAliveMs);
      const mine = { res, keepAlive };
      stream = mine;
      res.on('close', () => {
        clearInterval(keepAlive);
        if (stream === mine) stream = null;
      });
      return;
    }

    if (req.method === 'POST' && path === '/2/tweets') {
      if (!asBrand) return send(res, 403, problem(403, 'Unsupported Authentication', 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].'));
      const bucket = `post:${asBrand}`;
      if (!spend(bucket)) return tooMany(res, bucket);
      const body = await readJson(req);
      const text = typeof body?.text === 'string' ? body.text : '';
      const replyTo = (body?.reply as { in_reply_to_tweet_id?: unknown } | undefined)?.in_reply_to_tweet_id;
      if (!text.trim() || [...text].length > 280) {
        return send(res, 400, { errors: [{ message: text.trim() ? 'Your Tweet text is too long.' : 'text: must not be empty' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' }, bucket);
      }
      const parent = typeof replyTo === 'string' ? tweets.get(replyTo) : undefined;
      if (replyTo !== undefined && !parent) {
        return send(res, 400, { errors: [{ message: 'Invalid reply: the Tweet you are replying to has been deleted or is not visible to you.' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' }, bucket);
      }
      const brandUser = gen.brandUsers.get(asBrand.toLowerCase());
      if (!brandUser) return send(res, 500, problem(500, 'Internal Error', 'unknown brand'));
      // X refuses a post identical to one of the account's recent posts; there is no idempotency key.
      const dup = order.slice(-5000).some((id) => {
        const s = tweets.get(id);
        return s?.author.id === brandUser.id && s.tweet.text === text;
      });
      if (dup) return send(res, 403, problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'), bucket);
      const draft: TweetDraft = {
        intent: 'reply',
        author: brandUser,
        text,
        brand: asBrand,
        tagged: false,
        links: {},
        ...(parent ? { inReplyTo: { tweetId: parent.tweet.id, userId: parent.author.id, conversationId: parent.tweet.conversation_id } } : {}),
      };
      const id = post(draft);
      received.push({ id, brand: asBrand, text, inReplyToId: parent?.tweet.id ?? null, at: Date.now() });
      // The customer answers the brand after a while, in the same conversation.
      if (parent && parent.author.kind === 'customer' && parent.author.id !== brandUser.id) {
        const customer = parent.author;
        const conv = parent.tweet.conversation_id;
        later(replyMin + Math.floor(Math.random() * Math.max(0, replyMax - replyMin)), () => post(gen.answerBrand(customer, asBrand, { tweetId: id, conversationId: conv })));
      }
      return send(res, 201, { data: { id, text, edit_history_tweet_ids: [id] } }, bucket);
    }

    if (req.method === 'GET' && path === '/2/tweets/search/recent') {
      searchRequests++;
      const bucket = `search:${token}`;
      if (searchLimitedUntil > Date.now()) {
        return send(res, 429, problem(429, 'Too Many Requests', 'Too Many Requests'), undefined, { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(searchLimitedUntil / 1000)) });
      }
      if (!spend(bucket)) return tooMany(res, bucket);
      const match = queryMatcher(url.searchParams.get('query') ?? '', usersById);
      const since = url.searchParams.get('since_id');
      const max = Math.min(100, Math.max(10, Number(url.searchParams.get('max_results') ?? 10) || 10));
      const weekAgo = Date.now() - 7 * 86_400_000;
      const startTime = Date.parse(url.searchParams.get('start_time') ?? '');
      // Like X, next_token is opaque; here it carries the id below which the next page starts.
      const pageToken = url.searchParams.get('next_token');
      const below = pageToken ? Buffer.from(pageToken, 'base64url').toString('utf8') : url.searchParams.get('until_id');
      if (since && !/^\d{1,25}$/.test(since)) return send(res, 400, { errors: [{ parameters: { since_id: [since] }, message: `The \`since_id\` query parameter value [${since}] is not valid` }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' }, bucket);
      if (below !== null && !/^\d{1,25}$/.test(below)) return send(res, 400, { errors: [{ message: 'invalid next_token or until_id' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' }, bucket);
      const found: WireTweet[] = [];
      let more = false;
      for (let i = order.length - 1; i >= 0; i--) {
        const s = tweets.get(order[i] ?? '');
        if (!s) continue;
        if (below !== null && BigInt(s.tweet.id) >= BigInt(below)) continue;
        if (since && BigInt(s.tweet.id) <= BigInt(since)) break;
        const at = Date.parse(s.tweet.created_at);
        if (at < weekAgo || (Number.isFinite(startTime) && at < startTime)) break;
        if (!match(s)) continue;
        if (found.length === max) {
          more = true;
          break;
        }
        found.push(s.tweet);
      }
      if (found.length === 0) return send(res, 200, { meta: { result_count: 0 } }, bucket);
      const { data, includes } = withIncludes(found);
      const oldest = found[found.length - 1]?.id ?? '';
      const meta = { newest_id: found[0]?.id, oldest_id: oldest, result_count: found.length, ...(more ? { next_token: Buffer.from(oldest, 'utf8').toString('base64url') } : {}) };
      return send(res, 200, { data: Array.isArray(data) ? data : [data], includes, meta }, bucket);
    }

    if (req.method === 'GET' && path === '/2/users/me') {
      if (!asBrand) return send(res, 403, problem(403, 'Unsupported Authentication', 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.'));
      const bucket = `me:${token}`;
      if (!spend(bucket)) return tooMany(res, bucket);
      const u = gen.brandUsers.get(asBrand.toLowerCase());
      return send(res, 200, { data: { id: u?.id, name: u?.name, username: u?.username } }, bucket);
    }

    const timeline = /^\/2\/users\/(\d+)\/tweets$/.exec(path);
    if (req.method === 'GET' && timeline) {
      const bucket = `timeline:${token}`;
      if (!spend(bucket)) return tooMany(res, bucket);
      const uid = timeline[1];
      const max = Math.min(100, Math.max(5, Number(url.searchParams.get('max_results') ?? 10) || 10));
      const found: WireTweet[] = [];
      for (let i = order.length - 1; i >= 0 && found.length < max; i--) {
        const s = tweets.get(order[i] ?? '');
        if (s && s.author.id === uid) found.push(s.tweet);
      }
      if (found.length === 0) return send(res, 200, { meta: { result_count: 0 } }, bucket);
      return send(res, 200, { data: found, meta: { newest_id: found[0]?.id, oldest_id: found[found.length - 1]?.id, result_count: found.length } }, bucket);
    }

    const one = /^\/2\/tweets\/(\d+)$/.exec(path);
    if (req.method === 'GET' && one) {
      const bucket = `lookup:${token}`;
      if (!spend(bucket)) return tooMany(res, bucket);
      const id = one[1] ?? '';
      const s = tweets.get(id);
      // Like X: a missing tweet is 200 with an `errors` array.
      if (!s) return send(res, 200, { errors: [{ value: id, detail: `Could not find tweet with id: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'id', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }] }, bucket);
      return send(res, 200, withIncludes([s.tweet]), bucket);
    }

    return send(res, 404, problem(404, 'Not Found Error', `no route for ${req.method ?? ''} ${url.pathname}`));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, problem(500, 'Internal Error', e instanceof Error ? e.message : String(e)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const setDown = (v: boolean) => {
    down = v;
    if (v) endStream();
  };
  scheduleTraffic();
  scheduleIncident();

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    brands,
    bearerToken,
    userTokens,
    received,
    emitNow,
    burst,
    pause(ms: number) {
      setDown(true);
      later(ms, () => setDown(false));
    },
    setDown,
    setStalled(v: boolean) {
      stalled = v;
    },
    get streamConnections() {
      return streamConnections;
    },
    rateLimitSearch(ms: number) {
      searchLimitedUntil = Date.now() + ms;
    },
    dropStream: endStream,
    get searchRequests() {
      return searchRequests;
    },
    tweet: (id) => tweets.get(id)?.tweet,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      endStream();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 64 * 1024) return null;
    chunks.push(c);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * A small subset of X's query language, enough for backfill queries: terms and "quoted phrases" OR-ed,
 * `@handle`, `from:handle`, `#tag`; `-is:retweet` and other operators are ignored.
 */
function queryMatcher(query: string, usersById: Map<string, SandboxUser>): (s: Stored) => boolean {
  const terms = [...query.matchAll(/"([^"]+)"|(\S+)/g)]
    .map((m) => (m[1] ?? m[2] ?? '').replace(/[()]/g, '').toLowerCase())
    .filter((t) => t && t !== 'or' && t !== 'and' && !t.startsWith('-') && !/^(is|lang|has):/.test(t));
  if (terms.length === 0) return () => true;
  return (s) => {
    const text = s.tweet.text.toLowerCase();
    const author = usersById.get(s.tweet.author_id)?.username.toLowerCase() ?? '';
    return terms.some((t) => (t.startsWith('from:') ? author === t.slice(5).replace(/^@/, '') : text.includes(t)));
  };
}
