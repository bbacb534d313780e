/** The desk's session cookie: a random id the browser keeps; the store keeps only its hash. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store, User } from '../../core/index.js';
import { hashToken, newOpaqueToken } from './passwords.js';

export const SESSION_COOKIE = 'earshot_session';
export const DEFAULT_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Longer values are not ours: do not spend a hash and a query on them. */
const MAX_ID_LENGTH = 256;

export interface SessionOptions {
  ttlMs: number;
  secure: boolean;
}

/** The hash of the session id the request carries, if any (whether or not that session still exists). */
export function sessionHashOf(req: FastifyRequest): string | null {
  const id = req.cookies[SESSION_COOKIE];
  if (!id || id.length > MAX_ID_LENGTH) return null;
  return hashToken(id);
}

export async function startSession(store: Store, reply: FastifyReply, user: User, opts: SessionOptions): Promise<void> {
  const { token, hash } = newOpaqueToken('es_');
  await store.createSession({ idHash: hash, userId: user.id, expiresAt: Date.now() + opts.ttlMs });
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    // Lax: sent on top-level navigation to the desk, never on cross-site subrequests or form posts.
    sameSite: 'lax',
    secure: opts.secure,
    maxAge: Math.floor(opts.ttlMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, opts: SessionOptions): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure });
}
