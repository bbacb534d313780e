import { describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '../../core/errors.js';
import type { NormalizedPost } from '../../core/post.js';
import { normalizeEarshotLine, toExportLine } from './ndjson.js';

const post: NormalizedPost = {
  network: 'mastodon',
  externalId: '1',
  url: 'https://m/1',
  author: { network: 'mastodon', externalId: 'a', handle: 'ann@m', displayName: null, followers: 3, verified: false },
  text: 'hi',
  createdAt: 1700000000000,
  lang: 'en',
  inReplyToId: null,
  inReplyToAuthorId: null,
  rootId: null,
  mentions: ['acme'],
  hashtags: [],
  urls: [],
  repostOfId: null,
  quotedId: null,
  direction: 'inbound',
  isPrivate: false,
  source: 'mastodon',
};

function reasonFor(value: unknown): string {
  try {
    normalizeEarshotLine(value);
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPayloadError);
    return (e as MalformedPayloadError).reason;
  }
  throw new Error('expected a MalformedPayloadError');
}

describe('Earshot NDJSON', () => {
  it('round-trips a post', () => {
    expect(normalizeEarshotLine(JSON.parse(toExportLine(post)))).toEqual({ posts: [post] });
  });

  it('drops unknown extra fields', () => {
    expect(normalizeEarshotLine({ type: 'post', post: { ...post, extra: 1 } }).posts[0]).toEqual(post);
  });

  it('ignores records that are not posts', () => {
    expect(normalizeEarshotLine({ type: 'customer', customer: { id: 1 } })).toEqual({ posts: [], ignored: 'not a post record' });
  });

  it.each([
    [{ type: 'post', post: { ...post, createdAt: '2020' } }, 'earshot post field "createdAt" must be an integer (epoch ms), got a string'],
    [{ type: 'post', post: { ...post, network: 'myspace' } }, 'earshot post field "network" is not a known network: myspace'],
    [{ type: 'post', post: { ...post, mentions: [1] } }, 'earshot post field "mentions" must be an array of strings, got an array'],
    [{ type: 'post', post: { ...post, author: { ...post.author, followers: -1 } } }, 'earshot post field "author.followers" must be a non-negative number or null, got a number'],
    [{ type: 'post', post: { ...post, author: { ...post.author, network: 'x' } } }, 'earshot post field "author.network" is x, not the post\'s mastodon'],
    [{ type: 'post', post: { ...post, direction: 'sideways' } }, 'earshot post field "direction" must be "inbound", "outbound" or null, got a string'],
    [{ type: 'post', post: { ...post, externalId: '' } }, 'earshot post field "externalId" must be a non-empty string, got a string'],
    [{ type: 'post', post: (({ isPrivate: _x, ...rest }) => rest)(post) }, 'earshot post field "isPrivate" is missing'],
    [{ type: 'post', post: (({ author: _x, ...rest }) => rest)(post) }, 'earshot post field "author" is missing'],
    [{ type: 'post', post: 'x' }, 'earshot post record "post" must be an object, got a string'],
    [{ post }, 'earshot record without type'],
  ])('rejects bad record %#', (value, why) => {
    expect(reasonFor(value)).toBe(why);
  });
});
