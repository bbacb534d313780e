/** Post length as each network counts it, for the reply box counter. */
// twitter-text's ESM build only has a default export (an object of functions).
import twitterText from 'twitter-text';
import type { Network } from '../types.ts';

export const LIMITS: Record<Network, { max: number; unit: string }> = {
  x: { max: 280, unit: 'weighted characters' },
  bluesky: { max: 300, unit: 'graphemes' },
  mastodon: { max: 500, unit: 'characters' },
};

let segmenter: Intl.Segmenter | null = null;

function graphemes(text: string): number {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** X: twitter-text's weighted length (URLs count 23, CJK and emoji count 2). */
function xLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/** Mastodon counts code points, with every URL as 23 characters. */
function mastodonLength(text: string): number {
  const withoutUrls = text.replace(/https?:\/\/\S+/g, 'x'.repeat(23));
  return [...withoutUrls].length;
}

export function postLength(network: Network, text: string): number {
  switch (network) {
    case 'x':
      return xLength(text);
    case 'bluesky':
      return graphemes(text);
    case 'mastodon':
      return mastodonLength(text);
  }
}
