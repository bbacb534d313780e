/** Tests' posts: a plain customer post on X mentioning @acme, with whatever a test needs changed. */
import type { NormalizedPost } from '../core/index.js';

let seq = 0;

export function testPost(text: string, over: Partial<NormalizedPost> = {}): NormalizedPost {
  seq++;
  return {
    network: 'x',
    externalId: `test-${seq}`,
    url: null,
    author: { network: 'x', externalId: 'customer-1', handle: 'customer', displayName: null, followers: 10, verified: false },
    text,
    createdAt: 1_700_000_000_000 + seq,
    lang: 'en',
    inReplyToId: null,
    inReplyToAuthorId: null,
    rootId: null,
    mentions: ['acme'],
    hashtags: [],
    urls: [],
    repostOfId: null,
    quotedId: null,
    direction: null,
    isPrivate: false,
    source: 'test',
    ...over,
  };
}

/** The author of `testPost` as another customer. */
export const author = (externalId: string, handle = externalId): NormalizedPost['author'] => ({
  network: 'x',
  externalId,
  handle,
  displayName: null,
  followers: 10,
  verified: false,
});
