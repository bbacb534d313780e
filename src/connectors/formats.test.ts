import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '../core/errors.js';
import type { RawPayload } from '../core/ports.js';
import { describeWithSharedData, sharedPath } from '../testing/shared-data.js';
import { type RejectedRecord, FORMAT_NAMES, detectFormat, isRejected, normalizeRaw, readRecords } from './formats.js';

const tweetLine = JSON.stringify({ data: { id: '1377650090978992134', text: 'hello', author_id: '5', created_at: '2021-04-01T15:52:31.000Z' } });

function raw(data: RawPayload['data'], format: string | null = null): RawPayload {
  return { format, data, source: 'test', line: 1 };
}

function reasonOf(r: RawPayload): string {
  try {
    normalizeRaw(r);
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPayloadError);
    return (e as MalformedPayloadError).reason;
  }
  throw new Error('expected a MalformedPayloadError');
}

interface Outcome {
  line: number | null;
  posts: number;
  ignored?: string;
  rejected?: string;
}

async function replay(file: string, format?: (typeof FORMAT_NAMES)[number]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for await (const item of readRecords(file, format === undefined ? {} : { format })) {
    if (isRejected(item)) {
      out.push({ line: item.line, posts: 0, rejected: item.reason });
      continue;
    }
    try {
      const r = normalizeRaw(item);
      out.push({ line: item.line, posts: r.posts.length, ...(r.ignored === undefined ? {} : { ignored: r.ignored }) });
    } catch (e) {
      if (!(e instanceof MalformedPayloadError)) throw e;
      out.push({ line: item.line, posts: 0, rejected: e.reason });
    }
  }
  return out;
}

function tmpFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-formats-'));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('detectFormat', () => {
  it.each([
    [{ data: { id: '1', text: 'x' } }, 'x-v2'],
    [{ errors: [] }, 'x-v2'],
    [{ did: 'did:plc:x', time_us: 1, kind: 'commit' }, 'bluesky-jetstream'],
    [{ id: '1', content: '<p>x</p>', account: {} }, 'mastodon'],
    [{ event: 'update', payload: '{}' }, 'mastodon'],
    [[{ id: '1', content: '', account: {}, uri: 'u' }], 'mastodon'],
    [{ tweet_id: '1', author_id: 'a', inbound: 'True', created_at: '', text: '', response_tweet_id: '', in_response_to_tweet_id: '' }, 'twcs-csv'],
    [{ type: 'post', post: {} }, 'earshot-ndjson'],
    [{ hello: 1 }, null],
    [null, null],
    [[], null],
  ])('%j → %s', (value, name) => {
    expect(detectFormat(value)).toBe(name);
  });

  it('lists every format once', () => {
    expect([...FORMAT_NAMES].sort()).toEqual(['bluesky-jetstream', 'earshot-ndjson', 'mastodon', 'twcs-csv', 'x-v2']);
  });
});

describe('normalizeRaw', () => {
  it('parses, detects and normalizes text', () => {
    const r = normalizeRaw(raw(tweetLine));
    expect(r.format).toBe('x-v2');
    expect(r.posts[0]?.externalId).toBe('1377650090978992134');
  });

  it('unwraps a recorded HTTP exchange', () => {
    const ok = { source: 's', request: { method: 'GET', uri: 'https://api.twitter.com/2/tweets?ids=1' }, status: 200, headers: {}, body: JSON.parse(tweetLine) as unknown };
    expect(normalizeRaw(raw(JSON.stringify(ok))).posts).toHaveLength(1);
    expect(normalizeRaw(raw({ ...ok, status: 404, body: { _raw: '<html>' } }))).toEqual({ posts: [], ignored: 'recorded GET https://api.twitter.com/2/tweets: HTTP 404', format: 'x-v2' });
  });

  it('unwraps a Mastodon documentation example', () => {
    const status = { id: '1', created_at: '2016-03-16T14:44:31.580Z', content: '<p>hi</p>', account: { id: '1', acct: 'a' }, uri: 'u' };
    expect(normalizeRaw(raw({ source: 'docs', kind: 'sse_event', event: 'update', data: status })).posts[0]?.text).toBe('hi');
    expect(normalizeRaw(raw({ source: 'docs', kind: 'json_example', data: [status] })).posts).toHaveLength(1);
    expect(normalizeRaw(raw({ source: 'docs', kind: 'json_example', data: {} }))).toMatchObject({ posts: [], format: 'mastodon' });
  });

  it.each([
    [raw('{"data": {"id": "1", "te'), /^invalid JSON: /],
    [raw('{"hello": 1, "world": 2}'), /^unrecognised payload: keys hello, world$/],
    [raw('42'), /^unrecognised payload: JSON number$/],
    [raw('null'), /^unrecognised payload: JSON null$/],
    [raw('[1,2]'), /^unrecognised payload: JSON array of number$/],
    [raw('   '), /^empty payload$/],
    [raw('x'.repeat(1024 * 1024 + 1)), /^line longer than 1 MiB$/],
    [raw('{}', 'rss'), /^unknown format: rss$/],
    [raw('{}', 'twcs-csv'), /^twcs-csv payload must be a parsed record object/],
    [raw('{"data": {"id": {"$oid": 1}, "text": "x"}}'), /^X tweet id is an object, not a string$/],
  ])('rejects bad payload %#', (r, why) => {
    expect(reasonOf(r)).toMatch(why);
  });
});

describe('readRecords on hostile input', () => {
  it('rejects each broken line with a specific reason and lets the next good line through', async () => {
    const lines: Buffer[] = [
      Buffer.from(`${tweetLine}\n`), // 1 good
      Buffer.from('{"data": {"id": "1", "text": \n'), // 2 truncated JSON
      Buffer.from(`${tweetLine}\r\n`), // 3 good, CRLF
      Buffer.from('{"data": {"id": "2", "author_id": "5"}}\n'), // 4 tweet without text
      Buffer.from('{"data": {"id": {"n": 3}, "text": "x", "author_id": "5"}}\n'), // 5 id as object
      Buffer.concat([Buffer.from('{"data": {"id": "4", "text": "bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}\n')]), // 6 invalid UTF-8
      Buffer.from(`{"data": {"id": "5", "text": "${'a'.repeat(1_500_000)}"}}\n`), // 7 a 1.5 MB line
      Buffer.from('\n   \n'), // 8, 9 blank
      Buffer.from('42\n[1]\nnull\n'), // 10, 11, 12
      Buffer.from(`${tweetLine}\n`), // 13 good
      Buffer.from('{"did": "did:plc:abc", "time_us": 1, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "k", "record": {"text": ["x"]}}}\n'), // 14
      Buffer.from('{"data": {"id": "6", "text": "cut'), // 15 truncated last line, no newline
    ];
    const out = await replay(tmpFile('hostile.jsonl', Buffer.concat(lines)));
    expect(out).toEqual([
      { line: 1, posts: 1 },
      { line: 2, posts: 0, rejected: expect.stringMatching(/^invalid JSON: /) as unknown },
      { line: 3, posts: 1 },
      { line: 4, posts: 0, rejected: 'X tweet 2 without text' },
      { line: 5, posts: 0, rejected: 'X tweet id is an object, not a string' },
      { line: 6, posts: 0, rejected: 'invalid UTF-8' },
      { line: 7, posts: 0, rejected: 'line longer than 1 MiB' },
      { line: 10, posts: 0, rejected: 'unrecognised payload: JSON number' },
      { line: 11, posts: 0, rejected: 'unrecognised payload: JSON array of number' },
      { line: 12, posts: 0, rejected: 'unrecognised payload: JSON null' },
      { line: 13, posts: 1 },
      { line: 14, posts: 0, rejected: 'Bluesky post text is an array, not a string' },
      { line: 15, posts: 0, rejected: 'truncated last line (invalid JSON, no final newline)' },
    ]);
  });

  it('keeps the sample of an over-long line short', async () => {
    const file = tmpFile('long.jsonl', `${'x'.repeat(3 * 1024 * 1024)}\n${tweetLine}\n`);
    const items: Array<RawPayload | RejectedRecord> = [];
    for await (const item of readRecords(file)) items.push(item);
    expect(items).toHaveLength(2);
    const first = items[0] as RejectedRecord;
    expect(first.reason).toBe('line longer than 1 MiB');
    expect(first.sample.length).toBe(2000);
    expect(isRejected(items[1] as RawPayload)).toBe(false);
  });

  it('reads a file holding one JSON array, or one pretty-printed document', async () => {
    const tweet = JSON.parse(tweetLine) as unknown;
    const arr = await replay(tmpFile('arr.json', JSON.stringify([tweet, tweet, 7], null, 2)));
    expect(arr.map((o) => o.posts)).toEqual([1, 1, 0]);
    expect(arr[2]?.rejected).toBe('unrecognised payload: JSON number');
    expect(arr[0]?.line).toBe(2);
    const doc = await replay(tmpFile('doc.json', `${JSON.stringify(tweet, null, 2)}\n`));
    expect(doc).toEqual([{ line: 1, posts: 1 }]);
    const cut = await replay(tmpFile('cut.json', '[\n  {"data": {"id": "1377650090978992134", "text": "x", "author_id": "5"}},\n  {"data": '));
    expect(cut).toEqual([{ line: 2, posts: 1 }, { line: 3, posts: 0, rejected: 'truncated JSON value at end of input' }]);
  });

  it('reads CSV when the first line is the TWCS header, whatever the name', async () => {
    const csv = 'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\r\n1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,"hi\r\n""there""",,\r\n2,x,True\r\n';
    const out = await replay(tmpFile('twcs.txt', csv));
    expect(out).toEqual([{ line: 2, posts: 1 }, { line: 4, posts: 0, rejected: 'expected 7 fields, got 3' }]);
  });
});

// What replaying every recorded payload gave when this was written: posts, ignored and rejected records per file.
// A change here means a normalizer changed behaviour on real data: check it was meant.
const OBSERVED: Record<string, { records: number; posts: number; ignored: number; rejected: number; deletes: number }> = {
  'bluesky/jetstream_v1_events_capture_2026-07-04.jsonl': { records: 152, posts: 17, ignored: 135, rejected: 0, deletes: 1 },
  'bluesky/jetstream_v1_golden_10_events.jsonl': { records: 10, posts: 1, ignored: 9, rejected: 0, deletes: 0 },
  // 6 rejected: the docs file turned `delete` payload ids into JSON numbers beyond 2^53, so the exact id is lost.
  'mastodon/mastodon_docs_api_examples.jsonl': { records: 126, posts: 13, ignored: 107, rejected: 6, deletes: 1 },
  'x_api_v2/academictwitteR_httptest_v2_responses.jsonl': { records: 92, posts: 1504, ignored: 21, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/brexit.jsonl': { records: 1, posts: 100, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/cotweet.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/counts.jsonl': { records: 1, posts: 0, ignored: 1, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/edited.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/edited_before.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/geo_tweets.jsonl': { records: 2, posts: 2, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/lists.jsonl': { records: 2, posts: 0, ignored: 2, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/many_urls.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/media_tweet.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/mentions_tweet.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/quoted_edit.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  // 7 stream lines, then the deliberately truncated last line.
  'x_api_v2/twarc_csv_test_data/streaming_output_with_error.jsonl': { records: 8, posts: 7, ignored: 0, rejected: 1, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/two_tweets.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/users.jsonl': { records: 1, posts: 0, ignored: 1, rejected: 0, deletes: 0 },
  'x_api_v2/twarc_csv_test_data/verified_type.jsonl': { records: 1, posts: 1, ignored: 0, rejected: 0, deletes: 0 },
  // tweepy recorded default-field calls: tweets carry only id and text, so no author: 25 pages are rejected for it.
  'x_api_v2/tweepy_cassettes_v2_responses.jsonl': { records: 131, posts: 0, ignored: 106, rejected: 25, deletes: 0 },
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describeWithSharedData('replaying every recorded payload', () => {
  const root = sharedPath('api_payloads');

  it('no exception escapes, and the totals are as observed', async () => {
    const files = walk(root).filter((f) => !f.endsWith('.bin.zst') && !f.endsWith('manifest.json'));
    const seen: typeof OBSERVED = {};
    for (const file of files) {
      const t = { records: 0, posts: 0, ignored: 0, rejected: 0, deletes: 0 };
      for await (const item of readRecords(file)) {
        t.records++;
        if (isRejected(item)) {
          t.rejected++;
          continue;
        }
        try {
          const r = normalizeRaw(item);
          t.posts += r.posts.length;
          t.deletes += r.deletes?.length ?? 0;
          if (r.posts.length === 0) t.ignored++;
        } catch (e) {
          if (!(e instanceof MalformedPayloadError)) throw e;
          t.rejected++;
        }
      }
      seen[path.relative(root, file).split(path.sep).join('/')] = t;
    }
    expect(seen).toEqual(OBSERVED);
    const group = (prefix: string) => Object.entries(seen).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v.posts, 0);
    expect(group('x_api_v2/')).toBeGreaterThan(0);
    expect(group('bluesky/')).toBeGreaterThan(0);
    expect(group('mastodon/')).toBeGreaterThan(0);
  });
});
