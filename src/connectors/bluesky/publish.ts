/**
 * Replies on Bluesky through the account's PDS: `com.atproto.server.createSession` with an app password (the
 * session is cached and renewed with `refreshSession` when the access token expires), then
 * `com.atproto.repo.createRecord` of an `app.bsky.feed.post` whose `reply.root`/`reply.parent` strong refs come
 * from the parent record (`com.atproto.repo.getRecord`).
 *
 * Idempotency: the record key is derived from the reply's idempotency key, so a retry after a timeout creates the
 * same at-uri; the PDS refuses a second record under that key, and we then read the existing record and report it as
 * sent. A reply is never posted twice.
 */
import { createHash } from 'node:crypto';
import type { NormalizedPost, SentPost } from '../../core/index.js';
import { parseRateLimitReset, systemClock, type Clock } from '../x/backoff.js';
import { postUri } from './normalize.js';
import { POST_COLLECTION, describe, errorText } from './jetstream.js';

export const BLUESKY_PDS_URL = 'https://bsky.social';
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export type FetchLike = typeof globalThis.fetch;

/** Every failure from the PDS. `retryable` tells the outbox whether trying again later can help. */
export class BlueskyApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    /** Earliest sensible retry (epoch ms), when the PDS says. */
    readonly retryAt: number | null = null,
    /** The XRPC error name (`ExpiredToken`, `RecordNotFound`, …), when there is one. */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'BlueskyApiError';
  }
}

export interface BlueskySession {
  did: string;
  handle: string;
  accessJwt: string;
  refreshJwt: string;
}

export interface BlueskyPublisherOptions {
  /** The account's PDS (https://bsky.social for most accounts). */
  pdsUrl: string;
  /** Handle (e.g. brand.bsky.social), DID or email of the account. */
  identifier: string;
  /** An app password (Settings → Privacy and security → App passwords), never the account password. */
  appPassword: string;
  fetch?: FetchLike;
  clock?: Clock;
  requestTimeoutMs?: number;
}

export interface BlueskyPublishRequest {
  text: string;
  inReplyToExternalId: string | null;
  idempotencyKey: string;
}

interface StrongRef {
  uri: string;
  cid: string;
}

interface XrpcResult {
  status: number;
  body: Record<string, unknown> | null;
  text: string;
  headers: Headers;
}

const AT_URI = /^at:\/\/([^/]+)\/([^/]+)\/([^/?#]+)$/;
const TID_FIRST = '234567abcdefghij';
const B32 = '234567abcdefghijklmnopqrstuvwxyz';

/**
 * A record key in TID syntax (13 base32-sortable characters, top bit clear) derived from the idempotency key: the
 * same reply always gets the same at-uri.
 */
export function rkeyFor(idempotencyKey: string): string {
  const h = createHash('sha256').update(`earshot:${idempotencyKey}`).digest();
  let out = TID_FIRST[(h[0] ?? 0) % 16] ?? '2';
  for (let i = 1; i < 13; i++) out += B32[(h[i] ?? 0) % 32] ?? '2';
  return out;
}

export function parseAtUri(uri: string): { repo: string; collection: string; rkey: string } | null {
  const m = AT_URI.exec(uri);
  return m ? { repo: m[1] as string, collection: m[2] as string, rkey: m[3] as string } : null;
}

export class BlueskyPublisher {
  private readonly base: string;
  private readonly fetchFn: FetchLike;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private session: BlueskySession | null = null;
  private pendingSession: Promise<BlueskySession> | null = null;
  private pendingRefresh: Promise<BlueskySession> | null = null;

  constructor(private readonly opts: BlueskyPublisherOptions) {
    this.base = opts.pdsUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** The cached session, creating one when there is none. */
  async currentSession(): Promise<BlueskySession> {
    if (this.session) return this.session;
    this.pendingSession ??= this.createSession().finally(() => {
      this.pendingSession = null;
    });
    return this.pendingSession;
  }

  /** Does this publisher speak for `handle` (compared with the identifier, the session's handle and DID)? */
  async speaksFor(handleOrDid: string): Promise<boolean> {
    const want = handleOrDid.replace(/^@/, '').toLowerCase();
    if (want === this.opts.identifier.replace(/^@/, '').toLowerCase()) return true;
    const s = await this.currentSession();
    return want === s.handle.toLowerCase() || want === s.did.toLowerCase();
  }

  async publish(req: BlueskyPublishRequest): Promise<SentPost> {
    const s = await this.currentSession();
    let reply: { root: StrongRef; parent: StrongRef } | null = null;
    if (req.inReplyToExternalId) {
      const at = parseAtUri(req.inReplyToExternalId);
      if (!at) throw new BlueskyApiError(`not a Bluesky post URI: ${req.inReplyToExternalId.slice(0, 200)}`, null, false);
      const parent = await this.getRecord(at.repo, at.collection, at.rkey);
      if (!parent) throw new BlueskyApiError(`the post being answered no longer exists: ${req.inReplyToExternalId}`, 400, false, null, 'RecordNotFound');
      const parentRef = { uri: parent.uri, cid: parent.cid };
      const root = strongRef((parent.value.reply as Record<string, unknown> | undefined)?.root);
      reply = { root: root ?? parentRef, parent: parentRef };
    }
    const rkey = rkeyFor(req.idempotencyKey);
    const record: Record<string, unknown> = {
      $type: POST_COLLECTION,
      text: req.text,
      createdAt: new Date(this.clock.now()).toISOString(),
      ...(reply ? { reply } : {}),
    };
    let res: XrpcResult;
    try {
      res = await this.authed('POST', 'com.atproto.repo.createRecord', undefined, { repo: s.did, collection: POST_COLLECTION, rkey, record });
    } catch (e) {
      // A timeout or a dropped connection: the record may exist. The retry uses the same rkey, so it cannot double.
      throw asApiError(e);
    }
    if (res.status === 200) {
      const ref = strongRef(res.body);
      if (!ref) throw new BlueskyApiError('createRecord answered 200 without uri and cid', 200, true);
      return sentPost(s, ref.uri, req.text, Date.parse(record.createdAt as string), req.inReplyToExternalId, reply?.root.uri ?? null);
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429) {
      // Most likely "record already exists": an earlier attempt went through. Look before calling it a failure.
      const existing = await this.getRecord(s.did, POST_COLLECTION, rkey);
      if (existing) {
        const text = typeof existing.value.text === 'string' ? existing.value.text : req.text;
        const created = typeof existing.value.createdAt === 'string' ? Date.parse(existing.value.createdAt) : NaN;
        return sentPost(s, existing.uri, text, Number.isFinite(created) ? created : this.clock.now(), req.inReplyToExternalId, reply?.root.uri ?? null);
      }
    }
    throw this.failure('createRecord', res);
  }

  /** A record, or null when the PDS says it does not exist. */
  async getRecord(repo: string, collection: string, rkey: string): Promise<{ uri: string; cid: string; value: Record<string, unknown> } | null> {
    const res = await this.authed('GET', 'com.atproto.repo.getRecord', { repo, collection, rkey }).catch((e: unknown) => {
      throw asApiError(e);
    });
    if (res.status === 200) {
      const ref = strongRef(res.body);
      const value = res.body?.value;
      if (!ref || typeof value !== 'object' || value === null) throw new BlueskyApiError('getRecord answered 200 without uri, cid and value', 200, true);
      return { ...ref, value: value as Record<string, unknown> };
    }
    if (res.status === 400 && res.body?.error === 'RecordNotFound') return null;
    if (res.status === 404) return null;
    throw this.failure('getRecord', res);
  }

  private async createSession(): Promise<BlueskySession> {
    const res = await this.xrpc('POST', 'com.atproto.server.createSession', undefined, { identifier: this.opts.identifier, password: this.opts.appPassword }, null).catch(
      (e: unknown) => {
        throw asApiError(e);
      },
    );
    if (res.status !== 200) {
      if (res.status === 401 || (res.status === 400 && typeof res.body?.error === 'string' && /Auth|Invalid/.test(res.body.error))) {
        throw new BlueskyApiError(
          `Bluesky refused the sign-in of ${this.opts.identifier}${errorText(res.text)} (check the handle and the app password)`,
          res.status,
          false,
          null,
          str(res.body?.error),
        );
      }
      throw this.failure('createSession', res);
    }
    return (this.session = this.sessionFrom(res));
  }

  /**
   * A new access token after `failedAccess` expired. Concurrent callers share one refresh (refresh tokens are
   * single-use), and a caller whose token was already replaced just takes the new session.
   */
  private renew(failedAccess: string): Promise<BlueskySession> {
    if (this.session && this.session.accessJwt !== failedAccess) return Promise.resolve(this.session);
    this.pendingRefresh ??= this.refreshSession().finally(() => {
      this.pendingRefresh = null;
    });
    return this.pendingRefresh;
  }

  private async refreshSession(): Promise<BlueskySession> {
    const old = this.session;
    if (!old) return this.currentSession();
    const res = await this.xrpc('POST', 'com.atproto.server.refreshSession', undefined, undefined, old.refreshJwt).catch((e: unknown) => {
      throw asApiError(e);
    });
    if (res.status === 200) return (this.session = this.sessionFrom(res));
    if (res.status === 400 || res.status === 401) {
      // The refresh token expired or was revoked: sign in again with the app password.
      this.session = null;
      return this.currentSession();
    }
    throw this.failure('refreshSession', res);
  }

  private sessionFrom(res: XrpcResult): BlueskySession {
    const b = res.body ?? {};
    const s = { did: str(b.did), handle: str(b.handle), accessJwt: str(b.accessJwt), refreshJwt: str(b.refreshJwt) };
    if (!s.did || !s.accessJwt || !s.refreshJwt) throw new BlueskyApiError('session answer without did, accessJwt and refreshJwt', res.status, true);
    return { did: s.did, handle: s.handle ?? s.did, accessJwt: s.accessJwt, refreshJwt: s.refreshJwt };
  }

  /** A call with the access token; an expired token is refreshed and the call made once more. */
  private async authed(method: 'GET' | 'POST', nsid: string, query?: Record<string, string>, body?: unknown): Promise<XrpcResult> {
    let s = await this.currentSession();
    let res = await this.xrpc(method, nsid, query, body, s.accessJwt);
    if (isExpired(res)) {
      s = await this.renew(s.accessJwt);
      res = await this.xrpc(method, nsid, query, body, s.accessJwt);
    } else if (res.status === 401) {
      // Revoked or otherwise invalid: a new session once, then give up.
      if (this.session?.accessJwt === s.accessJwt) this.session = null;
      s = await this.currentSession();
      res = await this.xrpc(method, nsid, query, body, s.accessJwt);
    }
    return res;
  }

  private async xrpc(method: 'GET' | 'POST', nsid: string, query: Record<string, string> | undefined, body: unknown, token: string | null): Promise<XrpcResult> {
    const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
    const ac = new AbortController();
    const timer = this.clock.setTimeout(() => ac.abort(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const res = await this.fetchFn(`${this.base}/xrpc/${nsid}${qs}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: ac.signal,
      });
      const text = await res.text();
      return { status: res.status, body: parseJson(text), text, headers: res.headers };
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private failure(what: string, res: XrpcResult): BlueskyApiError {
    const code = str(res.body?.error);
    const msg = `Bluesky ${what} ${res.status}${errorText(res.text)}`;
    if (res.status === 429) return new BlueskyApiError(msg, 429, true, parseRateLimitReset(res.headers.get('ratelimit-reset')), code);
    if (res.status === 401) return new BlueskyApiError(`${msg} (check the app password)`, 401, false, null, code);
    // 408 and 5xx are the PDS's side; any other 4xx fails the same way again.
    return new BlueskyApiError(msg, res.status, res.status >= 500 || res.status === 408, null, code);
  }
}

function isExpired(res: XrpcResult): boolean {
  return (res.status === 400 || res.status === 401) && res.body?.error === 'ExpiredToken';
}

function asApiError(e: unknown): BlueskyApiError {
  if (e instanceof BlueskyApiError) return e;
  return new BlueskyApiError(`Bluesky unreachable: ${describe(e)}`, null, true);
}

function strongRef(v: unknown): StrongRef | null {
  if (typeof v !== 'object' || v === null) return null;
  const { uri, cid } = v as { uri?: unknown; cid?: unknown };
  return typeof uri === 'string' && typeof cid === 'string' && uri && cid ? { uri, cid } : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The post as we created it: enough to thread it at once; the Jetstream copy dedupes on the at-uri. */
export function sentPost(s: BlueskySession, uri: string, text: string, createdAt: number, inReplyToId: string | null, rootId: string | null): SentPost {
  const at = parseAtUri(uri);
  const rkey = at?.rkey ?? '';
  const externalId = at ? postUri(at.repo, rkey) : uri;
  const post: NormalizedPost = {
    network: 'bluesky',
    externalId,
    url: `https://bsky.app/profile/${s.handle}/post/${rkey}`,
    author: { network: 'bluesky', externalId: s.did, handle: s.handle, displayName: null, followers: null, verified: false },
    text,
    createdAt,
    lang: null,
    inReplyToId,
    inReplyToAuthorId: inReplyToId ? (parseAtUri(inReplyToId)?.repo ?? null) : null,
    rootId,
    mentions: [],
    hashtags: [...text.matchAll(/(?<![\w#])#(\w+)/gu)].map((m) => (m[1] ?? '').toLowerCase()),
    urls: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]),
    repostOfId: null,
    quotedId: null,
    direction: 'outbound',
    isPrivate: false,
    source: 'bluesky-jetstream',
  };
  return { externalId, url: post.url, post };
}
