import type { Network } from './network.js';

/** A person or organisation's identity on one network, as the network reports it. */
export interface AuthorRef {
  network: Network;
  /** Stable user id on the network: X user id, Bluesky DID, Mastodon account id. */
  externalId: string;
  /** Handle without the leading @ (X `username`, Bluesky handle, Mastodon `acct`). */
  handle: string;
  displayName: string | null;
  followers: number | null;
  verified: boolean;
}

/** Which way a post travels relative to the brand. `null` means "decide from the brand's accounts". */
export type Direction = 'inbound' | 'outbound';

/** One post in Earshot's network-neutral shape. Every normalizer produces exactly this. */
export interface NormalizedPost {
  network: Network;
  /** The network's id for the post (X tweet id, Bluesky at:// URI, Mastodon status id). Unique per network. */
  externalId: string;
  url: string | null;
  author: AuthorRef;
  text: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Language as the network reports it (ISO 639-1), when it does. */
  lang: string | null;
  /** External id of the post this one answers. */
  inReplyToId: string | null;
  /** External user id of the author of the post this one answers, when the network says. */
  inReplyToAuthorId: string | null;
  /** External id of the first post of the reply chain (X conversation_id, Bluesky reply root). */
  rootId: string | null;
  /** Lower-cased handles mentioned, without @. */
  mentions: string[];
  /** Lower-cased hashtags, without #. */
  hashtags: string[];
  /** Links, expanded where the network expands them. */
  urls: string[];
  /** External id of the reposted post when this is a plain repost / retweet / boost. */
  repostOfId: string | null;
  /** External id of the quoted post. */
  quotedId: string | null;
  /** Direction when the source states it (e.g. the TWCS `inbound` column); otherwise null. */
  direction: Direction | null;
  /** A private/direct message rather than a public post. */
  isPrivate: boolean;
  /** Name of the format the post was read from, e.g. `x-v2`. */
  source: string;
}

export function isRepost(p: NormalizedPost): boolean {
  return p.repostOfId !== null;
}
