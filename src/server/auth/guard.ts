/**
 * Who may call what. Every /api route declares `config.access`; one onRequest hook (so nothing is parsed for a caller
 * who may not be there) authenticates by bearer token or session cookie, enforces the CSRF header on cookie writes,
 * and checks the role. A route without `access` is refused at start-up rather than left open by mistake.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EarshotError, type Role, type Store, type User } from '../../core/index.js';
import { hashToken } from './passwords.js';
import { sessionHashOf } from './session.js';

/** public: anyone; read: any signed-in user; write: not a viewer; lead: leads and admins. */
export type Access = 'public' | 'read' | 'write' | 'lead';

export interface Auth {
  user: User;
  via: 'session' | 'token';
  /** Set when authenticated by cookie, so sign-out can end this session's event streams. */
  sessionHash: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Public writes (sign-in, sign-out) carry no session yet: let a JSON content type stand in for the header. */
    csrfAllowJson?: boolean;
  }
  interface FastifyRequest {
    auth: Auth | null;
  }
}

export const CLIENT_HEADER = 'x-earshot-client';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WRITERS: ReadonlySet<Role> = new Set(['agent', 'lead', 'admin']);
const LEADS: ReadonlySet<Role> = new Set(['lead', 'admin']);
const MAX_TOKEN_LENGTH = 256;

export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/**
 * A browser sends a custom header cross-origin only after a CORS preflight, which this server never grants; so the
 * header proves the request came from a page on this origin. The same holds for a JSON content type.
 */
function hasClientHeader(req: FastifyRequest): boolean {
  const v = req.headers[CLIENT_HEADER];
  return typeof v === 'string' && v.trim() !== '';
}

function hasJsonBody(req: FastifyRequest): boolean {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(ct);
}

async function authenticate(store: Store, req: FastifyRequest): Promise<Auth> {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    // An Authorization header is used alone, even beside a cookie: a script asked for token auth.
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    const token = m?.[1];
    const user = token && token.length <= MAX_TOKEN_LENGTH ? await store.getUserByToken(hashToken(token)) : null;
    if (!user) throw new EarshotError('unauthorized', 'The API token is not valid.');
    return { user, via: 'token', sessionHash: null };
  }
  const sessionHash = sessionHashOf(req);
  const user = sessionHash ? await store.getSession(sessionHash, Date.now()) : null;
  if (!user || !sessionHash) throw new EarshotError('unauthorized', 'Sign in first.');
  return { user, via: 'session', sessionHash };
}

export function installGuard(app: FastifyInstance, store: Store): void {
  app.decorateRequest('auth', null);

  app.addHook('onRoute', (route) => {
    if (isApiPath(route.url) && route.config?.access === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access level`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // the desk's files and the not-found handler
    const writes = STATE_CHANGING.has(req.method);
    if (access === 'public') {
      if (writes && !hasClientHeader(req) && !(req.routeOptions.config.csrfAllowJson && hasJsonBody(req))) {
        throw new EarshotError('forbidden', `Requests that change something need the ${CLIENT_HEADER} header.`);
      }
      return;
    }
    const auth = await authenticate(store, req);
    if (writes && auth.via === 'session' && !hasClientHeader(req)) {
      throw new EarshotError('forbidden', `Requests that change something need the ${CLIENT_HEADER} header.`);
    }
    if (access === 'write' && !WRITERS.has(auth.user.role)) throw new EarshotError('forbidden', 'Your role can read but not change anything.');
    if (access === 'lead' && !LEADS.has(auth.user.role)) throw new EarshotError('forbidden', 'Only leads and admins can see this.');
    req.auth = auth;
  });
}

/** The signed-in user of a route whose access is not `public`. */
export function currentUser(req: FastifyRequest): User {
  if (!req.auth) throw new EarshotError('unauthorized', 'Sign in first.');
  return req.auth.user;
}
