import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TriageResult } from '../core/index.js';
import { INTENTS, SENTIMENTS } from '../core/index.js';
import { describeWithSharedData, sharedPath } from '../testing/shared-data.js';
import { createClassifier, createLexiconClassifier, type ClassifierInput } from './classifier.js';
import { scoreSentiment } from './lexicon.js';
import { loadSentimentModel } from './model/sentiment.js';
import { tokenize } from './tokenize.js';

const classifier = createClassifier();
const lexiconClassifier = createLexiconClassifier();

function post(text: string, extra: Partial<ClassifierInput> = {}): ClassifierInput {
  return {
    text,
    lang: null,
    author: { network: 'x', externalId: '1', handle: 'someone', displayName: null, followers: 100, verified: false },
    mentions: [],
    hashtags: [],
    urls: [],
    repostOfId: null,
    ...extra,
  };
}
const classify = (text: string, extra?: Partial<ClassifierInput>): TriageResult => classifier.classify(post(text, extra));

describe('classifier: intents a desk user would notice', () => {
  it('a multi-day outage is an urgent complaint', () => {
    const r = classify('@acme my internet has been down for 3 days, worst service ever');
    expect(r.intent).toBe('complaint');
    expect(r.sentiment).toBe('negative');
    expect(r.needsReply).toBeGreaterThan(0.7);
    expect(r.priority).toBeGreaterThan(classify('@acme how do I change my plan?').priority);
    expect(r.reasons.join(' | ')).toMatch(/worst/);
  });

  it('recognises a question', () => {
    const r = classify('@acme how do I change my plan?');
    expect(r.intent).toBe('question');
    expect(r.needsReply).toBeGreaterThanOrEqual(0.7);
    expect(r.reasons).toContain('question mark');
  });

  it('recognises a request', () => {
    expect(classify('@acme please refund my order #123').intent).toBe('request');
    expect(classify('@acme can you cancel my subscription').intent).toBe('request');
  });

  it('recognises an idea', () => {
    const r = classify('@acme you should add dark mode');
    expect(r.intent).toBe('idea');
    // training/intent/GUIDE.md: an idea addressed to the brand deserves an answer.
    expect(r.needsReply).toBeGreaterThanOrEqual(0.5);
  });

  it('recognises praise, and answers thanks for specific help but not a bare "ok thanks"', () => {
    const r = classify('@acme thanks for sorting my refund so fast');
    expect(r.intent).toBe('praise');
    expect(r.sentiment).toBe('positive');
    // GUIDE.md: thanks for a specific piece of help gets a thank-you; a bare "ok thanks" closing a thread does not.
    expect(r.needsReply).toBeGreaterThanOrEqual(0.5);
    expect(classify('ok thanks').needsReply).toBeLessThan(0.5);
  });

  it('parks a sales pitch', () => {
    const r = classify('I can help your brand get 10k followers, DM me');
    expect(r.intent).toBe('sales_pitch');
    expect(r.needsReply).toBeLessThan(0.1);
    expect(r.reasons[0]).toMatch(/^sales phrases: .*dm me/);
  });

  it('parks spam', () => {
    const r = classify('FOLLOW BACK crypto giveaway http://x.co http://y.co #win #free #crypto');
    expect(r.intent).toBe('spam');
    expect(r.priority).toBeLessThan(5);
  });

  it('parks news', () => {
    const r = classify('BREAKING: Acme shares fall 5% after earnings https://news.example');
    expect(r.intent).toBe('news');
    expect(r.needsReply).toBeLessThan(0.1);
  });

  it('treats a repost as chatter, and says so', () => {
    const r = classify('@acme my internet is down again', { repostOfId: '42' });
    expect(r.intent).toBe('chatter');
    expect(r.reasons[0]).toBe('repost');
  });

  it('does not mistake a customer who says "DM me" about a broken order for a seller', () => {
    expect(classify('@acme my order arrived broken, DM me').intent).not.toBe('sales_pitch');
  });

  it('an angry request is a request (the labelling guide puts request first), urgent and needing a reply', () => {
    const angry = classify('@acme please fix my internet, down AGAIN, third time this week, unacceptable');
    expect(['request', 'complaint']).toContain(angry.intent);
    expect(angry.sentiment).toBe('negative');
    expect(angry.needsReply).toBeGreaterThanOrEqual(0.5);
    expect(angry.priority).toBeGreaterThan(classify('@acme please change my plan to the 10GB one').priority);
  });
});

describe('classifier: sentiment', () => {
  it('handles negation', () => {
    expect(classify('not happy').sentiment).toBe('negative');
    expect(classify('not bad').sentiment).not.toBe('negative');
    expect(classify("I don't love it").sentiment).not.toBe('positive');
  });

  it('reads emoji and emoticons', () => {
    expect(classify('new phone day 😍🎉').sentiment).toBe('positive');
    expect(classify('my parcel :(').sentiment).toBe('negative');
  });

  it('lets "but" shift weight to what follows', () => {
    expect(classify('the phone is great but the support is awful').sentiment).toBe('negative');
  });

  it('gives a probability-like score', () => {
    const strong = classify('worst, most horrible, useless service ever');
    const mild = classify('a bit slow today');
    expect(strong.sentimentScore).toBeGreaterThan(mild.sentimentScore);
    expect(strong.sentimentScore).toBeLessThanOrEqual(1);
  });
});

describe('classifier: the sentiment model', () => {
  it('names the words the model weighed most, as explainTokens would, without function words', () => {
    const text = '@acme still waiting on my refund!!! 😡 third time asking';
    const r = classify(text);
    expect(r.sentiment).toBe('negative');
    const reason = r.reasons.find((x) => x.startsWith('negative: '));
    expect(reason).toMatch(/^negative: "still waiting", "😡"/);
    const model = loadSentimentModel();
    const tokens = tokenize(text);
    const lex = scoreSentiment(tokens, false);
    const p = model.predictTokens(tokens, lex);
    const cheap = model.explainLastPrediction(tokens, p.index, lex, 3);
    expect(cheap).toEqual(model.explainTokens(tokens, p.label, 3, lex).map((x) => x.term));
  });

  it('takes sentiment and its probability from the model, and can be switched back to the lexicon', () => {
    const text = 'the new update is a disaster, nothing loads';
    const p = loadSentimentModel().predict(text);
    const r = classify(text);
    expect(r.sentiment).toBe(p.label);
    expect(r.sentimentScore).toBeCloseTo(p.probability, 3);
    expect(createClassifier({ sentiment: 'lexicon' }).classify(post(text))).toEqual(lexiconClassifier.classify(post(text)));
    expect(createClassifier({ deferToLexicon: false }).classify(post('not bad')).sentiment).toBe('negative');
  });

  it('keeps neutral posts free of sentiment reasons', () => {
    const r = classify('@acme how do I change my plan?');
    expect(r.sentiment).toBe('neutral');
    expect(r.reasons.some((x) => /^(negative|positive|neutral):/.test(x))).toBe(false);
  });
});

describe('classifier: priority, language, robustness', () => {
  it('raises priority for urgency words and reach', () => {
    const plain = classify('@acme my internet is down');
    expect(classify('@acme my internet is STILL down, again, urgent').priority).toBeGreaterThan(plain.priority);
    const famous = classify('@acme my internet is down', { author: { network: 'x', externalId: '2', handle: 'star', displayName: null, followers: 2_000_000, verified: true } });
    expect(famous.priority).toBeGreaterThan(plain.priority);
    expect(famous.reasons.some((r) => r.startsWith('reach: 2M followers, verified'))).toBe(true);
  });

  it('never lets reach lift noise into the queue', () => {
    const r = classify('I can help your brand get 10k followers, DM me', { author: { network: 'x', externalId: '3', handle: 'seller', displayName: null, followers: 5_000_000, verified: true } });
    expect(r.priority).toBeLessThanOrEqual(15);
  });

  it('detects languages cheaply and prefers the network tag', () => {
    expect(classify('@acme the app is not working for me').language).toBe('en');
    expect(classify('Hola, mi internet no funciona desde ayer y nadie me ayuda, es muy malo').language).toBe('es');
    expect(classify("Bonjour, je n'ai pas de connexion depuis ce matin").language).toBe('fr');
    expect(classify('Ich habe seit gestern kein Internet und das ist nicht gut').language).toBe('de');
    expect(classify('anything', { lang: 'pt-BR' }).language).toBe('pt');
    expect(classify('anything', { lang: 'zxx-nonsense-tag!' }).language).toBe('und');
    expect(classify('😡😡😡').language).toBe('und');
  });

  it('returns every field within its range for hostile input', () => {
    const inputs = ['', ' ', '😀'.repeat(5000), '\u200F\u202Eשלום\u202C', 'a'.repeat(100_000), '?'.repeat(10_000), '\uD800\uDC00\uD800', 'http://'.repeat(1000), '@'.repeat(500), '#'.repeat(500)];
    for (const text of inputs) {
      const r = classify(text);
      expect(SENTIMENTS).toContain(r.sentiment);
      expect(INTENTS).toContain(r.intent);
      for (const p of [r.sentimentScore, r.intentScore, r.needsReply]) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
      expect(r.priority).toBeGreaterThanOrEqual(0);
      expect(r.priority).toBeLessThanOrEqual(100);
      expect(r.reasons.length).toBeGreaterThan(0);
      expect(r.reasons.length).toBeLessThanOrEqual(5);
    }
  });

  it('is deterministic', () => {
    const t = '@acme still waiting on my refund!!! 😡 third time asking';
    expect(classify(t)).toEqual(classify(t));
  });
});

/** Macro-averaged recall of negative/neutral/positive; TweetEval's official sentiment metric. */
function macroRecall(gold: readonly number[], predicted: readonly number[]): number {
  const hit = [0, 0, 0];
  const total = [0, 0, 0];
  gold.forEach((g, i) => {
    total[g] = (total[g] ?? 0) + 1;
    if (predicted[i] === g) hit[g] = (hit[g] ?? 0) + 1;
  });
  return [0, 1, 2].reduce((s, k) => s + (hit[k] ?? 0) / Math.max(1, total[k] ?? 0), 0) / 3;
}

describeWithSharedData('classifier: TweetEval sentiment (test split)', () => {
  it('reaches macro-averaged recall >= 0.63 with the model, >= 0.50 with the lexicon (VADER: 0.559)', (ctx) => {
    const dir = sharedPath('tweeteval', 'sentiment');
    let texts: string[];
    let gold: number[];
    try {
      texts = readFileSync(`${dir}/test_text.txt`, 'utf8').split('\n');
      gold = readFileSync(`${dir}/test_labels.txt`, 'utf8').split('\n').filter((l) => l.trim() !== '').map(Number);
    } catch {
      ctx.skip(`${dir}/test_text.txt not found`);
      return;
    }
    expect(gold).toHaveLength(12_284);
    const order = ['negative', 'neutral', 'positive'];
    const predicted = gold.map((_, i) => order.indexOf(classify(texts[i] ?? '').sentiment));
    const recall = macroRecall(gold, predicted);
    const lexicon = macroRecall(gold, gold.map((_, i) => order.indexOf(lexiconClassifier.classify(post(texts[i] ?? '')).sentiment)));
    console.log(`TweetEval sentiment test macro-recall: model ${recall.toFixed(4)}, lexicon ${lexicon.toFixed(4)}`);
    // The model alone: 0.650; the classifier lets the lexicon decide a few undecided posts (0.646).
    expect(recall).toBeGreaterThanOrEqual(0.63);
    expect(lexicon).toBeGreaterThanOrEqual(0.5);
  });
});
