/** Labels the triage stage gives every post. Definitions live in docs/triage.md. */
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const INTENTS = [
  // Definitions with more examples: docs/triage.md and training/intent/GUIDE.md (the labelling guide).
  'complaint', // something is wrong and the customer is unhappy about it: "@acme charged twice again, nobody answers"
  'question', // the customer asks something: "@acme does the basic plan include roaming?"
  'request', // asks the brand to do something (refund, fix, call back): "@acme please cancel my order 4471"
  'idea', // a suggestion for the product: "@acme you should let us pause a subscription instead of cancelling"
  'praise', // thanks, compliments: "shoutout to @acme support, fixed in five minutes"
  'sales_pitch', // someone selling or self-promoting: "@acme we help brands like yours triple reviews, DM us"
  'spam', // bots, scams, link farms: "FREE iPhone giveaway!!! follow + RT bit.ly/xx #win"
  'news', // broadcast or headline: "BREAKING: Acme recalls 2 million chargers"
  'chatter', // everything else: "on the train with my @acme headphones"
] as const;
export type Intent = (typeof INTENTS)[number];

/** Intents the desk parks by default: nobody at the brand needs to answer them. */
export const NOISE_INTENTS: ReadonlySet<Intent> = new Set<Intent>(['sales_pitch', 'spam', 'news', 'chatter']);

export function isNoise(intent: Intent): boolean {
  return NOISE_INTENTS.has(intent);
}

export interface TriageResult {
  /** ISO 639-1 or `und`. */
  language: string;
  sentiment: Sentiment;
  /** Probability of the chosen sentiment, 0..1. */
  sentimentScore: number;
  intent: Intent;
  intentScore: number;
  /** Probability that the brand should answer, 0..1. */
  needsReply: number;
  /** 0..100, higher first. */
  priority: number;
  /** The few words or features that drove the labels ("why is this here?"). */
  reasons: string[];
}
