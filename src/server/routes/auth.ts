/** Sign-in, sign-out and "who am I" for the desk. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EarshotError, type Store, type User } from '../../core/index.js';
import { currentUser } from '../auth/guard.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { clearSessionCookie, sessionHashOf, startSession, type SessionOptions } from '../auth/session.js';
import { parseWith } from '../errors.js';
import type { EventStreams } from './events.js';

const Login = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/**
 * Every failed sign-in takes at least this long, on top of the scrypt work that unknown emails also do (against a
 * dummy hash): the answer time says nothing about whether an account exists, and guessing is slowed.
 */
const FAILURE_FLOOR_MS = 250;
const FAILED = 'Wrong email or password.';

/** The user as the API shows it: never the password hash the store hands back on lookup by email. */
function publicUser(u: User): User {
  return { id: u.id, email: u.email, name: u.name, role: u.role, signature: u.signature, disabled: u.disabled, createdAt: u.createdAt };
}

export function authRoutes(app: FastifyInstance, deps: { store: Store; session: SessionOptions; streams: EventStreams }): void {
  const { store, session, streams } = deps;
  // Made once, in the background: a hash in the real format with the real cost, for unknown emails to verify against.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));
  dummyHash.catch(() => {});

  app.post('/api/login', { config: { access: 'public', csrfAllowJson: true } }, async (req, reply) => {
    const started = performance.now();
    const body = parseWith(Login, req.body);
    const found = await store.getUserByEmail(body.email);
    const ok = await verifyPassword(body.password, found?.passwordHash ?? (await dummyHash));
    if (!found || !ok || found.disabled) {
      await sleep(Math.max(0, FAILURE_FLOOR_MS - (performance.now() - started)));
      throw new EarshotError('unauthorized', FAILED);
    }
    // A new id at every sign-in, and the old one (if any) forgotten: a planted session id is worth nothing.
    const previous = sessionHashOf(req);
    if (previous) await store.deleteSession(previous);
    await startSession(store, reply, found, session);
    return { user: publicUser(found) };
  });

  app.post('/api/logout', { config: { access: 'public', csrfAllowJson: true } }, async (req, reply) => {
    const hash = sessionHashOf(req);
    if (hash) {
      await store.deleteSession(hash);
      streams.endSession(hash);
    }
    clearSessionCookie(reply, session);
    return reply.status(204).send();
  });

  app.get('/api/me', { config: { access: 'read' } }, async (req) => ({ user: publicUser(currentUser(req)) }));
}
