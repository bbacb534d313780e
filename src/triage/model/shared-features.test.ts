/**
 * The triage step's shortcuts must change nothing: the intent model fed the sentiment model's features gives the
 * prediction and the reasons its own feature pass gives, and each cheaper check answers as the code it replaced.
 */
import { describe, expect, it } from 'vitest';
import { extractFeatures, withPostCounts } from '../features.js';
import { scoreSentiment } from '../lexicon.js';
import { cleanText, DEFAULT_FEATURES, sentimentTokens } from './features.js';
import { DEFAULT_INTENT_FEATURES, loadIntentModel, sameFeaturesUpToBits, signedOff } from './intent.js';
import { loadSentimentModel } from './sentiment.js';

const POSTS = [
  '@acme still waiting on my refund!!! 😡 third time asking',
  '@acme how do I change my plan?',
  'thanks @acme, fixed in minutes! 😍',
  'FOLLOW BACK crypto giveaway http://x.co http://y.co #win #free #crypto',
  'BREAKING: Acme shares fall 5% after earnings https://news.example',
  'RT @acme: you should add dark mode',
  '@acme can you please cancel my order #123 ^JAY',
  'not bad at all, but the app keeps crashing 🙄 #fail #ThankYouObama',
  'sooooo goooood \\u2019 &amp; NOT HAPPY -KC',
  '',
  'naïve café über 日本語 👍🏽 👨‍👩‍👧 🇫🇷',
];

describe('intent model on the sentiment model\'s features', () => {
  const sentiment = loadSentimentModel();
  const intent = loadIntentModel();

  it('may share them: same feature config but for the hash size', () => {
    expect(intent.canShareFeatures(sentiment.meta.features)).toBe(true);
    expect(sameFeaturesUpToBits(DEFAULT_FEATURES, DEFAULT_INTENT_FEATURES)).toBe(true);
    expect(sameFeaturesUpToBits(DEFAULT_FEATURES, { ...DEFAULT_INTENT_FEATURES, charMax: 6 })).toBe(false);
    // A smaller sentiment hash space cannot stand in for a larger intent one.
    expect(intent.canShareFeatures({ ...sentiment.meta.features, bits: intent.meta.features.bits - 1 })).toBe(false);
  });

  it('predicts and explains exactly as with its own feature pass', () => {
    for (const raw of POSTS) {
      const text = cleanText(raw);
      const tokens = sentimentTokens(raw);
      const f = extractFeatures(tokens, text, {});
      const lex = scoreSentiment(tokens, f.allCaps);
      const own = intent.predictTokens(tokens, lex, text);
      const ownReasons = intent.explainTokens(tokens, own.intent, 3, lex, text);
      sentiment.predictTokens(tokens, lex);
      const shared = intent.predictFromSentimentFeatures(sentiment.lastFeatures, tokens, lex, text, f);
      expect(shared).toEqual(own);
      expect(intent.explainLastPrediction(tokens, shared.intent, 3)).toEqual(ownReasons);
      // Without the rules' features handed in, the cues compute them: same answer.
      sentiment.predictTokens(tokens, lex);
      expect(intent.predictFromSentimentFeatures(sentiment.lastFeatures, tokens, lex, text)).toEqual(own);
    }
  });
});

describe('cheaper checks answer as what they replaced', () => {
  it('signedOff is the sign-off regex', () => {
    const SIGNOFF = /(?:\^[A-Za-z]{1,12}|\s[-*~][A-Z][A-Za-z]{0,10})\s*$/;
    const texts = ['thanks ^JAY', 'thanks ^JAY  \n', 'ok -KC', 'ok -kc', 'x*ErikS', 'a ~Abcdefghijk', 'a ~Abcdefghijkl',
      '^abcdefghijklm', '^abcdefghijkl', 'see ^ JAY', '\u3000-Q\u00a0', '-Q', ' -Q', 'fine.', ''];
    for (const t of texts) expect(signedOff(t), JSON.stringify(t)).toBe(SIGNOFF.test(t));
  });

  it('withPostCounts gives what extractFeatures gives with the post', () => {
    const tokens = sentimentTokens('@a @b look #x http://y.co');
    const text = '@a @b look #x http://y.co';
    const base = extractFeatures(tokens, text, {});
    for (const post of [{}, { mentions: ['a'] }, { mentions: ['a', 'b', 'c'], hashtags: [], urls: ['1', '2'] }, { hashtags: ['x', 'y'] }]) {
      expect(withPostCounts(base, post)).toEqual(extractFeatures(tokens, text, post));
    }
  });
});
