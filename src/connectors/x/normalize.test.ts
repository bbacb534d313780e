import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithSharedData, sharedPath } from '../../testing/shared-data.js';
import { normalizeXPayload, snowflakeTime } from './normalize.js';
import { malformedReason } from '../../testing/malformed.js';

const tweet = {
  id: '1377650090978992134',
  text: '@Acme my order is late #help https://t.co/abc',
  author_id: '4602771083',
  conversation_id: '1377650000000000000',
  created_at: '2021-04-01T15:52:31.000Z',
  lang: 'en',
  in_reply_to_user_id: '999',
  referenced_tweets: [
    { type: 'replied_to', id: '1377650000000000001' },
    { type: 'quoted', id: '1377650000000000002' },
  ],
  entities: {
    mentions: [{ start: 0, end: 5, username: 'Acme', id: '999' }],
    hashtags: [{ start: 23, end: 28, tag: 'Help' }],
    urls: [{ url: 'https://t.co/abc', expanded_url: 'https://example.com/order/1' }, { url: 'https://t.co/def' }],
  },
};
const user = { id: '4602771083', username: 'blackheart_265', name: 'Endangered Species', verified: true, public_metrics: { followers_count: 881 } };

const reason = malformedReason;

describe('normalizeXPayload', () => {
  it('maps a filtered-stream line with its author from includes.users', () => {
    const { posts, ignored } = normalizeXPayload({ data: tweet, includes: { users: [user], tweets: [{ id: '1', text: 'context' }] }, matching_rules: [{ id: '1', tag: 'acme' }] });
    expect(ignored).toBeUndefined();
    expect(posts).toEqual([
      {
        network: 'x',
        externalId: tweet.id,
        url: `https://x.com/blackheart_265/status/${tweet.id}`,
        author: { network: 'x', externalId: '4602771083', handle: 'blackheart_265', displayName: 'Endangered Species', followers: 881, verified: true },
        text: tweet.text,
        createdAt: Date.UTC(2021, 3, 1, 15, 52, 31),
        lang: 'en',
        inReplyToId: '1377650000000000001',
        inReplyToAuthorId: '999',
        rootId: '1377650000000000000',
        mentions: ['acme'],
        hashtags: ['help'],
        urls: ['https://example.com/order/1', 'https://t.co/def'],
        repostOfId: null,
        quotedId: '1377650000000000002',
        direction: null,
        isPrivate: false,
        source: 'x-v2',
      },
    ]);
  });

  it('maps every tweet of a page; only data tweets, not includes.tweets', () => {
    const rt = { id: '1394735776701816833', text: 'RT @a: hi', author_id: '5', referenced_tweets: [{ type: 'retweeted', id: '1391677057810288641' }] };
    const { posts } = normalizeXPayload({ data: [tweet, rt], includes: { users: [user], tweets: [{ id: '7', text: 'x', author_id: '5' }] }, meta: { result_count: 2 } });
    expect(posts.map((p) => p.externalId)).toEqual([tweet.id, rt.id]);
    expect(posts[1]?.repostOfId).toBe('1391677057810288641');
  });

  it('uses author_id as handle (and a handle-free URL) when includes lacks the author', () => {
    const [post] = normalizeXPayload({ data: tweet }).posts;
    expect(post?.author).toEqual({ network: 'x', externalId: '4602771083', handle: '4602771083', displayName: null, followers: null, verified: false });
    expect(post?.url).toBe(`https://x.com/i/web/status/${tweet.id}`);
  });

  it('prefers note_tweet.text for long posts', () => {
    const [post] = normalizeXPayload({ data: { ...tweet, note_tweet: { text: 'the whole long text' } } }).posts;
    expect(post?.text).toBe('the whole long text');
  });

  it('derives created_at from the snowflake id when it was not requested', () => {
    const { created_at: _omit, ...noDate } = tweet;
    const [post] = normalizeXPayload({ data: noDate }).posts;
    // The snowflake keeps milliseconds that created_at rounds away.
    expect(post?.createdAt).toBe(Date.UTC(2021, 3, 1, 15, 52, 31, 847));
    expect(snowflakeTime('20')).toBeNull();
  });

  it.each([
    [{}, 'X keep-alive (empty object)'],
    [{ errors: [{ title: 'operational-disconnect', detail: 'x' }] }, 'X errors: operational-disconnect'],
    [{ meta: { result_count: 0 } }, 'X response with no results'],
    [{ data: [] }, 'X response with no results'],
    [{ data: [{ start: 'a', end: 'b', tweet_count: 3 }] }, 'X tweet counts response'],
    [{ data: [{ id: '1', name: 'n', username: 'u' }] }, 'X users response'],
    [{ data: [{ id: '1', text: 'dm', event_type: 'MessageCreate' }] }, 'X DM events response'],
    [{ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }, 'X API error: Unauthorized'],
  ])('carries no posts for %j', (payload, why) => {
    expect(normalizeXPayload(payload)).toEqual({ posts: [], ignored: why });
  });

  it.each([
    [{ data: { text: 'hi', author_id: '1' } }, 'X tweet without id'],
    [{ data: { id: { $oid: 1 }, text: 'hi' } }, 'X tweet id is an object, not a string'],
    [{ data: { id: '1', author_id: '2' } }, 'X tweet 1 without text'],
    [{ data: { id: '1', text: 42, author_id: '2' } }, 'X tweet 1 text is a number, not a string'],
    [{ data: { id: '1', text: 'hi' } }, 'X tweet 1 without author_id (request tweet.fields=author_id)'],
    [{ data: { ...tweet, created_at: 'yesterday' } }, `X tweet ${tweet.id} has an invalid date: yesterday`],
    [{ data: { ...tweet, entities: { mentions: 'x' } } }, `X tweet ${tweet.id} entities mentions is a string, not an array`],
    [{ data: { ...tweet, referenced_tweets: [{ type: 'quoted' }] } }, `X tweet ${tweet.id} referenced tweet without id`],
    [{ data: 'nope' }, 'X data is a string, not an object or array'],
    [[1], 'X payload is an array, not an object'],
    [{ includes: {} }, 'X payload without data (keys: includes)'],
  ])('rejects bad tweet %#', (payload, why) => {
    expect(reason(() => normalizeXPayload(payload))).toBe(why);
  });
});

describeWithSharedData('X v2 recorded payloads', () => {
  const dir = sharedPath('api_payloads', 'x_api_v2', 'twarc_csv_test_data');

  it('reads a 100-tweet recent-search page', () => {
    const page = JSON.parse(readFileSync(`${dir}/brexit.jsonl`, 'utf8')) as unknown;
    const { posts } = normalizeXPayload(page);
    expect(posts).toHaveLength(100);
    expect(posts.every((p) => p.author.handle !== p.author.externalId)).toBe(true);
    expect(posts.every((p) => Number.isFinite(p.createdAt) && p.rootId !== null)).toBe(true);
  });

  it('reads the filtered-stream lines with the author from includes', () => {
    const first = readFileSync(`${dir}/streaming_output_with_error.jsonl`, 'utf8').split('\n')[0] ?? '';
    const [post] = normalizeXPayload(JSON.parse(first)).posts;
    expect(post).toMatchObject({
      externalId: '1377650090978992134',
      author: { handle: 'blackheart_265', followers: 881, verified: false },
      quotedId: '1377640162566496258',
      url: 'https://x.com/blackheart_265/status/1377650090978992134',
    });
  });
});
