// X API v2 → NormalizedPost. Accepts a filtered-stream line, a search/lookup/timeline page or a single-tweet lookup.
// Only `data` tweets become posts: `includes.tweets` are context (the replied-to / quoted / retweeted tweets).
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

const SOURCE = 'x-v2';
// created_at is not among them: lists, compliance jobs and spaces carry it too.
const TWEET_KEYS = ['text', 'note_tweet', 'author_id', 'conversation_id', 'referenced_tweets', 'edit_history_tweet_ids'];

/** Does this look like an X v2 response or stream line (rather than another network's payload)? */
export function isXPayload(v: unknown): boolean {
  if (!isObject(v)) return false;
  if ('data' in v && (isObject(v.data) || Array.isArray(v.data))) return true;
  if (Array.isArray(v.errors)) return true;
  // `{meta:{result_count:0}}` is an empty page; problem+json (`title`/`type`/`detail`) is an error body.
  if (isObject(v.meta) && !('data' in v)) return true;
  return typeof v.title === 'string' && typeof v.type === 'string' && 'detail' in v;
}

/** A data item that is a tweet (users, DM events, counts, lists, spaces share the `data` envelope). */
function looksLikeTweet(item: Obj): boolean {
  if ('event_type' in item || 'dm_conversation_id' in item || 'username' in item || 'tweet_count' in item) return false;
  return TWEET_KEYS.some((k) => k in item);
}

function describeNonTweets(item: unknown): string {
  if (!isObject(item)) return 'X data item that is not an object';
  if ('username' in item) return 'X users response';
  if ('tweet_count' in item) return 'X tweet counts response';
  if ('event_type' in item || 'dm_conversation_id' in item) return 'X DM events response';
  return `X response without tweets (keys: ${keyList(item)})`;
}

function firstErrorText(errors: unknown[]): string {
  const e = errors[0];
  if (!isObject(e)) return 'unknown error';
  const text = [e.title, e.detail, e.message].find((s): s is string => typeof s === 'string');
  return text === undefined ? 'unknown error' : clip(text, 120);
}

export function normalizeXPayload(value: unknown): NormalizeResult {
  if (!isObject(value)) fail(`X payload is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object`);
  if (Object.keys(value).length === 0) return { posts: [], ignored: 'X keep-alive (empty object)' };
  const data = value.data;
  if (data === undefined || data === null) {
    if (Array.isArray(value.errors)) return { posts: [], ignored: `X errors: ${firstErrorText(value.errors)}` };
    if (typeof value.title === 'string') return { posts: [], ignored: `X API error: ${clip(value.title, 120)}` };
    if (isObject(value.meta)) return { posts: [], ignored: 'X response with no results' };
    fail(`X payload without data (keys: ${keyList(value)})`);
  }
  if (!isObject(data) && !Array.isArray(data)) fail(`X data is a ${typeof data}, not an object or array`);
  const items: unknown[] = Array.isArray(data) ? data : [data];
  if (items.length === 0) return { posts: [], ignored: 'X response with no results' };
  // One tweet-shaped item makes this a tweet response: then every item must be a valid tweet.
  if (!items.some((i) => isObject(i) && looksLikeTweet(i))) return { posts: [], ignored: describeNonTweets(items[0]) };
  const users = indexUsers(value.includes);
  return { posts: items.map((t) => tweetToPost(t, users)) };
}

/** includes.users by id; context only, so entries that are not user-shaped are skipped rather than fatal. */
function indexUsers(includes: unknown): Map<string, Obj> {
  const out = new Map<string, Obj>();
  if (!isObject(includes) || !Array.isArray(includes.users)) return out;
  for (const u of includes.users) {
    if (isObject(u) && typeof u.id === 'string' && typeof u.username === 'string') out.set(u.id, u);
  }
  return out;
}

function authorFor(authorId: string, users: Map<string, Obj>): AuthorRef {
  const u = users.get(authorId);
  if (u === undefined) {
    return { network: 'x', externalId: authorId, handle: authorId, displayName: null, followers: null, verified: false };
  }
  const metrics = optObject(u, 'public_metrics', 'X user');
  return {
    network: 'x',
    externalId: authorId,
    handle: reqString(u, 'username', 'X user'),
    displayName: optString(u, 'name', 'X user'),
    followers: metrics === null ? null : optCount(metrics, 'followers_count', 'X user public_metrics'),
    verified: u.verified === true,
  };
}

// Tweet ids are snowflakes: the top bits are milliseconds since the Twitter epoch. Used when created_at was not requested.
const TWITTER_EPOCH = 1288834974657n;

export function snowflakeTime(id: string): number | null {
  if (!/^\d{1,20}$/.test(id)) return null;
  const ms = Number((BigInt(id) >> 22n) + TWITTER_EPOCH);
  // Ids from before snowflakes (2010) carry no time.
  return BigInt(id) >> 22n === 0n ? null : ms;
}

interface References {
  inReplyToId: string | null;
  repostOfId: string | null;
  quotedId: string | null;
}

function references(tweet: Obj, what: string): References {
  const refs: References = { inReplyToId: null, repostOfId: null, quotedId: null };
  for (const r of optArray(tweet, 'referenced_tweets', what)) {
    if (!isObject(r)) fail(`${what} referenced_tweets entry is not an object`);
    const type = reqString(r, 'type', `${what} referenced tweet`);
    const id = reqId(r, 'id', `${what} referenced tweet`);
    if (type === 'replied_to') refs.inReplyToId = id;
    else if (type === 'retweeted') refs.repostOfId = id;
    else if (type === 'quoted') refs.quotedId = id;
  }
  return refs;
}

/** Strings at `field` of each object in entities[kind]. */
function entityField(entities: Obj | null, kind: string, fields: string[], what: string): string[] {
  if (entities === null) return [];
  const out: string[] = [];
  for (const e of optArray(entities, kind, `${what} entities`)) {
    if (!isObject(e)) fail(`${what} entities.${kind} entry is not an object`);
    for (const f of fields) {
      const v = optString(e, f, `${what} entities.${kind}`);
      if (v !== null) {
        out.push(v);
        break;
      }
    }
  }
  return out;
}

function tweetText(tweet: Obj, what: string): string {
  // Long posts: `text` is cut at 280 characters and the whole text is in note_tweet.
  const note = optObject(tweet, 'note_tweet', what);
  const long = note === null ? null : optString(note, 'text', `${what} note_tweet`);
  const text = reqString(tweet, 'text', what);
  return long ?? text;
}

export function tweetToPost(raw: unknown, users: Map<string, Obj> = new Map()): NormalizedPost {
  if (!isObject(raw)) fail('X tweet is not an object');
  const id = reqId(raw, 'id', 'X tweet');
  const what = `X tweet ${clip(id, 30)}`;
  const text = tweetText(raw, what);
  const authorId = optString(raw, 'author_id', what);
  // Without author_id (the API's default field set) there is no customer to thread the post to.
  if (authorId === null || authorId === '') fail(`${what} without author_id (request tweet.fields=author_id)`);
  const createdRaw = optString(raw, 'created_at', what);
  const createdAt = createdRaw !== null ? isoDate(createdRaw, what) : snowflakeTime(id);
  if (createdAt === null) fail(`${what} without created_at`);
  const entities = optObject(raw, 'entities', what);
  const refs = references(raw, what);
  const author = authorFor(authorId, users);
  const known = users.has(authorId);
  return {
    network: 'x',
    externalId: id,
    url: known ? `https://x.com/${encodeURIComponent(author.handle)}/status/${encodeURIComponent(id)}` : `https://x.com/i/web/status/${encodeURIComponent(id)}`,
    author,
    text,
    createdAt,
    lang: optString(raw, 'lang', what),
    inReplyToId: refs.inReplyToId,
    inReplyToAuthorId: optString(raw, 'in_reply_to_user_id', what),
    rootId: optString(raw, 'conversation_id', what),
    mentions: uniqLower(entityField(entities, 'mentions', ['username'], what)),
    hashtags: uniqLower(entityField(entities, 'hashtags', ['tag'], what)),
    urls: uniq(entityField(entities, 'urls', ['expanded_url', 'url'], what)),
    repostOfId: refs.repostOfId,
    quotedId: refs.quotedId,
    direction: null,
    isPrivate: false,
    source: SOURCE,
  };
}
