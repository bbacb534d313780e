import { describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '../../core/errors.js';
import { describeWithSharedData, sharedPath } from '../../testing/shared-data.js';
import { isRejected, normalizeRaw, readRecords } from '../formats.js';
import { CsvAssembler, TWCS_HEADER, normalizeTwcsRecord, parseCsvText, parseRecord, parseTwitterDate } from './twcs.js';

describe('RFC 4180 CSV reader', () => {
  it('splits fields, unquotes, undoubles quotes', () => {
    expect(parseRecord('a,"b,c","say ""hi""",,""')).toEqual(['a', 'b,c', 'say "hi"', '', '']);
    expect(parseRecord('"open')).toBe('open');
    expect(parseRecord('"x"y,z')).toBe('unexpected character after closing quote in field 1');
  });

  it('joins quoted line breaks, strips CRLF and reports each record at its first line', () => {
    const text = 'h1,h2\r\n1,"two\r\nlines"\r\n2,"x ""q"" y"\r\n\r\n3,z\r\n';
    expect(parseCsvText(text)).toEqual([
      { line: 2, record: { h1: '1', h2: 'two\nlines' } },
      { line: 4, record: { h1: '2', h2: 'x "q" y' } },
      { line: 6, record: { h1: '3', h2: 'z' } },
    ]);
  });

  it('reports a record with the wrong number of fields with its line, and an unclosed quote at the end', () => {
    const out = parseCsvText('a,b\n1,2,3\n4,5\n6,"never closed\n');
    expect(out).toEqual([
      { line: 2, error: 'expected 2 fields, got 3', sample: '1,2,3' },
      { line: 3, record: { a: '4', b: '5' } },
      { line: 4, error: 'unclosed quoted field at end of input', sample: '6,"never closed' },
    ]);
  });

  it('gives up on a quoted field that runs past the record limit', () => {
    const asm = new CsvAssembler(10);
    expect(asm.pushLine('"aaaa', 1)).toBeNull();
    expect(asm.pushLine('bbbbbbbb', 2)).toMatchObject({ line: 1, error: 'record longer than 10 characters (unclosed quote?)' });
    expect(asm.pushLine('x,y', 3)).toEqual({ line: 3, fields: ['x', 'y'] });
  });
});

describe('TWCS rows', () => {
  const row = {
    tweet_id: '2',
    author_id: '115712',
    inbound: 'True',
    created_at: 'Tue Oct 31 22:11:45 +0000 2017',
    text: '@sprintcare and how do you propose we do that #fail https://t.co/x @SprintCare',
    response_tweet_id: '',
    in_response_to_tweet_id: '1',
  };

  it('maps a customer tweet', () => {
    expect(normalizeTwcsRecord(row).posts[0]).toEqual({
      network: 'x',
      externalId: '2',
      url: null,
      author: { network: 'x', externalId: '115712', handle: '115712', displayName: null, followers: null, verified: false },
      text: row.text,
      createdAt: Date.UTC(2017, 9, 31, 22, 11, 45),
      lang: null,
      inReplyToId: '1',
      inReplyToAuthorId: null,
      rootId: null,
      mentions: ['sprintcare'],
      hashtags: ['fail'],
      urls: ['https://t.co/x'],
      repostOfId: null,
      quotedId: null,
      direction: 'inbound',
      isPrivate: false,
      source: 'twcs-csv',
    });
    expect(normalizeTwcsRecord({ ...row, inbound: 'False', in_response_to_tweet_id: '' }).posts[0]).toMatchObject({ direction: 'outbound', inReplyToId: null });
  });

  it('parses Twitter dates with offsets and rejects impossible ones', () => {
    expect(parseTwitterDate('Tue Oct 31 22:10:47 -0130 2017')).toBe(Date.UTC(2017, 9, 31, 23, 40, 47));
    expect(parseTwitterDate('Tue Feb 31 22:10:47 +0000 2017')).toBeNull();
    expect(parseTwitterDate('2017-10-31')).toBeNull();
  });

  it.each([
    [{ ...row, tweet_id: 'abc' }, 'twcs tweet_id is not numeric: abc'],
    [{ ...row, inbound: 'yes' }, 'twcs tweet 2 inbound is yes, not True/False'],
    [{ ...row, created_at: 'never' }, 'twcs tweet 2 has an invalid date: never'],
    [{ ...row, text: undefined }, 'twcs record without text'],
    [{ ...row, in_response_to_tweet_id: '1.0e3' }, 'twcs tweet 2 in_response_to_tweet_id is not numeric: 1.0e3'],
  ])('rejects bad row %#', (r, why) => {
    expect(() => normalizeTwcsRecord(r)).toThrow(new MalformedPayloadError(why));
  });
});

describeWithSharedData('twcs_dev_half.csv', () => {
  it('streams exactly 2,550 records, all of which normalize', async () => {
    let records = 0;
    let inbound = 0;
    let firstLine = 0;
    for await (const item of readRecords(sharedPath('twcs_dev_half.csv'))) {
      if (isRejected(item)) throw new Error(`line ${item.line}: ${item.reason}`);
      records++;
      if (records === 1) firstLine = item.line ?? 0;
      const r = normalizeRaw(item);
      expect(r.format).toBe('twcs-csv');
      expect(r.posts).toHaveLength(1);
      if (r.posts[0]?.direction === 'inbound') inbound++;
    }
    expect(records).toBe(2550);
    expect(firstLine).toBe(2);
    expect(inbound).toBeGreaterThan(0);
    expect(TWCS_HEADER).toBe('tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id');
  });
});
