/**
 * The HTTP API and the desk host, composed from small modules. The caller (src/app) owns the store, bus and
 * connectors and calls `listen`; closing the returned instance ends open event streams and stops the server, nothing
 * more.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Bus, ConnectorHealth, Store } from '../core/index.js';
import { installGuard } from './auth/guard.js';
import { DEFAULT_SESSION_TTL_MS } from './auth/session.js';
import { installErrorHandler } from './errors.js';
import { installSecurityHeaders } from './headers.js';
import { authRoutes } from './routes/auth.js';
import { brandRoutes } from './routes/brands.js';
import { conversationRoutes } from './routes/conversations.js';
import { DEFAULT_KEEP_ALIVE_MS, EventStreams, eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { postRoutes } from './routes/posts.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { installShutdown } from './shutdown.js';
import { installDesk } from './static.js';

export interface ServerDeps {
  store: Store;
  bus: Bus;
  /** Current connector health, for /api/health. */
  health(): ConnectorHealth[];
  /** Called after a reply is queued so the outbox sends it without waiting for its next poll. */
  onReplyQueued(): void;
  /** Directory holding the built desk (web/dist). null or missing index.html → API only; `/` answers 503 JSON with a hint to run `npm run build:web`. */
  webDist: string | null;
  /** Set the Secure flag on the session cookie (true behind https). */
  secureCookies: boolean;
  sessionTtlMs?: number; // default 7 days
  /** Fastify logger option (false in tests). */
  logger?: boolean | Record<string, unknown>;
  /** Interval of the `: keep-alive` comment on /api/events; default 15 s (tests shorten it). */
  sseKeepAliveMs?: number;
}

/** Request bodies are small JSON documents (a reply is at most 10,000 characters); anything larger is refused unread. */
export const BODY_LIMIT = 64 * 1024;

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: (deps.logger ?? false) as FastifyServerOptions['logger'],
    bodyLimit: BODY_LIMIT,
    // A JSON body with `__proto__` or `constructor.prototype` is refused (400), never merged anywhere.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  const session = { ttlMs: deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, secure: deps.secureCookies };
  const streams = new EventStreams(deps.bus, deps.sseKeepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);

  installErrorHandler(app);
  installSecurityHeaders(app);
  // The cookie parser's onRequest hook must run before the guard's, which reads the session cookie.
  await app.register(fastifyCookie);
  installGuard(app, deps.store);

  healthRoutes(app, deps);
  authRoutes(app, { store: deps.store, session, streams });
  conversationRoutes(app, deps);
  postRoutes(app, deps);
  brandRoutes(app, deps.store);
  quarantineRoutes(app, deps.store);
  eventRoutes(app, streams);
  await installDesk(app, deps.webDist);

  installShutdown(app, () => streams.endAll());

  return app;
}
