import { describe, expect, it } from 'vitest';
import type { CorrectedPost, LabelCorrection, LabelField } from '../../core/corrections.js';
import type { LabelledText } from './data.js';
import { correctionAgreement, FEEDBACK_WEIGHT, HOLDOUT_PERCENT, isHeldOut, prepareFeedback } from './feedback.js';
import type { IntentExample } from './intent-data.js';
import { encodeSentimentModel } from './sentiment.js';
import { trainSentimentFromExamples } from './train.js';

const correction = (postId: number, field: LabelField, modelValue: string, correctedValue: string, createdAt = 1): LabelCorrection => ({
  postId,
  field,
  modelValue,
  correctedValue,
  userId: 1,
  userName: 'Arno',
  createdAt,
});

function corrected(postId: number, text: string, over: Partial<CorrectedPost> = {}): CorrectedPost {
  return { postId, text, intent: 'complaint', sentiment: 'negative', needsReply: 1, corrections: [correction(postId, 'intent', 'chatter', 'complaint')], ...over };
}

/** Post ids on the training side of the hold-out, from `from`. */
function trainIds(count: number, from = 1): number[] {
  const out: number[] = [];
  for (let id = from; out.length < count; id++) if (!isHeldOut(id)) out.push(id);
  return out;
}

describe('folding corrections into training', () => {
  it('holds out a fixed share of posts by id, the same every time', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => i + 1);
    const held = ids.filter(isHeldOut);
    expect(held.length / ids.length).toBeGreaterThan(HOLDOUT_PERCENT / 100 - 0.02);
    expect(held.length / ids.length).toBeLessThan(HOLDOUT_PERCENT / 100 + 0.02);
    expect(ids.filter(isHeldOut)).toEqual(held);
  });

  it('adds each training correction FEEDBACK_WEIGHT times, replaces a labelled example of the same text, and never trains on held-out posts', () => {
    const [a, b] = trainIds(2);
    const heldId = Array.from({ length: 100 }, (_, i) => i + 1).find(isHeldOut)!;
    const posts = [
      corrected(a!, '@acme my bill is WRONG again'),
      corrected(b!, '@acme buy followers now', { intent: 'sales_pitch', needsReply: 0, corrections: [correction(b!, 'needs_reply', '0.8', 'false')] }),
      corrected(heldId, '@acme the app crashes on start'),
    ];
    const labelled: IntentExample[] = [
      { source: 'twcs', id: '1', text: '@AcmeSupport my bill is wrong, again!', intent: 8, needsReply: 0, split: 'train' },
      { source: 'twcs', id: '2', text: 'something else entirely', intent: 1, needsReply: 1, split: 'train' },
    ];
    const fb = prepareFeedback(posts, null);
    expect(fb.heldOut.map((p) => p.postId)).toEqual([heldId]);
    const out = fb.intent(labelled);
    expect(out.filter((d) => d.source === 'twcs').map((d) => d.id)).toEqual(['2']);
    const added = out.filter((d) => d.source === 'feedback');
    expect(added).toHaveLength(2 * FEEDBACK_WEIGHT);
    expect(added.slice(0, 2)).toEqual([
      { source: 'feedback', id: String(a), text: '@acme my bill is WRONG again', intent: 0, needsReply: 1, split: 'train' },
      { source: 'feedback', id: String(b), text: '@acme buy followers now', intent: 5, needsReply: 0, split: 'train' },
    ]);
    expect(fb.report).toMatchObject({ correctedPosts: 3, heldOutPosts: 1, intentPosts: 2, sentimentPosts: 0, replacedLabelled: { intent: 1, sentiment: 0 } });
  });

  it('folds sentiment corrections anonymised, the latest correction of a repeated text winning', () => {
    const [a, b] = trainIds(2);
    const posts = [
      corrected(a!, '@acme not great http://x.co', { sentiment: 'neutral', corrections: [correction(a!, 'sentiment', 'positive', 'neutral', 5)] }),
      corrected(b!, '@acme  not great', { sentiment: 'negative', corrections: [correction(b!, 'sentiment', 'positive', 'negative', 9)] }),
    ];
    const pool: LabelledText[] = [{ text: '@user not great', label: 2 }];
    const out = prepareFeedback(posts, null).sentiment(pool);
    expect(out).toEqual(Array.from({ length: FEEDBACK_WEIGHT }, () => ({ text: '@user not great', label: 0 })));
  });

  it('same corrections, data and seed give byte-identical models; the corrections move the model', () => {
    const base: LabelledText[] = [];
    for (const [w, label] of [['awful', 0], ['meeting', 1], ['lovely', 2]] as const) for (const f of ['the {} today', '{} again', 'so {} @acme']) base.push({ text: f.replace('{}', w), label });
    const [id] = trainIds(1);
    const posts = [corrected(id!, 'the outage today', { sentiment: 'negative', corrections: [correction(id!, 'sentiment', 'neutral', 'negative')] })];
    const small = { seed: 2, features: { bits: 14 }, hyper: { epochs: 5, lr: 0.1 } };
    const train = () => encodeSentimentModel(trainSentimentFromExamples(prepareFeedback(posts, null).sentiment(base), small).model);
    const plain = encodeSentimentModel(trainSentimentFromExamples(base, small).model);
    expect(train().equals(train())).toBe(true);
    expect(train().equals(plain)).toBe(false);
  });

  it('measures agreement with the agents per corrected field', () => {
    const posts = [
      corrected(1, 'a', { corrections: [correction(1, 'intent', 'chatter', 'complaint'), correction(1, 'needs_reply', '0.2', 'true'), correction(1, 'sentiment', 'neutral', 'negative')] }),
      corrected(2, 'b', { corrections: [correction(2, 'intent', 'chatter', 'question')] }),
    ];
    const intent = { predict: (t: string) => ({ intent: t === 'a' ? 'complaint' : 'chatter', needsReply: 0.9 }) };
    const sentiment = { predictIndex: () => 1 };
    const r = correctionAgreement(posts, { intent: intent as never, sentiment: sentiment as never });
    expect(r).toEqual({
      posts: 2,
      intent: { n: 2, agree: 1, rate: 0.5 },
      needsReply: { n: 1, agree: 1, rate: 1 },
      sentiment: { n: 1, agree: 0, rate: 0 },
    });
  });
});
