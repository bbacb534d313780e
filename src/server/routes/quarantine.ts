/** GET /api/quarantine: payloads that could not become posts, newest first (leads and admins: samples are raw input). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../core/index.js';
import { parseWith } from '../errors.js';
import { pagination } from './pagination.js';

const Query = z.object(pagination);

export function quarantineRoutes(app: FastifyInstance, store: Store): void {
  app.get('/api/quarantine', { config: { access: 'lead' } }, async (req) => {
    const q = parseWith(Query, req.query);
    return store.listQuarantine({ limit: q.limit, offset: q.offset });
  });
}
