// Earshot's own NDJSON export: one `{"type": <kind>, "<kind>": {...}}` object per line. Only posts are read back
// here; every field is checked, because an export file can be edited by hand or come from another install.
import { isNetwork } from '../../core/network.js';
import type { AuthorRef, Direction, NormalizedPost } from '../../core/post.js';
import { type NormalizeResult, type Obj, clip, fail, isObject, typeName } from '../normalize-kit.js';

export function isEarshotRecord(v: unknown): boolean {
  return isObject(v) && typeof v.type === 'string' && isObject(v[v.type]);
}

export function toExportLine(post: NormalizedPost): string {
  return JSON.stringify({ type: 'post', post });
}

export function normalizeEarshotLine(value: unknown): NormalizeResult {
  if (!isObject(value)) fail('earshot record is not an object');
  if (typeof value.type !== 'string') fail('earshot record without type');
  if (value.type !== 'post') return { posts: [], ignored: 'not a post record' };
  return { posts: [parsePost(value.post)] };
}

type Check<T> = (v: unknown) => v is T;
const isString: Check<string> = (v): v is string => typeof v === 'string';
const isId: Check<string> = (v): v is string => typeof v === 'string' && v.trim() !== '';
const isBool: Check<boolean> = (v): v is boolean => typeof v === 'boolean';
const nullable = <T>(c: Check<T>): Check<T | null> => (v): v is T | null => v === null || c(v);
const isStringList: Check<string[]> = (v): v is string[] => Array.isArray(v) && v.every(isString);
const isCount: Check<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isTime: Check<number> = (v): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isDirection: Check<Direction> = (v): v is Direction => v === 'inbound' || v === 'outbound';

function get<T>(o: Obj, path: string, key: string, check: Check<T>, expected: string): T {
  const v = o[key];
  if (!(key in o)) fail(`earshot post field "${path}${key}" is missing`);
  if (!check(v)) fail(`earshot post field "${path}${key}" must be ${expected}, got ${typeName(v)}`);
  return v;
}

function parseAuthor(v: unknown, network: NormalizedPost['network']): AuthorRef {
  if (!isObject(v)) fail(`earshot post field "author" must be an object, got ${typeName(v)}`);
  const net = get(v, 'author.', 'network', isString, 'a network name');
  if (net !== network) fail(`earshot post field "author.network" is ${clip(net)}, not the post's ${network}`);
  return {
    network,
    externalId: get(v, 'author.', 'externalId', isId, 'a non-empty string'),
    handle: get(v, 'author.', 'handle', isString, 'a string'),
    displayName: get(v, 'author.', 'displayName', nullable(isString), 'a string or null'),
    followers: get(v, 'author.', 'followers', nullable(isCount), 'a non-negative number or null'),
    verified: get(v, 'author.', 'verified', isBool, 'a boolean'),
  };
}

/** Validate a NormalizedPost read from JSON, field by field; unknown extra fields are dropped. */
export function parsePost(v: unknown): NormalizedPost {
  if (!isObject(v)) fail(`earshot post record "post" must be an object, got ${typeName(v)}`);
  const network = get(v, '', 'network', isString, 'a network name');
  if (!isNetwork(network)) fail(`earshot post field "network" is not a known network: ${clip(network)}`);
  const s = (key: string) => get(v, '', key, nullable(isString), 'a string or null');
  return {
    network,
    externalId: get(v, '', 'externalId', isId, 'a non-empty string'),
    url: s('url'),
    author: 'author' in v ? parseAuthor(v.author, network) : fail('earshot post field "author" is missing'),
    text: get(v, '', 'text', isString, 'a string'),
    createdAt: get(v, '', 'createdAt', isTime, 'an integer (epoch ms)'),
    lang: s('lang'),
    inReplyToId: s('inReplyToId'),
    inReplyToAuthorId: s('inReplyToAuthorId'),
    rootId: s('rootId'),
    mentions: get(v, '', 'mentions', isStringList, 'an array of strings'),
    hashtags: get(v, '', 'hashtags', isStringList, 'an array of strings'),
    urls: get(v, '', 'urls', isStringList, 'an array of strings'),
    repostOfId: s('repostOfId'),
    quotedId: s('quotedId'),
    direction: get(v, '', 'direction', nullable(isDirection), '"inbound", "outbound" or null'),
    isPrivate: get(v, '', 'isPrivate', isBool, 'a boolean'),
    source: get(v, '', 'source', isString, 'a string'),
  };
}
