/**
 * Reply length as each network counts it. The desk shows the same counts (web/src/lib/length.ts); the server checks
 * again because the network would reject the post only later, in the outbox, where nobody is watching.
 */
// twitter-text is CommonJS: its functions arrive on the default export.
import twitterText from 'twitter-text';
import { LENGTH_LIMITS, type Network } from '../core/index.js';

let segmenter: Intl.Segmenter | null = null;

/** What a person sees as one character (emoji with modifiers, flags, accented letters) counts once on Bluesky. */
function graphemes(text: string): number {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/**
 * Mastodon counts code points, every link as 23 and a remote mention `@user@domain` as just `@user`.
 * Counting links like the desk does keeps the two in agreement.
 */
function mastodonLength(text: string): number {
  const counted = text.replace(/https?:\/\/\S+/g, 'x'.repeat(23)).replace(/(@[\w.-]+)@[\w.-]+\.[a-z]{2,}/gi, '$1');
  return [...counted].length;
}

export function postLength(network: Network, text: string): number {
  switch (network) {
    case 'x':
      // URLs count 23, CJK and most emoji count 2: X's own rule.
      return twitterText.parseTweet(text).weightedLength;
    case 'bluesky':
      return graphemes(text);
    case 'mastodon':
      return mastodonLength(text);
  }
}

export interface LengthCheck {
  ok: boolean;
  length: number;
  limit: number;
  unit: (typeof LENGTH_LIMITS)[Network]['unit'];
}

export function checkLength(network: Network, text: string): LengthCheck {
  const { max, unit } = LENGTH_LIMITS[network];
  const length = postLength(network, text);
  return { ok: length <= max, length, limit: max, unit };
}
