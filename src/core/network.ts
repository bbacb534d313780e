/** The social networks Earshot listens to and answers on. */
export const NETWORKS = ['x', 'bluesky', 'mastodon'] as const;
export type Network = (typeof NETWORKS)[number];

export function isNetwork(v: unknown): v is Network {
  return typeof v === 'string' && (NETWORKS as readonly string[]).includes(v);
}

/** Post length limits as each network counts them (X: weighted length, Bluesky: graphemes, Mastodon: characters). */
export const LENGTH_LIMITS: Record<Network, { max: number; unit: 'weighted' | 'graphemes' | 'characters' }> = {
  x: { max: 280, unit: 'weighted' },
  bluesky: { max: 300, unit: 'graphemes' },
  mastodon: { max: 500, unit: 'characters' },
};
