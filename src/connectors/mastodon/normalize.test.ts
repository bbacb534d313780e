import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithSharedData, sharedPath } from '../../testing/shared-data.js';
import { linksInHtml } from './html.js';
import { htmlToText, normalizeMastodon } from './normalize.js';
import { malformedReason } from '../../testing/malformed.js';

const status = {
  id: '103270115826048975',
  created_at: '2019-12-08T03:48:33.901Z',
  in_reply_to_id: '103270115826040000',
  in_reply_to_account_id: '42',
  sensitive: false,
  spoiler_text: '',
  visibility: 'public',
  language: 'en',
  uri: 'https://mastodon.social/users/Gargron/statuses/103270115826048975',
  url: 'https://mastodon.social/@Gargron/103270115826048975',
  content:
    '<p><span class="h-card"><a href="https://acme.social/@Help" class="u-url mention">@<span>Help</span></a></span> my bill is wrong &amp; late<br />see <a href="https://example.com/bill?a=1&amp;b=2" rel="nofollow">example.com/bill</a></p><p><a href="https://mastodon.social/tags/Billing" class="mention hashtag">#<span>Billing</span></a></p>',
  account: { id: '1', username: 'Gargron', acct: 'Gargron', display_name: 'Eugen 💀', followers_count: 322930, bot: false },
  mentions: [{ id: '9', username: 'Help', acct: 'Help@acme.social' }],
  tags: [{ name: 'Billing' }],
  reblog: null,
};

const reason = malformedReason;

describe('htmlToText', () => {
  it.each([
    ['<p>Hello</p><p>world</p>', 'Hello\n\nworld'],
    ['a<br>b<br/>c<BR />d', 'a\nb\nc\nd'],
    ['&amp; &lt;b&gt; &quot;q&quot; &#39;s&#39; &#8364; &#x1F600; &apos;', '& <b> "q" \'s\' € 😀 \''],
    ['&amp;lt;', '&lt;'],
    ['&#0; &#xD800; &#99999999;', '\uFFFD \uFFFD \uFFFD'],
    ['&bogus; & alone', '&bogus; & alone'],
    ['<script>alert(1)</script>ok<style>p{}</style>', 'ok'],
    ['<scr<b>ipt>x', 'ipt>x'],
    ['<img src=x onerror=alert(1)>hi', 'hi'],
    ['tail <a href="x"', 'tail'],
    ['<p>one</p>\n<p>two</p>', 'one\n\ntwo'],
    ['', ''],
  ])('%j → %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it('finds plain links but not mentions or hashtags', () => {
    expect(linksInHtml(status.content)).toEqual(['https://example.com/bill?a=1&b=2']);
  });
});

describe('normalizeMastodon', () => {
  it('maps a status', () => {
    expect(normalizeMastodon(status).posts).toEqual([
      {
        network: 'mastodon',
        externalId: status.id,
        url: status.url,
        author: { network: 'mastodon', externalId: '1', handle: 'Gargron', displayName: 'Eugen 💀', followers: 322930, verified: false },
        text: '@Help my bill is wrong & late\nsee example.com/bill\n\n#Billing',
        createdAt: Date.parse(status.created_at),
        lang: 'en',
        inReplyToId: '103270115826040000',
        inReplyToAuthorId: '42',
        rootId: null,
        mentions: ['help@acme.social'],
        hashtags: ['billing'],
        urls: ['https://example.com/bill?a=1&b=2'],
        repostOfId: null,
        quotedId: null,
        direction: null,
        isPrivate: false,
        source: 'mastodon',
      },
    ]);
  });

  it('takes a boost’s text from the boosted status and marks direct messages private', () => {
    const boost = { ...status, id: '2', content: '', url: null, uri: 'https://m/2', reblog: { ...status, content: '<p>boosted</p>' } };
    expect(normalizeMastodon(boost).posts[0]).toMatchObject({ externalId: '2', text: 'boosted', repostOfId: status.id, url: 'https://m/2' });
    expect(normalizeMastodon({ ...status, visibility: 'direct' }).posts[0]?.isPrivate).toBe(true);
    expect(normalizeMastodon({ ...status, spoiler_text: 'CW billing' }).posts[0]?.text).toMatch(/^CW billing\n\n@Help/);
  });

  it('reads streaming envelopes, notifications and arrays', () => {
    expect(normalizeMastodon({ stream: ['public'], event: 'update', payload: JSON.stringify(status) }).posts).toHaveLength(1);
    expect(normalizeMastodon({ event: 'update', payload: status }).posts).toHaveLength(1);
    expect(normalizeMastodon({ event: 'notification', payload: { id: '5', type: 'mention', account: status.account, status } }).posts).toHaveLength(1);
    expect(normalizeMastodon({ id: '5', type: 'mention', account: status.account, status }).posts).toHaveLength(1);
    expect(normalizeMastodon({ id: '5', type: 'follow', account: status.account })).toEqual({ posts: [], ignored: 'mastodon follow notification without status' });
    // A REST notification as the API sends it (created_at beside account) is a notification, not a status.
    const rest = { id: '5', type: 'mention', created_at: '2019-12-08T03:48:34.000Z', account: status.account, status };
    expect(normalizeMastodon(rest).posts.map((p) => p.externalId)).toEqual([status.id]);
    expect(normalizeMastodon({ id: '6', type: 'follow', created_at: '2019-12-08T03:48:34.000Z', account: status.account })).toEqual({ posts: [], ignored: 'mastodon follow notification without status' });
    expect(normalizeMastodon([status, { ...status, id: '7' }]).posts.map((p) => p.externalId)).toEqual([status.id, '7']);
    expect(normalizeMastodon({ event: 'delete', payload: '106692867363994015' })).toEqual({
      posts: [],
      ignored: 'mastodon delete',
      deletes: [{ network: 'mastodon', externalId: '106692867363994015' }],
    });
    expect(normalizeMastodon({ event: 'filters_changed' }).ignored).toBe('mastodon filters_changed event');
    expect(normalizeMastodon({ error: 'Record not found' }).ignored).toBe('mastodon error: Record not found');
  });

  it.each([
    [{ ...status, id: 7 }, 'Mastodon status id is a number, not a string'],
    [{ ...status, content: null }, `Mastodon status ${status.id} without content`],
    [{ ...status, created_at: '2019-13-45' }, `Mastodon status ${status.id} has an invalid date: 2019-13-45`],
    [{ ...status, account: 'me' }, `Mastodon status ${status.id} account is a string, not an object`],
    [{ ...status, account: { ...status.account, acct: ['x'] } }, `Mastodon status ${status.id} account acct is an array, not a string`],
    [{ ...status, mentions: [{ acct: 1 }] }, `Mastodon status ${status.id} mentions entry acct is a number, not a string`],
    [{ event: 'update', payload: '{"id":' }, 'mastodon update payload is not valid JSON'],
    [{ event: 'delete', payload: 107214471804101570 }, 'mastodon delete id is a number too large to be exact (ids must be strings)'],
    [{ event: 'delete' }, 'mastodon delete without a status id'],
    [7, 'Mastodon payload is a number, not an object'],
  ])('rejects bad input %#', (payload, why) => {
    expect(reason(() => normalizeMastodon(payload))).toBe(why);
  });
});

describeWithSharedData('Mastodon documentation examples', () => {
  it('every status in the examples normalizes to clean text', () => {
    const lines = readFileSync(sharedPath('api_payloads', 'mastodon', 'mastodon_docs_api_examples.jsonl'), 'utf8').trim().split('\n');
    const updates = lines.map((l) => JSON.parse(l) as { kind: string; event?: string; data: unknown }).filter((o) => o.kind === 'sse_event' && o.event === 'update');
    const posts = updates.flatMap((o) => normalizeMastodon({ event: 'update', payload: o.data }).posts);
    expect(posts).toHaveLength(7);
    for (const p of posts) expect(p.text).not.toMatch(/<\/?[a-z][^>]*>/i);
  });
});
