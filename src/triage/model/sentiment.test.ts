import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithSharedData, SHARED_DATA } from '../../testing/shared-data.js';
import { tokenize } from '../tokenize.js';
import { scoreSentiment } from '../lexicon.js';
import type { LabelledText } from './data.js';
import { decodeSentimentModel, DEFAULT_MODEL_PATH, encodeSentimentModel, loadSentimentModel } from './sentiment.js';
import { trainSentimentFromExamples, trainSentimentModel } from './train.js';

/** A tiny synthetic training set: three words per class in a few frames. */
function tinySet(): LabelledText[] {
  const words = [
    ['awful', 'hate', 'broken'],
    ['tuesday', 'report', 'meeting'],
    ['love', 'great', 'thanks'],
  ];
  const frames = ['the {} today', '{} again', 'so {} @acme', 'i think {} #x', '{} {}'];
  const out: LabelledText[] = [];
  frames.forEach((f) => words.forEach((ws, label) => ws.forEach((w) => out.push({ text: f.replaceAll('{}', w), label }))));
  return out;
}

const small = { features: { bits: 16 }, hyper: { epochs: 5, lr: 0.1 } };

describe('sentiment model: training and file', () => {
  it('trains deterministically: same data and seed give byte-identical files', () => {
    const a = encodeSentimentModel(trainSentimentFromExamples(tinySet(), { seed: 3, ...small }).model);
    const b = encodeSentimentModel(trainSentimentFromExamples(tinySet(), { seed: 3, ...small }).model);
    expect(a.equals(b)).toBe(true);
    const c = encodeSentimentModel(trainSentimentFromExamples(tinySet(), { seed: 4, ...small }).model);
    expect(a.equals(c)).toBe(false);
  });

  it('learns the tiny set and survives a save and a load unchanged', () => {
    const { model } = trainSentimentFromExamples(tinySet(), { seed: 1, ...small });
    expect(model.predict('so awful').label).toBe('negative');
    expect(model.predict('the meeting').label).toBe('neutral');
    expect(model.predict('love it').label).toBe('positive');
    const bytes = encodeSentimentModel(model);
    const loaded = decodeSentimentModel(bytes);
    expect(encodeSentimentModel(loaded).equals(bytes)).toBe(true);
    for (const t of ['so awful', 'the meeting', 'love it', '']) expect(loaded.predict(t)).toEqual(model.predict(t));
    const p = loaded.predict('love it').probabilities;
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 6);
  });

  it('names the words behind a decision', () => {
    const { model } = trainSentimentFromExamples(tinySet(), { seed: 1, ...small });
    const reasons = model.explain('the meeting was awful');
    expect(reasons[0]?.term).toBe('awful');
    expect(reasons.length).toBeLessThanOrEqual(3);
  });

  it('rejects files that are not sentiment models', () => {
    expect(() => decodeSentimentModel(Buffer.from('hello world, not a model'))).toThrow(/magic/);
    const bytes = encodeSentimentModel(trainSentimentFromExamples(tinySet(), { seed: 1, ...small }).model);
    const raw = decodeSentimentModel(bytes); // sanity
    expect(raw.meta.format).toBe('earshot-sentiment');
  });
});

// The committed model (models/sentiment.bin): present in the repo, so no shared data needed.
const hasModel = existsSync(DEFAULT_MODEL_PATH);
(hasModel ? describe : describe.skip)(`committed sentiment model${hasModel ? '' : ' [skipped: models/sentiment.bin missing]'}`, () => {
  const model = loadSentimentModel();

  it('labels obvious cases', () => {
    expect(model.predict('I love this so much 😍').label).toBe('positive');
    expect(model.predict('worst service ever, still waiting').label).toBe('negative');
    expect(model.predict('the store opens at 9').label).toBe('neutral');
    expect(model.predict('@acme my order never arrived and nobody answers. Unacceptable').label).toBe('negative');
    expect(model.predict('Thanks @acme, fixed in minutes! 🎉').label).toBe('positive');
  });

  it('reads negation', () => {
    expect(model.predict('this is good').label).toBe('positive');
    expect(model.predict('this is not good').label).not.toBe('positive');
  });

  it('accepts the tokens and lexicon score the triage step already has, with the same answer', () => {
    const text = 'NOT happy with @acme!!! still waiting 😡 #fail';
    const tokens = tokenize(text);
    expect(model.predictTokens(tokens, scoreSentiment(tokens, false))).toEqual(model.predict(text));
    const reasons = model.explainTokens(tokens);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.map((r) => r.term).join(' ')).toMatch(/happy|waiting|fail|!|😡/);
  });

  it('gives well-formed output on odd input', () => {
    for (const t of ['', ' ', '\u0000', '🏳️‍🌈', 'a'.repeat(10000), '\ud800']) {
      const p = model.predict(t);
      expect(['negative', 'neutral', 'positive']).toContain(p.label);
      expect(p.probability).toBeGreaterThan(0);
      expect(p.probability).toBeLessThanOrEqual(1);
    }
  });
});

describeWithSharedData(`sentiment model on ${SHARED_DATA}`, () => {
  it('trains byte-identically twice on a small subset of the pool', () => {
    const opts = { sharedDir: SHARED_DATA, seed: 5, every: 40, validate: false, features: { bits: 18 } };
    const a = trainSentimentModel(opts);
    const b = trainSentimentModel(opts);
    expect(encodeSentimentModel(a.model).equals(encodeSentimentModel(b.model))).toBe(true);
    expect(a.report.pool.removedVal).toBeGreaterThanOrEqual(2000);
    expect(a.report.pool.removedTest).toBe(0);
  });
});
