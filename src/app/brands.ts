/** A network account names its brand; the brand's keywords, set elsewhere, are kept. */
import type { Brand, Store } from '../core/index.js';

export async function ensureBrand(store: Store, name: string): Promise<Brand> {
  const existing = (await store.listBrands()).find((b) => b.name === name);
  return existing ?? store.upsertBrand({ name, keywords: [] });
}
