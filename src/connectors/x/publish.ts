/**
 * Replies on X: POST /2/tweets with the brand account's user token. X has no idempotency key, so a retry of a
 * post that did go out is refused with 403 "duplicate content"; we then find that post and report it as sent.
 */
import type { NormalizedPost, SentPost } from '../../core/index.js';
import { parseRateLimitReset, systemClock, type Clock } from './backoff.js';
import { problemText, type FetchLike } from './stream.js';

export interface XAccount {
  handle: string;
  /** X user id; looked up with GET /2/users/me when null. */
  externalId: string | null;
  /** OAuth 2.0 user-context access token for this account. */
  userToken: string;
}

/** Every failure from the X API. `retryable` tells the outbox whether trying again later can help. */
export class XApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    /** Earliest sensible retry (epoch ms), when X says. */
    readonly retryAt: number | null = null,
  ) {
    super(message);
    this.name = 'XApiError';
  }
}

/** Rate limit hit or known to be exhausted; retry at `retryAt`. */
export class XRateLimitError extends XApiError {
  constructor(message: string, retryAt: number | null) {
    super(message, 429, true, retryAt);
    this.name = 'XRateLimitError';
  }
}

export interface XPublishRequest {
  text: string;
  inReplyToExternalId: string | null;
}

interface Limit {
  remaining: number;
  resetAt: number;
}

export interface XPublisherOptions {
  baseUrl: string;
  fetch?: FetchLike;
  clock?: Clock;
}

const DUPLICATE_RE = /duplicate/i;

export class XPublisher {
  private readonly limits = new Map<string, Limit>();
  private readonly userIds = new Map<string, string>();
  private readonly base: string;
  private readonly fetchFn: FetchLike;
  private readonly clock: Clock;

  constructor(opts: XPublisherOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.clock = opts.clock ?? systemClock;
  }

  async publish(account: XAccount, req: XPublishRequest): Promise<SentPost> {
    const limitKey = `POST /2/tweets ${account.handle.toLowerCase()}`;
    const known = this.limits.get(limitKey);
    const now = this.clock.now();
    if (known && known.remaining <= 0 && now < known.resetAt) {
      throw new XRateLimitError(`X post limit for @${account.handle} exhausted until ${new Date(known.resetAt).toISOString()}`, known.resetAt);
    }
    const body: Record<string, unknown> = { text: req.text };
    if (req.inReplyToExternalId) body.reply = { in_reply_to_tweet_id: req.inReplyToExternalId };
    const res = await this.call('POST', '/2/tweets', account.userToken, limitKey, body);
    const text = await res.text();
    if (res.status === 201 || res.status === 200) {
      const data = parseJson(text)?.data as { id?: unknown; text?: unknown } | undefined;
      if (!data || typeof data.id !== 'string') throw new XApiError(`X answered ${res.status} without data.id`, res.status, true);
      const userId = await this.userId(account);
      return sentPost(account, userId, data.id, typeof data.text === 'string' ? data.text : req.text, req.inReplyToExternalId, this.clock.now());
    }
    if (res.status === 403 && DUPLICATE_RE.test(text)) {
      const found = await this.findOwnPost(account, req);
      if (found) return found;
      throw new XApiError(`X refused a duplicate post for @${account.handle} and the original could not be found`, 403, false);
    }
    throw this.failure(res, text, limitKey);
  }

  /** X user id of the account, from config or GET /2/users/me (cached). */
  async userId(account: XAccount): Promise<string> {
    if (account.externalId) return account.externalId;
    const cached = this.userIds.get(account.handle.toLowerCase());
    if (cached) return cached;
    const res = await this.call('GET', '/2/users/me', account.userToken, null);
    const text = await res.text();
    if (!res.ok) throw this.failure(res, text, null);
    const id = (parseJson(text)?.data as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw new XApiError('GET /2/users/me answered without data.id', res.status, true);
    this.userIds.set(account.handle.toLowerCase(), id);
    return id;
  }

  /** After a duplicate refusal: the account's recent posts, looking for the same text (and reply target). */
  private async findOwnPost(account: XAccount, req: XPublishRequest): Promise<SentPost | null> {
    const userId = await this.userId(account);
    const q = 'max_results=100&tweet.fields=created_at,conversation_id,referenced_tweets,in_reply_to_user_id';
    const res = await this.call('GET', `/2/users/${encodeURIComponent(userId)}/tweets?${q}`, account.userToken, null);
    const text = await res.text();
    if (!res.ok) throw this.failure(res, text, null);
    const items = (parseJson(text)?.data ?? []) as Array<{ id: string; text: string; created_at?: string; referenced_tweets?: Array<{ type: string; id: string }> }>;
    const want = squash(req.text);
    const hit = items.find((t) => {
      if (squash(t.text) !== want) return false;
      if (!req.inReplyToExternalId) return true;
      const replied = t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
      return replied === undefined || replied === req.inReplyToExternalId;
    });
    if (!hit) return null;
    const created = hit.created_at ? Date.parse(hit.created_at) : NaN;
    return sentPost(account, userId, hit.id, hit.text, req.inReplyToExternalId, Number.isFinite(created) ? created : this.clock.now());
  }

  private async call(method: string, path: string, token: string, limitKey: string | null, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new XApiError(`X unreachable: ${e instanceof Error ? e.message : String(e)}`, null, true);
    }
    if (limitKey) {
      const remaining = Number(res.headers.get('x-rate-limit-remaining'));
      const resetAt = parseRateLimitReset(res.headers.get('x-rate-limit-reset'));
      if (res.headers.has('x-rate-limit-remaining') && Number.isFinite(remaining) && resetAt !== null) this.limits.set(limitKey, { remaining, resetAt });
    }
    return res;
  }

  private failure(res: Response, text: string, limitKey: string | null): XApiError {
    const what = `X ${res.status}${problemText(text)}`;
    if (res.status === 429) {
      const resetAt = parseRateLimitReset(res.headers.get('x-rate-limit-reset'));
      if (limitKey && resetAt !== null) this.limits.set(limitKey, { remaining: 0, resetAt });
      return new XRateLimitError(what, resetAt);
    }
    if (res.status === 401) return new XApiError(`${what} (check the account's user token)`, 401, false);
    // 408 and 5xx are X's side; anything else 4xx will fail the same way again.
    return new XApiError(what, res.status, res.status >= 500 || res.status === 408);
  }
}

/** The post as we know it from the create response: enough to thread it at once; the stream copy dedupes on id. */
export function sentPost(account: XAccount, userId: string, id: string, text: string, inReplyToId: string | null, createdAt: number): SentPost {
  const post: NormalizedPost = {
    network: 'x',
    externalId: id,
    url: `https://x.com/${account.handle}/status/${id}`,
    author: { network: 'x', externalId: userId, handle: account.handle, displayName: null, followers: null, verified: false },
    text,
    createdAt,
    lang: null,
    inReplyToId,
    inReplyToAuthorId: null,
    rootId: null,
    mentions: [...text.matchAll(/(?<![\w@])@(\w{1,15})/g)].map((m) => (m[1] ?? '').toLowerCase()),
    hashtags: [...text.matchAll(/(?<![\w#])#(\w+)/gu)].map((m) => (m[1] ?? '').toLowerCase()),
    urls: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]),
    repostOfId: null,
    quotedId: null,
    direction: 'outbound',
    isPrivate: false,
    source: 'x-v2',
  };
  return { externalId: id, url: post.url, post };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
