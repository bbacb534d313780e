/**
 * Gap backfill for the X filtered stream: after a reconnect, GET /2/tweets/search/recent with `since_id` = the
 * newest post id already handed to the sink, following `meta.next_token`, one search page per RawPayload (the X
 * normalizer reads search pages). Duplicates with the live stream are fine: the store dedupes on external id.
 * A 429 waits for `x-rate-limit-reset`; other failures retry a few times, then give up with a reason. It never
 * touches the stream: it runs beside it.
 */
import type { RawPayload } from '../../core/index.js';
import { parseRateLimitReset, systemClock, type Clock } from './backoff.js';
import { problemText, STREAM_QUERY, type FetchLike } from './stream.js';
import {
  numericIdCursor,
  keyValueCursorStore as genericKeyValueCursorStore,
  memoryCursorStore as genericMemoryCursorStore,
  type CursorStore,
  type KeyValueCursors,
} from '../cursor.js';

export const SEARCH_PATH = '/2/tweets/search/recent';
/** Recent search reaches back 7 days; keep a minute of margin. */
export const RECENT_SEARCH_WINDOW_MS = 7 * 86_400_000;
const WINDOW_MARGIN_MS = 60_000;
/** X's epoch for snowflake ids (ms). */
const TWEPOCH = 1288834974657n;
const MAX_ATTEMPTS = 4;
const RETRY_MS = 5_000;
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Where the newest post id handed to the sink lives between runs (connectors/cursor.ts); ids are numeric strings. */
export type XCursorStore = CursorStore<string>;

export const memoryCursorStore = (initial: string | null = null) => genericMemoryCursorStore<string>(initial);

/** The stream cursor on the Store's key/value cursors; `beforeSave`: the pipeline's flush(). */
export const keyValueCursorStore = (kv: KeyValueCursors, key: string, beforeSave?: () => Promise<void>): XCursorStore =>
  genericKeyValueCursorStore(kv, key, numericIdCursor, beforeSave);

/** `@a OR @b`, OR-ed with an extra query when given. */
export function listeningQuery(handles: string[], extra?: string | null): string {
  const mentions = handles.map((h) => `@${h.replace(/^@/, '')}`).join(' OR ');
  const more = extra?.trim();
  if (!more) return mentions;
  return mentions ? `(${mentions}) OR (${more})` : more;
}

/** Keywords as an X query: each one quoted, OR-ed. */
export function keywordQuery(keywords: string[]): string {
  return keywords
    .map((k) => k.replace(/"/g, '').trim())
    .filter(Boolean)
    .map((k) => (/\s/.test(k) ? `"${k}"` : k))
    .join(' OR ');
}

/** Creation time (epoch ms) encoded in a snowflake id; null for ids that are not snowflakes. */
export function snowflakeTime(id: string): number | null {
  try {
    const t = Number((BigInt(id) >> 22n) + TWEPOCH);
    return t > 1288834974657 ? t : null;
  } catch {
    return null;
  }
}

/** The larger of two numeric id strings. */
export function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return BigInt(b) > BigInt(a) ? b : a;
}

/** Ids of the tweets in `data` of a stream line or a search page. */
export function dataIds(text: string): string[] {
  try {
    const v = JSON.parse(text) as { data?: unknown };
    const items = Array.isArray(v.data) ? v.data : v.data ? [v.data] : [];
    return items
      .map((t) => (t && typeof t === 'object' ? (t as { id?: unknown }).id : undefined))
      .filter((id): id is string => typeof id === 'string' && /^\d{1,25}$/.test(id));
  } catch {
    return [];
  }
}

export type BackfillEvent =
  | { type: 'progress'; posts: number; pages: number; gapMs: number | null }
  | { type: 'rate_limited'; until: number }
  | { type: 'done'; posts: number; pages: number; gapMs: number | null; truncated: boolean }
  | { type: 'failed'; detail: string; posts: number };

export interface BackfillOptions {
  name: string;
  baseUrl: string;
  bearerToken: string;
  query: string;
  clock?: Clock;
  fetch?: FetchLike;
  onEvent?: (e: BackfillEvent) => void;
  /** True once the owner stops: pending waits end and no further request is made. */
  stopped: () => boolean;
  /** Registers a canceller for the current wait (so stop() never waits out a rate-limit window). */
  onWait?: (cancel: (() => void) | null) => void;
  /** Aborts a request in flight when the owner stops. */
  signal?: AbortSignal;
}

/** Fetches every page newer than `sinceId` and hands each to the sink. Never throws. */
export async function backfill(opts: BackfillOptions, sinceId: string, sink: (raw: RawPayload) => Promise<void>): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const now = clock.now();
  const since = snowflakeTime(sinceId);
  const gapMs = since === null ? null : Math.max(0, now - since);
  const oldest = now - RECENT_SEARCH_WINDOW_MS + WINDOW_MARGIN_MS;
  // X refuses a since_id older than the window; search the whole window instead.
  const truncated = since !== null && since < oldest;
  const base = `${opts.baseUrl.replace(/\/+$/, '')}${SEARCH_PATH}?query=${encodeURIComponent(opts.query)}&max_results=100&${STREAM_QUERY}`;
  const first = truncated ? `&start_time=${encodeURIComponent(new Date(oldest).toISOString())}` : `&since_id=${sinceId}`;
  let next: string | null = null;
  let posts = 0;
  let pages = 0;
  let attempt = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (opts.stopped()) return resolve();
      const h = clock.setTimeout(() => {
        opts.onWait?.(null);
        resolve();
      }, ms);
      opts.onWait?.(() => {
        clock.clearTimeout(h);
        opts.onWait?.(null);
        resolve();
      });
    });
  for (;;) {
    if (opts.stopped()) return;
    const url = base + first + (next ? `&next_token=${encodeURIComponent(next)}` : '');
    let res: Response;
    let body: string;
    try {
      res = await fetchFn(url, { headers: { authorization: `Bearer ${opts.bearerToken}` }, signal: opts.signal });
      body = await res.text();
    } catch (e) {
      if (opts.stopped()) return;
      if (++attempt >= MAX_ATTEMPTS) return opts.onEvent?.({ type: 'failed', detail: e instanceof Error ? e.message : String(e), posts });
      await sleep(RETRY_MS * attempt);
      continue;
    }
    if (res.status === 429) {
      const reset = parseRateLimitReset(res.headers.get('x-rate-limit-reset'));
      const until = Math.max(clock.now() + 1_000, reset ?? clock.now() + DEFAULT_RATE_LIMIT_WAIT_MS);
      opts.onEvent?.({ type: 'rate_limited', until });
      await sleep(until - clock.now());
      continue;
    }
    if (!res.ok) {
      if (++attempt >= MAX_ATTEMPTS || (res.status >= 400 && res.status < 500)) {
        return opts.onEvent?.({ type: 'failed', detail: `HTTP ${res.status}${problemText(body)}`, posts });
      }
      await sleep(RETRY_MS * 2 ** (attempt - 1));
      continue;
    }
    attempt = 0;
    let meta: { next_token?: unknown; result_count?: unknown } = {};
    try {
      meta = ((JSON.parse(body) as { meta?: typeof meta }).meta ?? {}) as typeof meta;
    } catch {
      return opts.onEvent?.({ type: 'failed', detail: 'recent search answered invalid JSON', posts });
    }
    const n = dataIds(body).length;
    pages += 1;
    if (opts.stopped()) return;
    if (n > 0) {
      await sink({ format: 'x-v2', data: body, source: opts.name, line: null });
      posts += n;
    }
    opts.onEvent?.({ type: 'progress', posts, pages, gapMs });
    next = typeof meta.next_token === 'string' && meta.next_token ? meta.next_token : null;
    if (!next) return opts.onEvent?.({ type: 'done', posts, pages, gapMs, truncated });
    // Spend no request we know would be refused.
    if (res.headers.get('x-rate-limit-remaining') === '0') {
      const reset = parseRateLimitReset(res.headers.get('x-rate-limit-reset'));
      if (reset !== null && reset > clock.now()) {
        opts.onEvent?.({ type: 'rate_limited', until: reset });
        await sleep(reset - clock.now());
      }
    }
  }
}

/** "2-minute", "45-second", "3-hour", "2-day". */
export function gapText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${Math.max(1, s)}-second`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}-minute`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}-hour`;
  return `${Math.round(h / 24)}-day`;
}
