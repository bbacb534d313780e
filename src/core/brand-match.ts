import type { Network } from './network.js';
import type { NormalizedPost } from './post.js';
import type { Brand, BrandAccount } from './records.js';

/** Brand accounts indexed for the hot path: by (network, lower-case handle) and by (network, user id). */
export interface BrandIndex {
  byHandle: Map<string, BrandAccount>;
  byUserId: Map<string, BrandAccount>;
  keywords: Array<{ brandId: number; word: string }>;
}

const key = (network: Network, v: string) => `${network}\u0000${v.toLowerCase()}`;

export function buildBrandIndex(brands: Brand[], accounts: BrandAccount[]): BrandIndex {
  const byHandle = new Map<string, BrandAccount>();
  const byUserId = new Map<string, BrandAccount>();
  for (const a of accounts) {
    byHandle.set(key(a.network, a.handle), a);
    if (a.externalId) byUserId.set(key(a.network, a.externalId), a);
  }
  const keywords = brands.flatMap((b) => [b.name, ...b.keywords].filter((w) => w.trim().length >= 3).map((w) => ({ brandId: b.id, word: w.toLowerCase() })));
  return { byHandle, byUserId, keywords };
}

/** The brand account that wrote this post, if it is one of the brand's own. */
export function brandAccountOf(idx: BrandIndex, p: Pick<NormalizedPost, 'network' | 'author'>): BrandAccount | null {
  return idx.byUserId.get(key(p.network, p.author.externalId)) ?? idx.byHandle.get(key(p.network, p.author.handle)) ?? null;
}

/**
 * Which brand an inbound post is addressed to: the author of the post it answers, then a tagged handle, then a
 * brand name or misspelling in the text (customers often complain without tagging).
 */
export function brandAddressed(idx: BrandIndex, p: Pick<NormalizedPost, 'network' | 'mentions' | 'text' | 'inReplyToAuthorId'>): number | null {
  if (p.inReplyToAuthorId) {
    const a = idx.byUserId.get(key(p.network, p.inReplyToAuthorId));
    if (a) return a.brandId;
  }
  for (const m of p.mentions) {
    const a = idx.byHandle.get(key(p.network, m)) ?? idx.byUserId.get(key(p.network, m));
    if (a) return a.brandId;
  }
  if (idx.keywords.length > 0) {
    const text = p.text.toLowerCase();
    for (const k of idx.keywords) if (containsWord(text, k.word)) return k.brandId;
  }
  return null;
}

function containsWord(text: string, word: string): boolean {
  let i = text.indexOf(word);
  while (i !== -1) {
    const before = i === 0 ? ' ' : text[i - 1]!;
    const after = i + word.length >= text.length ? ' ' : text[i + word.length]!;
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    i = text.indexOf(word, i + 1);
  }
  return false;
}
