// Kaggle "Customer Support on Twitter" (TWCS) CSV rows → NormalizedPost. Author ids are the dataset's anonymised
// ids (numeric for customers, the handle for brands) and tweet ids are renumbered, so no post URL can be built.
import twitter from 'twitter-text';
import type { NormalizedPost } from '../../core/post.js';
import { type NormalizeResult, type Obj, clip, fail, isObject, uniq, uniqLower } from '../normalize-kit.js';

export { CsvAssembler, CsvTable, parseCsvText, parseRecord, type CsvError, type CsvRow } from './csv.js';

const SOURCE = 'twcs-csv';
export const TWCS_COLUMNS = ['tweet_id', 'author_id', 'inbound', 'created_at', 'text', 'response_tweet_id', 'in_response_to_tweet_id'] as const;
export const TWCS_HEADER = TWCS_COLUMNS.join(',');

export function isTwcsRecord(v: unknown): boolean {
  return isObject(v) && TWCS_COLUMNS.every((c) => typeof v[c] === 'string');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWITTER_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

/** Twitter's classic date format, `Tue Oct 31 22:10:47 +0000 2017`, → epoch ms; null when it is not one. */
export function parseTwitterDate(s: string): number | null {
  const m = TWITTER_DATE.exec(s);
  if (m === null) return null;
  const [, mon, day, hh, mm, ss, sign, oh, om, year] = m as unknown as [string, string, string, string, string, string, string, string, string, string];
  const month = MONTHS.indexOf(mon);
  if (month === -1) return null;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  // Date.UTC rolls "Feb 31" into March; a round trip catches it.
  const check = new Date(utc);
  if (check.getUTCDate() !== Number(day) || check.getUTCHours() !== Number(hh) || Number(mm) > 59 || Number(ss) > 59) return null;
  const offset = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : 1);
  return utc - offset;
}

function field(r: Obj, name: string): string {
  const v = r[name];
  if (typeof v !== 'string') fail(`twcs record without ${name}`);
  return v;
}

const TWEET_ID = /^\d{1,20}$/;

export function normalizeTwcsRecord(value: unknown): NormalizeResult {
  if (!isObject(value)) fail('twcs record is not an object');
  return { posts: [twcsToPost(value)] };
}

export function twcsToPost(r: Obj): NormalizedPost {
  const id = field(r, 'tweet_id').trim();
  if (!TWEET_ID.test(id)) fail(`twcs tweet_id is not numeric: ${clip(id)}`);
  const authorId = field(r, 'author_id').trim();
  if (authorId === '') fail(`twcs tweet ${id} has an empty author_id`);
  const inbound = field(r, 'inbound').trim();
  if (inbound !== 'True' && inbound !== 'False') fail(`twcs tweet ${id} inbound is ${clip(inbound)}, not True/False`);
  const created = field(r, 'created_at').trim();
  const createdAt = parseTwitterDate(created);
  if (createdAt === null) fail(`twcs tweet ${id} has an invalid date: ${clip(created)}`);
  const parent = field(r, 'in_response_to_tweet_id').trim();
  if (parent !== '' && !TWEET_ID.test(parent)) fail(`twcs tweet ${id} in_response_to_tweet_id is not numeric: ${clip(parent)}`);
  const text = field(r, 'text');
  return {
    network: 'x',
    externalId: id,
    url: null,
    author: { network: 'x', externalId: authorId, handle: authorId, displayName: null, followers: null, verified: false },
    text,
    createdAt,
    lang: null,
    inReplyToId: parent === '' ? null : parent,
    inReplyToAuthorId: null,
    rootId: null,
    mentions: uniqLower(twitter.extractMentions(text)),
    hashtags: uniqLower(twitter.extractHashtags(text)),
    urls: uniq(twitter.extractUrls(text)),
    repostOfId: null,
    quotedId: null,
    direction: inbound === 'True' ? 'inbound' : 'outbound',
    isPrivate: false,
    source: SOURCE,
  };
}
