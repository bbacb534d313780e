/**
 * The built desk (web/dist) at `/`, with a single-page-app fallback: any GET outside /api that names no file gets
 * index.html, so a link into the desk works. Also the one not-found handler, which answers /api in JSON.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './auth/guard.js';
import { sendError } from './errors.js';

/** Vite names bundled files by their content hash: a URL there never changes meaning, so browsers may keep it. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function hasBuiltDesk(webDist: string | null): webDist is string {
  return webDist !== null && existsSync(path.join(webDist, 'index.html'));
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export async function installDesk(app: FastifyInstance, webDist: string | null): Promise<void> {
  const desk = hasBuiltDesk(webDist) ? path.resolve(webDist) : null;
  if (desk) {
    await app.register(fastifyStatic, {
      root: desk,
      prefix: '/',
      // Files are looked up per request, so a rebuilt desk is served without a restart.
      wildcard: true,
      index: 'index.html',
      cacheControl: false,
      setHeaders(res, filePath) {
        const rel = path.relative(desk, filePath).split(path.sep);
        // index.html names the current bundles: always ask again, or an old desk outlives a deploy.
        res.setHeader('cache-control', rel[0] === 'assets' ? IMMUTABLE : 'no-cache');
      },
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const p = pathOf(req.url);
    if (isApiPath(p)) return sendError(reply, { code: 'not_found', message: `No such API route: ${req.method} ${p}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(reply, { code: 'not_found', message: `Nothing at ${req.method} ${p}` });
    if (!desk) {
      return sendError(reply, {
        code: 'unavailable',
        message: 'The web desk is not built. Run `npm run build:web`, then reload; the API under /api works meanwhile.',
      });
    }
    // A missing file (a stale bundle name, a typo) is a 404, not the page: a script served as HTML only confuses.
    const last = p.slice(p.lastIndexOf('/') + 1);
    if (last.includes('.')) return sendError(reply, { code: 'not_found', message: `No file at ${p}` });
    return reply.sendFile('index.html');
  });
}
