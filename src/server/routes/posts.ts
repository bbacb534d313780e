/** One post: an agent corrects its labels (what `earshot train --feedback` learns from). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { INTENTS, SENTIMENTS } from '../../core/index.js';
import { currentUser } from '../auth/guard.js';
import { parseWith } from '../errors.js';
import type { ServerDeps } from '../server.js';

const IdParams = z.object({
  // Digits only, and few enough to be a safe integer.
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'must be a post id')
    .transform(Number),
});

/** Any of the three labels; unknown keys are refused so a typo ("need_reply") is not silently ignored. */
const LabelsBody = z
  .strictObject({
    intent: z.enum(INTENTS).optional(),
    sentiment: z.enum(SENTIMENTS).optional(),
    needsReply: z.boolean().optional(),
  })
  .refine((b) => b.intent !== undefined || b.sentiment !== undefined || b.needsReply !== undefined, { message: 'give at least one of intent, sentiment, needsReply' });

export function postRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'store' | 'bus'>): void {
  const { store, bus } = deps;

  app.post('/api/posts/:id/labels', { config: { access: 'write' } }, async (req) => {
    const user = currentUser(req);
    const { id } = parseWith(IdParams, req.params);
    const body = parseWith(LabelsBody, req.body);
    const { post, events } = await store.correctLabels(id, body, user.id);
    if (events.length > 0) {
      // The correction is stored; a bus failure must not turn it into an error.
      try {
        bus.publish(events);
      } catch (err) {
        req.log.warn({ err }, 'publishing events failed');
      }
    }
    return { post };
  });
}
