/**
 * Jetstream carries every post on Bluesky (tens a second); a brand needs the few addressed to it. This filter keeps,
 * before the pipeline, what the store would put in a brand's queue: posts by a brand account, replies to one,
 * mentions of one, posts in a thread a brand account started, posts naming a brand or one of its keywords; and
 * every delete (a customer may delete a post we stored; the store ignores the others). Identity and account events
 * are dropped. Anything the normalizer rejects is kept, so that it is quarantined rather than silently lost.
 */
import { brandAccountOf, brandAddressed, type BrandIndex } from '../../core/index.js';
import { normalizeBlueskyEvent } from './normalize.js';

const AT_URI_DID = /^at:\/\/(did:[^/]+)\//;

/** `getIndex` is called per event: return a fresh index after the brand accounts change. */
export function brandEventFilter(getIndex: () => BrandIndex): (event: unknown) => boolean {
  return (event) => {
    let result: ReturnType<typeof normalizeBlueskyEvent>;
    try {
      result = normalizeBlueskyEvent(event);
    } catch {
      return true; // malformed: the pipeline quarantines it
    }
    if (result.deletes && result.deletes.length > 0) return true;
    const idx = getIndex();
    return result.posts.some((p) => {
      if (brandAccountOf(idx, p) !== null || brandAddressed(idx, p) !== null) return true;
      const rootDid = p.rootId ? AT_URI_DID.exec(p.rootId)?.[1] : undefined;
      return rootDid !== undefined && idx.byUserId.has(`bluesky\u0000${rootDid.toLowerCase()}`);
    });
  };
}
