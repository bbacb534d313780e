/** Labels the triage stage gives every post. Definitions live in docs/triage.md. */
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const INTENTS = [
  'complaint', // something is wrong and the customer is unhappy about it
  'question', // the customer asks something
  'request', // asks the brand to do something (refund, fix, call back)
  'idea', // a suggestion for the product
  'praise', // thanks, compliments
  'sales_pitch', // someone selling or self-promoting
  'spam', // bots, scams, link farms
  'news', // broadcast or headline
  'chatter', // everything else
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
