import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithSharedData, sharedPath } from '../../testing/shared-data.js';
import { normalizeBlueskyEvent } from './normalize.js';
import { malformedReason } from '../../testing/malformed.js';

const did = 'did:plc:q235v55g5unth4zjjdpacfdr';
const parent = 'at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26';
function postEvent(record: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return {
    did,
    time_us: 1779719009157119,
    kind: 'commit',
    commit: { rev: 'r', operation: 'create', collection: 'app.bsky.feed.post', rkey: '3mmoojp4cd223', record: { $type: 'app.bsky.feed.post', ...record }, cid: 'c', ...extra },
  };
}

const reason = malformedReason;

describe('normalizeBlueskyEvent', () => {
  it('maps a reply post with facets and a quoted record', () => {
    const ev = postEvent({
      createdAt: '2026-05-25T14:23:28.757Z',
      langs: ['en', 'de'],
      text: 'hey @acme.com see https://x.example #Billing and #outage',
      reply: { parent: { uri: parent, cid: 'a' }, root: { uri: 'at://did:plc:root/app.bsky.feed.post/1', cid: 'b' } },
      facets: [
        { index: { byteStart: 4, byteEnd: 13 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:acme' }] },
        { index: { byteStart: 18, byteEnd: 34 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://x.example/full' }] },
        { index: { byteStart: 35, byteEnd: 43 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Billing' }] },
      ],
      embed: { $type: 'app.bsky.embed.recordWithMedia', record: { record: { uri: 'at://did:plc:q/app.bsky.feed.post/9', cid: 'x' } }, media: {} },
    });
    expect(normalizeBlueskyEvent(ev).posts).toEqual([
      {
        network: 'bluesky',
        externalId: `at://${did}/app.bsky.feed.post/3mmoojp4cd223`,
        url: `https://bsky.app/profile/${did}/post/3mmoojp4cd223`,
        author: { network: 'bluesky', externalId: did, handle: did, displayName: null, followers: null, verified: false },
        text: 'hey @acme.com see https://x.example #Billing and #outage',
        createdAt: Date.parse('2026-05-25T14:23:28.757Z'),
        lang: 'en',
        inReplyToId: parent,
        inReplyToAuthorId: 'did:plc:j76trmiofvaxxpvx2vnb2vwf',
        rootId: 'at://did:plc:root/app.bsky.feed.post/1',
        mentions: ['did:plc:acme'],
        hashtags: ['billing', 'outage'],
        urls: ['https://x.example/full'],
        repostOfId: null,
        quotedId: 'at://did:plc:q/app.bsky.feed.post/9',
        direction: null,
        isPrivate: false,
        source: 'bluesky-jetstream',
      },
    ]);
  });

  it('falls back to time_us when createdAt is missing or not a date', () => {
    expect(normalizeBlueskyEvent(postEvent({ text: 'a' })).posts[0]?.createdAt).toBe(1779719009157);
    expect(normalizeBlueskyEvent(postEvent({ text: 'a', createdAt: 'soon' })).posts[0]?.createdAt).toBe(1779719009157);
  });

  it('turns a post delete into a delete and ignores other events', () => {
    const del = { did, time_us: 1, kind: 'commit', commit: { rev: 'r', operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'abc' } };
    expect(normalizeBlueskyEvent(del)).toEqual({ posts: [], ignored: 'bluesky delete', deletes: [{ network: 'bluesky', externalId: `at://${did}/app.bsky.feed.post/abc` }] });
    expect(normalizeBlueskyEvent({ did, time_us: 1, kind: 'identity', identity: {} }).ignored).toBe('bluesky identity event');
    expect(normalizeBlueskyEvent({ did, time_us: 1, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.like', rkey: 'a' } }).ignored).toBe('bluesky app.bsky.feed.like create');
  });

  it.each([
    [{ did: 'nobody', time_us: 1, kind: 'commit' }, 'Bluesky event did is not a DID: nobody'],
    [{ did, time_us: 1, kind: 'commit' }, 'Bluesky commit event without commit'],
    [postEvent({ text: 5 }), 'Bluesky post text is a number, not a string'],
    [postEvent({ text: 'a' }, { rkey: '../../etc' }), 'Bluesky commit rkey is not a record key: ../../etc'],
    [postEvent({ text: 'a', reply: { parent: { uri: 'https://evil' } } }), 'Bluesky post reply.parent.uri is not an at:// URI: https://evil'],
    [postEvent({ text: 'a', facets: [{ features: [{ $type: 'app.bsky.richtext.facet#mention', did: 7 }] }] }), 'Bluesky mention facet did is a number, not a string'],
    [{ ...(postEvent({ text: 'a' }) as object), time_us: 'x' }, 'Bluesky post without a valid createdAt or time_us'],
  ])('rejects bad event %#', (ev, why) => {
    expect(reason(() => normalizeBlueskyEvent(ev))).toBe(why);
  });
});

describeWithSharedData('Bluesky Jetstream capture', () => {
  it('reads the golden reply post', () => {
    const lines = readFileSync(sharedPath('api_payloads', 'bluesky', 'jetstream_v1_golden_10_events.jsonl'), 'utf8').trim().split('\n');
    const posts = lines.flatMap((l) => normalizeBlueskyEvent(JSON.parse(l)).posts);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ text: 'Try RSV for a good time !!', lang: 'en', inReplyToAuthorId: 'did:plc:j76trmiofvaxxpvx2vnb2vwf', rootId: parent });
  });

  it('reads all 17 post creates of the capture, 8 of them replies', () => {
    const lines = readFileSync(sharedPath('api_payloads', 'bluesky', 'jetstream_v1_events_capture_2026-07-04.jsonl'), 'utf8').trim().split('\n');
    const posts = lines.flatMap((l) => normalizeBlueskyEvent(JSON.parse(l)).posts);
    expect(posts).toHaveLength(17);
    expect(posts.filter((p) => p.inReplyToId !== null)).toHaveLength(8);
  });
});
