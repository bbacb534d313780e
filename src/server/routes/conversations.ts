/** The queue, one conversation, answering it, and moving it between states. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CONVERSATION_STATUSES,
  EarshotError,
  INTENTS,
  NETWORKS,
  NotFoundError,
  SENTIMENTS,
  canTransition,
  type ConversationDetail,
  type EarshotEvent,
  type Network,
} from '../../core/index.js';
import { currentUser } from '../auth/guard.js';
import { parseWith } from '../errors.js';
import { checkLength } from '../reply-length.js';
import type { ServerDeps } from '../server.js';
import { pagination } from './pagination.js';

/** `a,b` (or the parameter repeated) → a list of allowed values; unknown values are refused, not ignored. */
function csvOf<const T extends readonly [string, ...string[]]>(values: T) {
  const allowed: ReadonlySet<string> = new Set(values);
  return z
    .preprocess(
      (v) => {
        if (v === undefined) return undefined;
        const joined = Array.isArray(v) ? v.join(',') : String(v);
        const items = [...new Set(joined.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
        return items.length ? items : undefined;
      },
      z.array(z.string()).optional(),
    )
    .superRefine((items, ctx) => {
      // One issue for the parameter as a whole, naming the bad values and the good ones.
      const bad = (items ?? []).filter((v) => !allowed.has(v));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `unknown ${bad.map((b) => JSON.stringify(b)).join(', ')}; allowed: ${values.join(', ')}` });
    })
    .transform((items) => items as Array<T[number]> | undefined);
}

const ListQuery = z.object({
  status: csvOf(CONVERSATION_STATUSES),
  intent: csvOf(INTENTS),
  sentiment: csvOf(SENTIMENTS),
  network: csvOf(NETWORKS),
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((s) => (s ? s : undefined)),
  ...pagination,
});

const IdParams = z.object({
  // Digits only, and few enough to be a safe integer.
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'must be a conversation id')
    .transform(Number),
});

/** Text as typed; the signature is added after, and the limits apply to the whole. */
const ReplyBody = z.object({ text: z.string().trim().min(1, 'must not be empty').max(10_000) });

/** Any status may be asked for, so that a refused change (back to `new`) answers `conflict`, not "invalid". */
const StatusBody = z.object({ status: z.enum(CONVERSATION_STATUSES) });

export function conversationRoutes(app: FastifyInstance, deps: Pick<ServerDeps, 'store' | 'bus' | 'onReplyQueued'>): void {
  const { store, bus } = deps;

  /** Events go out after the write has succeeded; a bus failure must not turn a done action into an error. */
  const publish = (req: FastifyRequest, events: EarshotEvent[]) => {
    if (events.length === 0) return;
    try {
      bus.publish(events);
    } catch (err) {
      req.log.warn({ err }, 'publishing events failed');
    }
  };

  const load = async (id: number): Promise<ConversationDetail> => {
    const c = await store.getConversation(id);
    if (!c) throw new NotFoundError(`conversation ${id}`);
    return c;
  };

  app.get('/api/conversations', { config: { access: 'read' } }, async (req) => {
    const q = parseWith(ListQuery, req.query);
    return store.listConversations({
      status: q.status,
      intent: q.intent,
      sentiment: q.sentiment,
      network: q.network,
      q: q.q,
      limit: q.limit,
      offset: q.offset,
    });
  });

  app.get('/api/conversations/:id', { config: { access: 'read' } }, async (req) => {
    const { id } = parseWith(IdParams, req.params);
    return load(id);
  });

  app.post('/api/conversations/:id/replies', { config: { access: 'write' } }, async (req, reply) => {
    const user = currentUser(req);
    const { id } = parseWith(IdParams, req.params);
    const { text } = parseWith(ReplyBody, req.body);
    const before = await load(id);
    // The store answers the customer's latest post on its network (see queueReply): check against that network.
    const lastInbound = before.posts.filter((p) => p.direction === 'inbound').at(-1);
    const network: Network = lastInbound?.network ?? before.conversation.network;
    const signature = user.signature?.trim();
    const full = signature ? `${text} ${signature}` : text;
    const length = checkLength(network, full);
    if (!length.ok) {
      throw new EarshotError('too_long', `The reply is ${length.length} ${length.unit} long; ${network} allows ${length.limit}.`, {
        limit: length.limit,
        length: length.length,
        unit: length.unit,
      });
    }
    const queued = await store.queueReply({
      conversationId: id,
      text: full,
      createdBy: user.id,
      // A direct message is answered directly: never turn a private conversation public.
      isPrivate: lastInbound?.isPrivate ?? false,
    });
    // queueReply returns no events, and moves a `new` conversation to `open` without saying so.
    const events: EarshotEvent[] = [{ type: 'reply.queued', replyId: queued.id, conversationId: id, at: queued.createdAt }];
    if (before.conversation.status === 'new') events.push({ type: 'conversation.updated', conversationId: id, status: 'open', at: queued.createdAt });
    publish(req, events);
    try {
      deps.onReplyQueued();
    } catch (err) {
      // The reply is safely queued; the outbox's next poll sends it.
      req.log.warn({ err }, 'waking the outbox failed');
    }
    return reply.status(202).send({ reply: queued });
  });

  app.patch('/api/conversations/:id', { config: { access: 'write' } }, async (req) => {
    const user = currentUser(req);
    const { id } = parseWith(IdParams, req.params);
    const { status } = parseWith(StatusBody, req.body);
    const current = await load(id);
    if (!canTransition(current.conversation.status, status)) {
      throw new EarshotError('conflict', `A conversation cannot go from ${current.conversation.status} to ${status}.`, {
        from: current.conversation.status,
        to: status,
      });
    }
    const events = await store.setConversationStatus(id, status, user.id);
    // Dismissing is saying "no reply needed": a correction `earshot train --feedback` learns from (stored before
    // desks are told, so their refetch sees it).
    if (status === 'dismissed') await store.recordDismissal(id, user.id);
    publish(req, events);
    const updated = await load(id);
    return { conversation: updated.conversation };
  });
}
