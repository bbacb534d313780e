// Mastodon → NormalizedPost. Accepts a Status, an array of Statuses (timelines), a Notification, and a streaming
// event envelope ({event, payload}) as sent over WebSocket (payload a JSON string) or parsed from SSE (an object).
import type { AuthorRef, NormalizedPost } from '../../core/post.js';
import {
  type NormalizeResult,
  type Obj,
  clip,
  fail,
  isObject,
  isoDate,
  keyList,
  optArray,
  optCount,
  optObject,
  optString,
  reqId,
  reqString,
  uniq,
  uniqLower,
} from '../normalize-kit.js';
import { htmlToText, linksInHtml } from './html.js';

const SOURCE = 'mastodon';
const STATUS_KEYS = ['content', 'account', 'uri', 'visibility', 'created_at'];

function looksLikeStatus(v: Obj): boolean {
  return 'id' in v && STATUS_KEYS.filter((k) => k in v).length >= 2;
}

function looksLikeNotification(v: Obj): boolean {
  return 'id' in v && typeof v.type === 'string' && 'account' in v && !('content' in v);
}

function looksLikeEnvelope(v: Obj): boolean {
  return typeof v.event === 'string' && !('id' in v);
}

/** Mastodon-shaped: a Status, Notification, streaming envelope, or a non-empty array of Statuses. */
export function isMastodonPayload(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && isObject(v[0]) && looksLikeStatus(v[0]);
  return isObject(v) && (looksLikeStatus(v) || looksLikeNotification(v) || looksLikeEnvelope(v));
}

export function normalizeMastodon(value: unknown): NormalizeResult {
  if (Array.isArray(value)) {
    if (value.length === 0) return { posts: [], ignored: 'mastodon empty list' };
    return { posts: value.map((s) => statusToPost(s)) };
  }
  if (!isObject(value)) fail(`Mastodon payload is ${value === null ? 'null' : `a ${typeof value}`}, not an object`);
  if (looksLikeEnvelope(value)) return normalizeEnvelope(value);
  // Notification first: a REST Notification has `account` and `created_at` too, which would pass for a Status.
  if (looksLikeNotification(value)) return notificationResult(value);
  if (looksLikeStatus(value)) return { posts: [statusToPost(value)] };
  if (typeof value.error === 'string') return { posts: [], ignored: `mastodon error: ${clip(value.error, 120)}` };
  if (Object.keys(value).length === 0) return { posts: [], ignored: 'mastodon empty object' };
  return { posts: [], ignored: `mastodon payload without a status (keys: ${keyList(value)})` };
}

function notificationResult(n: Obj): NormalizeResult {
  const status = n.status;
  if (status === undefined || status === null) return { posts: [], ignored: `mastodon ${clip(n.type, 40)} notification without status` };
  return { posts: [statusToPost(status)] };
}

function parsePayload(payload: unknown, event: string): unknown {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return fail(`mastodon ${event} payload is not valid JSON`);
  }
}

function normalizeEnvelope(env: Obj): NormalizeResult {
  const event = env.event as string;
  const payload = env.payload;
  switch (event) {
    case 'update':
      return { posts: [statusToPost(parsePayload(payload, event))] };
    case 'notification': {
      const n = parsePayload(payload, event);
      if (!isObject(n)) fail('mastodon notification payload is not an object');
      return notificationResult(n);
    }
    case 'delete':
      return { posts: [], ignored: 'mastodon delete', deletes: [{ network: 'mastodon', externalId: deletedId(payload) }] };
    default:
      // status.update (edits), conversation, filters_changed, announcements…: nothing new to hear.
      return { posts: [], ignored: `mastodon ${clip(event, 40)} event` };
  }
}

function deletedId(payload: unknown): string {
  if (typeof payload === 'string' && payload.trim() !== '') return payload;
  // Ids are strings on the wire; a JSON number above 2^53 has already been rounded by the parser.
  if (typeof payload === 'number' && Number.isSafeInteger(payload) && payload >= 0) return String(payload);
  if (typeof payload === 'number') fail('mastodon delete id is a number too large to be exact (ids must be strings)');
  return fail('mastodon delete without a status id');
}

function accountOf(status: Obj, what: string): AuthorRef {
  const account = optObject(status, 'account', what);
  if (account === null) fail(`${what} without account`);
  const displayName = optString(account, 'display_name', `${what} account`);
  return {
    network: 'mastodon',
    externalId: reqId(account, 'id', `${what} account`),
    handle: reqId(account, 'acct', `${what} account`),
    displayName: displayName === '' ? null : displayName,
    followers: optCount(account, 'followers_count', `${what} account`),
    verified: false,
  };
}

function fieldList(status: Obj, key: string, field: string, what: string): string[] {
  return optArray(status, key, what).map((m) => {
    if (!isObject(m)) fail(`${what} ${key} entry is not an object`);
    return reqString(m, field, `${what} ${key} entry`);
  });
}

/** Text as a reader sees it: the content warning (when set) first, then the body. */
function statusText(status: Obj, what: string): string {
  const body = htmlToText(reqString(status, 'content', what));
  const spoiler = optString(status, 'spoiler_text', what)?.trim() ?? '';
  return spoiler === '' ? body : `${spoiler}\n\n${body}`;
}

function quotedIdOf(status: Obj, what: string): string | null {
  // Mastodon 4.4+: quote = {state, quoted_status}.
  const quote = optObject(status, 'quote', what);
  const quoted = quote === null ? null : optObject(quote, 'quoted_status', `${what} quote`);
  return quoted === null ? null : reqId(quoted, 'id', `${what} quoted status`);
}

export function statusToPost(raw: unknown): NormalizedPost {
  if (!isObject(raw)) fail('Mastodon status is not an object');
  const id = reqId(raw, 'id', 'Mastodon status');
  const what = `Mastodon status ${clip(id, 30)}`;
  const reblog = optObject(raw, 'reblog', what);
  // A boost has empty content of its own: its text, tags and mentions are the boosted status's.
  const inner = reblog ?? raw;
  const innerWhat = reblog === null ? what : `${what} reblog`;
  const content = reqString(inner, 'content', innerWhat);
  return {
    network: 'mastodon',
    externalId: id,
    url: optString(raw, 'url', what) ?? optString(raw, 'uri', what),
    author: accountOf(raw, what),
    text: statusText(inner, innerWhat),
    createdAt: isoDate(reqString(raw, 'created_at', what), what),
    lang: optString(inner, 'language', innerWhat),
    inReplyToId: optString(raw, 'in_reply_to_id', what),
    inReplyToAuthorId: optString(raw, 'in_reply_to_account_id', what),
    rootId: null,
    mentions: uniqLower(fieldList(inner, 'mentions', 'acct', innerWhat)),
    hashtags: uniqLower(fieldList(inner, 'tags', 'name', innerWhat)),
    urls: uniq(linksInHtml(content)),
    repostOfId: reblog === null ? null : reqId(reblog, 'id', `${what} reblog`),
    quotedId: quotedIdOf(inner, innerWhat),
    direction: null,
    isPrivate: optString(raw, 'visibility', what) === 'direct',
    source: SOURCE,
  };
}
export { htmlToText, decodeEntities } from './html.js';
