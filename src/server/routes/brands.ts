/** GET /api/brands: the brands Earshot listens for, each with its accounts on the networks. */
import type { FastifyInstance } from 'fastify';
import type { BrandAccount, Store } from '../../core/index.js';

export function brandRoutes(app: FastifyInstance, store: Store): void {
  app.get('/api/brands', { config: { access: 'read' } }, async () => {
    const [brands, accounts] = await Promise.all([store.listBrands(), store.listBrandAccounts()]);
    const byBrand = new Map<number, BrandAccount[]>();
    for (const a of accounts) {
      const list = byBrand.get(a.brandId);
      if (list) list.push(a);
      else byBrand.set(a.brandId, [a]);
    }
    return { items: brands.map((b) => ({ ...b, accounts: byBrand.get(b.id) ?? [] })) };
  });
}
