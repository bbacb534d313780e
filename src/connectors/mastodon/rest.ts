/**
 * Thin typed client of the Mastodon REST API, as much as the connector needs: the account behind the token
 * (`verify_credentials`), mentions since a notification id (`/api/v1/notifications`, following `Link` pagination),
 * one status (`GET /api/v1/statuses/:id`) and a new status (`POST /api/v1/statuses` with an `Idempotency-Key`).
 * Every failure is a MastodonApiError that tells the outbox whether a retry can help.
 */
import { systemClock, type Clock } from '../x/backoff.js';
import { describeError, errorBodyText } from '../wire-errors.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** Notifications per page (Mastodon's maximum). */
export const PAGE_LIMIT = 40;
/** Gap fill reads at most this many pages after one reconnect (400 mentions). */
export const MAX_GAP_PAGES = 10;
export const TOKEN_VARIABLE = 'EARSHOT_MASTODON_ACCESS_TOKEN';

export type FetchLike = typeof globalThis.fetch;

/** Every failure from the instance. `retryable` tells the outbox whether trying again later can help. */
export class MastodonApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    /** Earliest sensible retry (epoch ms), from `X-RateLimit-Reset` on 429. */
    readonly retryAt: number | null = null,
  ) {
    super(message);
    this.name = 'MastodonApiError';
  }
}

/**
 * `X-RateLimit-Reset`: Mastodon sends an ISO 8601 timestamp; epoch seconds are accepted too. Epoch ms, or null when
 * absent or garbage.
 */
export function parseMastodonReset(v: string | null | undefined): number | null {
  if (!v) return null;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const s = Number(t);
    return s > 0 ? Math.round(s * 1000) : null;
  }
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** `Link: <url>; rel="next", <url>; rel="prev"` → {next, prev}. */
export function parseLinkHeader(v: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v) return out;
  for (const part of v.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m) out[m[2] as string] = m[1] as string;
  }
  return out;
}

/** Mastodon ids are decimal strings that may exceed 2^53: compare by length, then lexically. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface MastodonRestOptions {
  /** e.g. https://mastodon.social */
  instanceUrl: string;
  accessToken: string;
  fetch?: FetchLike;
  clock?: Clock;
  requestTimeoutMs?: number;
}

export type Json = Record<string, unknown>;

interface Reply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

export class MastodonRest {
  readonly base: string;
  private readonly fetchFn: FetchLike;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(private readonly opts: MastodonRestOptions) {
    this.base = opts.instanceUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  async verifyCredentials(): Promise<{ id: string; acct: string; username: string }> {
    const res = await this.call('GET', '/api/v1/accounts/verify_credentials');
    if (res.status !== 200) throw this.failure('verify_credentials', res);
    const b = asObject(res.body);
    if (typeof b?.id !== 'string' || typeof b.acct !== 'string') throw new MastodonApiError('verify_credentials answered 200 without id and acct', 200, true);
    return { id: b.id, acct: b.acct, username: typeof b.username === 'string' ? b.username : b.acct };
  }

  /**
   * Mention notifications newer than `sinceId`, oldest first. With no `sinceId`, only the newest page (a first
   * start does not read the account's whole history). Follows `rel="next"` (older) links until a page reaches
   * `sinceId`, is empty, or MAX_GAP_PAGES were read.
   */
  async mentionsSince(sinceId: string | null): Promise<Json[]> {
    const q = new URLSearchParams({ 'types[]': 'mention', limit: String(PAGE_LIMIT) });
    if (sinceId !== null) q.set('since_id', sinceId);
    let url: string | null = `${this.base}/api/v1/notifications?${q.toString()}`;
    const seen = new Map<string, Json>();
    for (let page = 0; url !== null && page < MAX_GAP_PAGES; page++) {
      const res = await this.call('GET', url);
      if (res.status !== 200) throw this.failure('notifications', res);
      if (!Array.isArray(res.body)) throw new MastodonApiError('notifications answered 200 without a list', 200, true);
      let reachedCursor = false;
      for (const n of res.body as unknown[]) {
        const o = asObject(n);
        const id = typeof o?.id === 'string' ? o.id : null;
        if (o === null || id === null) continue;
        if (sinceId !== null && compareIds(id, sinceId) <= 0) {
          reachedCursor = true;
          continue;
        }
        seen.set(id, o);
      }
      if (sinceId === null || reachedCursor || res.body.length === 0) break;
      url = parseLinkHeader(res.headers.get('link')).next ?? null;
      // The next link of some versions drops since_id: the cursor check above stops the walk instead.
    }
    return [...seen.entries()].sort((a, b) => compareIds(a[0], b[0])).map(([, n]) => n);
  }

  /** A status, or null when the instance says it does not exist (deleted, or not visible to the account). */
  async getStatus(id: string): Promise<Json | null> {
    const res = await this.call('GET', `/api/v1/statuses/${encodeURIComponent(id)}`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.failure('get status', res);
    const b = asObject(res.body);
    if (b === null) throw new MastodonApiError('get status answered 200 without a status', 200, true);
    return b;
  }

  async postStatus(body: { status: string; in_reply_to_id?: string; visibility: string }, idempotencyKey: string): Promise<Json> {
    const res = await this.call('POST', '/api/v1/statuses', body, { 'idempotency-key': idempotencyKey });
    if (res.status !== 200) throw this.failure('post status', res);
    const b = asObject(res.body);
    if (b === null) throw new MastodonApiError('post status answered 200 without a status', 200, true);
    return b;
  }

  private async call(method: 'GET' | 'POST', pathOrUrl: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const ac = new AbortController();
    const timer = this.clock.setTimeout(() => ac.abort(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const res = await this.fetchFn(url, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.accessToken}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: ac.signal,
      });
      const text = await res.text();
      return { status: res.status, body: parseJson(text), text, headers: res.headers };
    } catch (e) {
      throw new MastodonApiError(`Mastodon unreachable at ${this.base}: ${describe(e)}`, null, true);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private failure(what: string, res: Reply): MastodonApiError {
    const msg = `Mastodon ${what} ${res.status}${errorText(res.text)}`;
    if (res.status === 429) return new MastodonApiError(msg, 429, true, parseMastodonReset(res.headers.get('x-ratelimit-reset')));
    if (res.status === 401) return new MastodonApiError(`${msg} (the access token was refused: check ${TOKEN_VARIABLE})`, 401, false);
    if (res.status === 403) return new MastodonApiError(`${msg} (the access token lacks a scope: it needs read:notifications read:statuses write:statuses)`, 403, false);
    // 408 and 5xx are the instance's side; any other 4xx (422: refused status) fails the same way again.
    return new MastodonApiError(msg, res.status, res.status >= 500 || res.status === 408, null);
  }
}

/** Mastodon error bodies: `{error, error_description?}`. */
export const errorText = (body: string): string => errorBodyText(body, ['error', 'error_description']);

export const describe = describeError;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function asObject(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}
