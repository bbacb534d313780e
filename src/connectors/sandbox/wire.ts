/** Builds X API v2 wire objects (as in the recorded payloads under shared/data/api_payloads/x_api_v2). */
import type { SandboxUser, TweetDraft } from './traffic.js';

export interface WireTweet {
  id: string;
  text: string;
  author_id: string;
  created_at: string;
  conversation_id: string;
  lang: string;
  edit_history_tweet_ids: string[];
  in_reply_to_user_id?: string;
  referenced_tweets?: Array<{ type: 'replied_to' | 'retweeted' | 'quoted'; id: string }>;
  /** Like X, empty entity lists (and an empty `entities`) are left out. */
  entities?: {
    mentions?: Array<{ start: number; end: number; username: string; id?: string }>;
    hashtags?: Array<{ start: number; end: number; tag: string }>;
    urls?: Array<{ start: number; end: number; url: string; expanded_url: string; display_url: string }>;
  };
  public_metrics: { retweet_count: number; reply_count: number; like_count: number; quote_count: number };
}

export interface WireUser {
  id: string;
  name: string;
  username: string;
  verified: boolean;
  created_at: string;
  public_metrics: { followers_count: number; following_count: number; tweet_count: number; listed_count: number };
}

/** X counts entity offsets in code points, not UTF-16 units. */
function cp(text: string, utf16Index: number): number {
  return [...text.slice(0, utf16Index)].length;
}

type Entities = NonNullable<WireTweet['entities']>;

export function entitiesOf(text: string, links: Record<string, string>, userIdByName: (u: string) => string | undefined): Entities | undefined {
  const mentions: NonNullable<Entities['mentions']> = [];
  for (const m of text.matchAll(/(?<![\w@])@(\w{1,15})/g)) {
    const username = m[1] ?? '';
    const start = cp(text, m.index);
    const id = userIdByName(username);
    mentions.push({ start, end: start + 1 + username.length, username, ...(id ? { id } : {}) });
  }
  const hashtags: NonNullable<Entities['hashtags']> = [];
  for (const m of text.matchAll(/(?<![\w#])#(\p{L}[\p{L}\p{N}_]*)/gu)) {
    const tag = m[1] ?? '';
    const start = cp(text, m.index);
    hashtags.push({ start, end: start + 1 + [...tag].length, tag });
  }
  const urls: NonNullable<Entities['urls']> = [];
  for (const m of text.matchAll(/https:\/\/t\.co\/\w+/g)) {
    const start = cp(text, m.index);
    const expanded = links[m[0]] ?? m[0];
    const display = expanded.replace(/^https?:\/\//, '');
    urls.push({ start, end: start + m[0].length, url: m[0], expanded_url: expanded, display_url: display.length > 26 ? `${display.slice(0, 25)}…` : display });
  }
  const e: Entities = {};
  if (mentions.length) e.mentions = mentions;
  if (hashtags.length) e.hashtags = hashtags;
  if (urls.length) e.urls = urls;
  return Object.keys(e).length ? e : undefined;
}

export function wireUser(u: SandboxUser): WireUser {
  return {
    id: u.id,
    name: u.name,
    username: u.username,
    verified: u.verified,
    created_at: u.createdAt,
    public_metrics: { followers_count: u.followers, following_count: u.following, tweet_count: u.tweets, listed_count: u.listed },
  };
}

export function wireTweet(
  d: Pick<TweetDraft, 'author' | 'text' | 'links'>,
  id: string,
  createdAt: number,
  opts: { conversationId: string; inReplyToUserId?: string; referenced?: WireTweet['referenced_tweets']; userIdByName: (u: string) => string | undefined },
): WireTweet {
  const t: WireTweet = {
    id,
    text: d.text,
    author_id: d.author.id,
    created_at: new Date(createdAt).toISOString(),
    conversation_id: opts.conversationId,
    lang: 'en',
    edit_history_tweet_ids: [id],
    public_metrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0 },
  };
  const entities = entitiesOf(d.text, d.links, opts.userIdByName);
  if (entities) t.entities = entities;
  if (opts.inReplyToUserId) t.in_reply_to_user_id = opts.inReplyToUserId;
  if (opts.referenced?.length) t.referenced_tweets = opts.referenced;
  return t;
}

/** Snowflake-like ids: 19 digits, increasing with time (ms since X's epoch << 22 | sequence). */
export class SnowflakeIds {
  private last = 0n;
  next(now: number): string {
    let v = (BigInt(Math.max(0, now - 1288834974657)) << 22n) | (1n << 17n);
    if (v <= this.last) v = this.last + 1n;
    this.last = v;
    return v.toString();
  }
}
