/** `earshot token create`: an API token for a user, shown once (only its hash is stored). */
import { EarshotError, NotFoundError, ValidationError } from '../../core/errors.js';
import { newOpaqueToken } from '../../server/auth/passwords.js';
import type { CliIo } from '../run.js';
import { withStore } from '../store.js';

export interface TokenCreateOptions {
  email: string;
  name?: string;
}

export async function tokenCreateCommand(opts: TokenCreateOptions, io: CliIo): Promise<{ token: string; userId: number; name: string }> {
  const email = opts.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError(`--email: "${opts.email}" is not an email address`);
  const name = (opts.name ?? `cli ${new Date().toISOString().slice(0, 10)}`).trim();
  if (name === '' || name.length > 100) throw new ValidationError('--name: give a label of 1 to 100 characters');
  return withStore(io, { create: false }, async (store, config) => {
    const user = await store.getUserByEmail(email);
    if (user === null) throw new NotFoundError(`user ${email}`);
    if (user.disabled) throw new EarshotError('forbidden', `user ${email} is disabled; a token for it would not work`);
    const { token, hash } = newOpaqueToken('esk_');
    await store.createToken({ hash, userId: user.id, name });
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    // The token alone on stdout, so `TOKEN=$(earshot token create …)` works; the explanation on stderr.
    io.err(`API token "${name}" created for ${user.email} (${user.role}). It is shown only this once (Earshot keeps only its hash): store it now.`);
    io.out(token);
    io.err('Send it on API requests as the header "Authorization: Bearer <token>", e.g.');
    io.err(`  curl -H "Authorization: Bearer ${token}" http://${host}:${config.port}/api/me`);
    return { token, userId: user.id, name };
  });
}
