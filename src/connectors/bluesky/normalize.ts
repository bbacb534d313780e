// Bluesky Jetstream v1 event → NormalizedPost. Jetstream carries DIDs but no handles, so handle = DID here;
// resolving handles is the connector's business, not the normalizer's.
import twitter from 'twitter-text';
import type { NormalizedPost } from '../../core/post.js';
import {
  type NormalizeResult,
  type Obj,
  clip,
  fail,
  isObject,
  optArray,
  optObject,
  optString,
  reqString,
  tryIsoDate,
  uniq,
  uniqLower,
} from '../normalize-kit.js';

const SOURCE = 'bluesky-jetstream';
const POST_COLLECTION = 'app.bsky.feed.post';
const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$/;
// Record keys are restricted by the atproto spec; checking them keeps built URIs and URLs well-formed.
const RKEY = /^[A-Za-z0-9._:~-]{1,512}$/;
const AT_URI_DID = /^at:\/\/(did:[a-z]+:[A-Za-z0-9._:%-]+)\//;

export function isBlueskyEvent(v: unknown): boolean {
  return isObject(v) && typeof v.did === 'string' && typeof v.kind === 'string' && 'time_us' in v;
}

export function postUri(did: string, rkey: string): string {
  return `at://${did}/${POST_COLLECTION}/${rkey}`;
}

export function normalizeBlueskyEvent(value: unknown): NormalizeResult {
  if (!isObject(value)) fail('Bluesky event is not an object');
  const did = reqString(value, 'did', 'Bluesky event');
  if (!DID.test(did)) fail(`Bluesky event did is not a DID: ${clip(did)}`);
  const kind = reqString(value, 'kind', 'Bluesky event');
  if (kind !== 'commit') return { posts: [], ignored: `bluesky ${clip(kind, 40)} event` };
  const commit = optObject(value, 'commit', 'Bluesky commit event');
  if (commit === null) fail('Bluesky commit event without commit');
  const operation = reqString(commit, 'operation', 'Bluesky commit');
  const collection = reqString(commit, 'collection', 'Bluesky commit');
  if (collection !== POST_COLLECTION) return { posts: [], ignored: `bluesky ${clip(collection, 80)} ${clip(operation, 20)}` };
  const rkey = reqString(commit, 'rkey', 'Bluesky commit');
  if (!RKEY.test(rkey)) fail(`Bluesky commit rkey is not a record key: ${clip(rkey)}`);
  if (operation === 'delete') {
    return { posts: [], ignored: 'bluesky delete', deletes: [{ network: 'bluesky', externalId: postUri(did, rkey) }] };
  }
  if (operation !== 'create') return { posts: [], ignored: `bluesky post ${clip(operation, 20)}` };
  const record = optObject(commit, 'record', 'Bluesky post commit');
  if (record === null) fail('Bluesky post commit without record');
  return { posts: [recordToPost(did, rkey, record, value.time_us)] };
}

function createdAtOf(record: Obj, timeUs: unknown): number {
  // createdAt is set by the author's client (and can be anything); time_us is the relay's clock.
  const stated = typeof record.createdAt === 'string' ? tryIsoDate(record.createdAt) : null;
  if (stated !== null) return stated;
  if (typeof timeUs === 'number' && Number.isFinite(timeUs) && timeUs > 0) return Math.floor(timeUs / 1000);
  return fail('Bluesky post without a valid createdAt or time_us');
}

function uriDid(uri: string): string | null {
  return AT_URI_DID.exec(uri)?.[1] ?? null;
}

function replyRefs(record: Obj): { parent: string | null; root: string | null } {
  const reply = optObject(record, 'reply', 'Bluesky post');
  if (reply === null) return { parent: null, root: null };
  const ref = (key: string): string | null => {
    const r = optObject(reply, key, 'Bluesky post reply');
    if (r === null) return null;
    const uri = reqString(r, 'uri', `Bluesky post reply.${key}`);
    if (uriDid(uri) === null) fail(`Bluesky post reply.${key}.uri is not an at:// URI: ${clip(uri)}`);
    return uri;
  };
  return { parent: ref('parent'), root: ref('root') };
}

interface Facets {
  mentions: string[];
  urls: string[];
  tags: string[];
}

function facetsOf(record: Obj): Facets {
  const out: Facets = { mentions: [], urls: [], tags: [] };
  for (const facet of optArray(record, 'facets', 'Bluesky post')) {
    if (!isObject(facet)) fail('Bluesky post facet is not an object');
    for (const f of optArray(facet, 'features', 'Bluesky post facet')) {
      if (!isObject(f)) fail('Bluesky post facet feature is not an object');
      const type = optString(f, '$type', 'Bluesky facet feature');
      if (type === 'app.bsky.richtext.facet#mention') out.mentions.push(reqString(f, 'did', 'Bluesky mention facet'));
      else if (type === 'app.bsky.richtext.facet#link') out.urls.push(reqString(f, 'uri', 'Bluesky link facet'));
      else if (type === 'app.bsky.richtext.facet#tag') out.tags.push(reqString(f, 'tag', 'Bluesky tag facet'));
    }
  }
  return out;
}

function quotedUri(record: Obj): string | null {
  const embed = optObject(record, 'embed', 'Bluesky post');
  if (embed === null) return null;
  const type = optString(embed, '$type', 'Bluesky post embed');
  let ref: Obj | null = null;
  if (type === 'app.bsky.embed.record') ref = optObject(embed, 'record', 'Bluesky record embed');
  else if (type === 'app.bsky.embed.recordWithMedia') {
    const outer = optObject(embed, 'record', 'Bluesky recordWithMedia embed');
    ref = outer === null ? null : optObject(outer, 'record', 'Bluesky recordWithMedia embed.record');
  }
  return ref === null ? null : reqString(ref, 'uri', 'Bluesky embedded record');
}

function recordToPost(did: string, rkey: string, record: Obj, timeUs: unknown): NormalizedPost {
  const text = reqString(record, 'text', 'Bluesky post');
  const langs = optArray(record, 'langs', 'Bluesky post');
  const lang = typeof langs[0] === 'string' ? langs[0] : null;
  const { parent, root } = replyRefs(record);
  const facets = facetsOf(record);
  return {
    network: 'bluesky',
    externalId: postUri(did, rkey),
    url: `https://bsky.app/profile/${did}/post/${rkey}`,
    author: { network: 'bluesky', externalId: did, handle: did, displayName: null, followers: null, verified: false },
    text,
    createdAt: createdAtOf(record, timeUs),
    lang,
    inReplyToId: parent,
    inReplyToAuthorId: parent === null ? null : uriDid(parent),
    rootId: root,
    mentions: uniqLower(facets.mentions),
    hashtags: uniqLower([...facets.tags, ...twitter.extractHashtags(text)]),
    urls: uniq(facets.urls),
    repostOfId: null,
    quotedId: quotedUri(record),
    direction: null,
    isPrivate: false,
    source: SOURCE,
  };
}
