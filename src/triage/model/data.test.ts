import { describe, expect, it } from 'vitest';
import { describeWithSharedData, SHARED_DATA } from '../../testing/shared-data.js';
import { anonymise, decodeEntities, decodeEscapes, matchKey, readSentimentPool, readTweetEval } from './data.js';

describe('sentiment data normalisation', () => {
  it('anonymises handles as TweetEval did and drops URLs', () => {
    expect(anonymise('RT @Acme_Help: thanks! http://t.co/x  see   you')).toBe('RT @user thanks! see you');
    expect(anonymise('"@francescamain F-Main, are you in?"')).toBe('@user F-Main, are you in?"');
    expect(anonymise('mail me at a@b.com')).toBe('mail me at a@b.com');
  });

  it('decodes escapes and entities', () => {
    expect(decodeEscapes('I\\u2019m here\\u002c ok')).toBe('I’m here, ok');
    expect(decodeEntities('fish &amp; chips &lt;3')).toBe('fish & chips <3');
  });

  it('matches the same tweet across quoting, escapes, handles and URLs', () => {
    const pool = '"@francescamain F-Main, are you in the office tomorrow\\u002c ok? http://t.co/abc"';
    const tweeteval = '@user F-Main, are you in the office tomorrow\\u002c ok?" ';
    expect(matchKey(pool)).toBe(matchKey(tweeteval));
    expect(matchKey('Good  morning!!')).toBe(matchKey('good morning'));
  });
});

describeWithSharedData(`sentiment data in ${SHARED_DATA}`, () => {
  it('reads TweetEval val and test with their documented sizes', () => {
    expect(readTweetEval(SHARED_DATA, 'val')).toHaveLength(2000);
    expect(readTweetEval(SHARED_DATA, 'test')).toHaveLength(12284);
  });

  it('leaves every TweetEval val and test text out of the training pool', () => {
    const { examples, report } = readSentimentPool(SHARED_DATA);
    const held = new Set([...readTweetEval(SHARED_DATA, 'val'), ...readTweetEval(SHARED_DATA, 'test')].map((e) => matchKey(e.text)));
    expect(examples.filter((e) => held.has(matchKey(e.text)))).toHaveLength(0);
    expect(report.removedVal).toBeGreaterThanOrEqual(2000);
    expect(report.kept).toBe(examples.length);
    expect(report.kept).toBeGreaterThan(45_000);
    // Anonymised: no real handle and no URL is left.
    expect(examples.filter((e) => /(^|\s)@(?!user\b)\w/.test(e.text) || /(^|\s)https?:/.test(e.text))).toHaveLength(0);
  });
});
