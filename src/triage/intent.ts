/**
 * Intent rules, tried in order; the first that fires decides. Noise (spam, sales, news, reposts) is recognised
 * first so that a seller's "can you DM me?" never lands in the queue as a question.
 */
import type { Intent, Sentiment } from '../core/index.js';
import type { Features } from './features.js';
import { PRAISE_WORDS } from './phrases.js';

export interface IntentInput {
  features: Features;
  sentiment: Sentiment;
  /** Lexicon score (negative = unhappy). */
  score: number;
  negativeTerms: readonly string[];
  positiveTerms: readonly string[];
  isRepost: boolean;
}

export interface IntentDecision {
  intent: Intent;
  /** Confidence in the rule that fired, 0.5..0.95. */
  score: number;
  /** The reason the rule fired, first in the post's reasons. */
  reason: string;
}

const NONE: readonly string[] = [];

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
/** Confidence from evidence points: one point is a fair guess, three or more is near certain. */
const confidence = (points: number): number => clamp(0.45 + 0.15 * points, 0.5, 0.95);
const list = (xs: readonly string[], n = 3): string => xs.slice(0, n).join(', ');

export function decideIntent(x: IntentInput): IntentDecision {
  const f = x.features;
  const found = f.phrases;

  // 1. Spam: scam phrases, link farms, hashtag stuffing, "!!!!!!!!". Two signals needed.
  const spam = found.spam ?? NONE;
  const spamSignals = [...spam];
  if (f.urls >= 2) spamSignals.push(`${f.urls} links`);
  if (f.hashtags >= 4 || (f.hashtags >= 3 && f.words <= f.hashtags * 2)) spamSignals.push(`${f.hashtags} hashtags`);
  if (f.repeatedChars) spamSignals.push('repeated characters');
  if (spamSignals.length >= 2 && (spam.length > 0 || f.urls >= 3)) {
    return { intent: 'spam', score: confidence(spamSignals.length), reason: `spam signals: ${list(spamSignals)}` };
  }

  // 2. Sales pitch: someone offering services. A customer's complaint that says "DM me" is not one.
  const strong = found.salesStrong ?? NONE;
  const weak = found.salesWeak ?? NONE;
  const salesPoints = strong.length * 2 + weak.length;
  const complaining = x.sentiment === 'negative' && f.problemWords.length > 0;
  if (salesPoints >= 2 && !complaining) {
    return { intent: 'sales_pitch', score: confidence(salesPoints), reason: `sales phrases: ${list([...strong, ...weak], 4)}` };
  }

  // 3. News: "BREAKING", headline words, or a bare link with no "I"/"you" in it.
  const news = found.news ?? NONE;
  let newsPoints = news.length + (f.breaking ? 2 : 0);
  const headline = f.urls > 0 && !f.personal && !f.questionMark && f.mentions === 0;
  if (headline) newsPoints += 1;
  if (newsPoints >= 2 && (headline || f.breaking)) {
    const why = [...(f.breaking ? ['BREAKING'] : []), ...news, ...(headline ? ['headline with link'] : [])];
    return { intent: 'news', score: confidence(newsPoints), reason: `news: ${list(why)}` };
  }

  // 4. A plain repost says nothing new from its reposter.
  if (x.isRepost) return { intent: 'chatter', score: 0.9, reason: 'repost' };

  // An angry post outranks its polite form: "please fix this, third time, worst service" is a complaint.
  const angry = x.sentiment === 'negative' && (x.score <= -4 || (x.score <= -2.5 && f.problemWords.length > 0 && f.urgency.length > 0));

  // 5. Idea: a suggestion, unless it is a complaint in disguise ("you should be ashamed").
  const idea = found.idea ?? NONE;
  if (idea.length > 0 && !angry && x.score > -2.5) {
    return { intent: 'idea', score: confidence(1 + idea.length + (f.addressed ? 1 : 0)), reason: `idea: ${list(idea)}` };
  }

  // 6. Request: asks the brand to act.
  const request = found.request ?? NONE;
  if (request.length > 0 && !angry) {
    return { intent: 'request', score: confidence(1 + request.length + (f.addressed ? 1 : 0)), reason: `request: ${list(request)}` };
  }

  // 7. Question: a question mark, or a question opener in a post addressed to someone.
  if (!angry && (f.questionMark || (f.questionOpener !== null && f.addressed))) {
    const points = (f.questionMark ? 1 : 0) + (f.questionOpener ? 1 : 0) + (f.addressed ? 1 : 0);
    const why = f.questionMark ? 'question mark' : `question opener: ${f.questionOpener ?? ''}`;
    return { intent: 'question', score: confidence(points), reason: why };
  }

  // 8. Complaint: unhappy about something the brand does, or repeating itself ("still", "again").
  if (x.sentiment === 'negative' && (f.problemWords.length > 0 || f.urgency.length > 0 || f.addressed)) {
    const points = 1 + Math.min(2, Math.abs(x.score) / 3) + (f.problemWords.length > 0 ? 1 : 0) + (f.urgency.length > 0 ? 0.5 : 0);
    const why = f.problemWords.length > 0 ? `problem words: ${list(f.problemWords)}` : `unhappy: ${list(x.negativeTerms)}`;
    return { intent: 'complaint', score: confidence(points), reason: why };
  }
  if (x.sentiment !== 'positive' && f.urgency.some((u) => u.includes(' ') || u === 'still' || u === 'again') && f.problemWords.length > 0) {
    return { intent: 'complaint', score: confidence(1), reason: `repeated problem: ${list(f.problemWords)}` };
  }

  // 9. Praise: happy and says so, with nothing broken in the post.
  const praise = x.positiveTerms.filter((t) => PRAISE_WORDS.has(t) || t === 'thank you');
  if (x.sentiment === 'positive' && praise.length > 0 && (f.problemWords.length === 0 || f.problemWords.every((w) => w === 'fixed' || w === 'fix' || w === 'service' || w === 'support' || w === 'customer'))) {
    return { intent: 'praise', score: confidence(1 + praise.length + (f.addressed ? 1 : 0)), reason: `praise: ${list(praise)}` };
  }

  // 10. Everything else.
  return { intent: 'chatter', score: x.sentiment === 'neutral' ? 0.6 : 0.5, reason: 'no customer need found' };
}
