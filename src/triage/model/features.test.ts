import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, emojiAlias, extractSentimentFeatures, FeatureBuffer, hashtagWords, sentimentTokens, unigramIndex, type FeatureConfig } from './features.js';

const config: FeatureConfig = { ...DEFAULT_FEATURES, bits: 18 };

function features(text: string, c: FeatureConfig = config): number[] {
  const buf = new FeatureBuffer();
  extractSentimentFeatures(sentimentTokens(text), c, buf);
  return [...buf.idx.subarray(0, buf.n)];
}

describe('sentiment features', () => {
  it('marks words inside a negation scope', () => {
    const good = unigramIndex('good', false, config.bits);
    const notGood = unigramIndex('good', true, config.bits);
    expect(good).not.toBe(notGood);
    expect(features('this is good')).toContain(good);
    expect(features('this is not good')).toContain(notGood);
    expect(features('this is not good')).not.toContain(good);
    // The scope ends at punctuation: "good" after the comma is plain again.
    expect(features("don't worry, it is good")).toContain(good);
    // With negation off, "not good" has the plain unigram.
    expect(features('this is not good', { ...config, negation: false })).toContain(good);
  });

  it('squeezes elongation so that "goooood" and "goood" are the same word', () => {
    const a = features('sooooo goooood');
    const b = features('sooo goood');
    expect(a).toEqual(b);
    expect(a).toContain(unigramIndex('good', false, config.bits));
    // The elongation shows as its own (dense) feature: plain "so good" lacks one of them.
    expect(features('so good').length).toBeLessThan(a.length);
  });

  it('reads emoji through their emoticon or word alias', () => {
    expect(emojiAlias('😍')).toBe('<3');
    expect(emojiAlias('😢')).toBe(':(');
    const f = features('I love this so much 😍');
    expect(f).toContain(unigramIndex('<3', false, config.bits));
    expect(f).toContain(unigramIndex('😍', false, config.bits));
    // Skin tones and variation selectors do not change the features.
    expect(features('ok 👍🏽')).toEqual(features('ok 👍'));
  });

  it('treats every handle as @user and drops URLs', () => {
    expect(features('@acme thanks https://t.co/xyz')).toEqual(features('@user thanks'));
    expect(features('@acme thanks')).toContain(unigramIndex('@user', false, config.bits));
  });

  it('splits hashtags into words and feeds them to the unigrams', () => {
    expect(hashtagWords('#ThankYouObama')).toEqual(['thank', 'you', 'obama']);
    expect(hashtagWords('#USAToday')).toEqual(['usa', 'today']);
    expect(hashtagWords('#black_friday2016')).toEqual(['black', 'friday', '2016']);
    expect(hashtagWords('#fail')).toEqual(['fail']);
    expect(features('#EpicFail')).toContain(unigramIndex('fail', false, config.bits));
  });

  it('decodes the escapes corpora carry', () => {
    expect(features('I\\u2019m happy &amp; proud')).toEqual(features('I’m happy & proud'));
  });

  it('is deterministic and stays inside the hash space', () => {
    const text = 'NOT happy with @acme!!! still waiting 😡 #fail :( http://x.co';
    const a = features(text);
    expect(features(text)).toEqual(a);
    expect(a.length).toBeGreaterThan(20);
    for (const i of a) expect(i >= 0 && i < 2 ** config.bits).toBe(true);
  });

  it('gives an empty post only the post-level features and never throws on odd input', () => {
    expect(features('')).toEqual(features(' , '));
    expect(features('').length).toBeLessThanOrEqual(4);
    expect(features('', { ...config, lexicon: false })).toHaveLength(1);
    for (const s of ['\u0000', '🏳️‍🌈🏳️‍🌈', 'a'.repeat(5000), '\\u00', '&&&;', '\ud800']) expect(() => features(s)).not.toThrow();
  });
});
