/** Headers on every response: the desk's page may run only its own code, be framed by nobody, and leak no referrer. */
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './auth/guard.js';

/**
 * The built desk is one module script and one stylesheet from this origin. React sets inline `style` attributes and
 * the page's icon is a `data:` URL; customers' avatars and media may come from any https host; the only connection it
 * opens (fetch, EventSource) is to this origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: https:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // Harmless on JSON, and covers any HTML however it is served (index, fallback, a file in the desk's folder).
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    // API answers are per user and change all the time: no cache, shared or private, may keep them.
    if (isApiPath(req.url) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
