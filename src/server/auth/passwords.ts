/**
 * Password hashing and opaque tokens. Passwords: scrypt (memory-hard, in node:crypto, no native add-on) with a random
 * salt, stored as a self-describing `scrypt$N$r$p$salt$hash` string so the cost can be raised later without breaking
 * old hashes. Session ids and API tokens: random opaque strings of which the store keeps only the SHA-256.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** 2^15 × 8 × 128 B = 32 MiB and roughly 50–100 ms per hash here: slow for a guesser, fine for a sign-in. */
const DEFAULTS = { N: 1 << 15, r: 8, p: 1 };
const KEY_LEN = 32;
const SALT_LEN = 16;
/** Bounds for parameters read back from a stored hash, so a corrupt row cannot ask for gigabytes of memory. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

function scryptAsync(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function memoryFor(N: number, r: number, p: number): number {
  // Node refuses when 128·N·r·p exceeds maxmem; leave headroom over the exact need.
  return 128 * N * r * p + 16 * 1024 * 1024;
}

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = DEFAULTS;
  const salt = randomBytes(SALT_LEN);
  const key = await scryptAsync(password, salt, KEY_LEN, { N, r, p, maxmem: memoryFor(N, r, p) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `password` matches `stored`. A malformed stored value is a mismatch, never an exception. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((v) => Number.isSafeInteger(v) && v > 0)) return false;
  // N must be a power of two above 1 (scrypt's own rule).
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r > MAX_R || p > MAX_P) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length === 0 || expected.length < 16 || expected.length > 128) return false;
  let actual: Buffer;
  try {
    actual = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: memoryFor(N, r, p) });
  } catch {
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/** SHA-256 hex of a session id or API token: what the store keeps, so a leaked database holds no usable secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A new random token (256 bits, base64url) with a readable prefix (e.g. `es_` for sessions, `et_` for API tokens) so a
 * leaked one can be recognised by secret scanners and people. Give `token` to its owner once; keep only `hash`.
 */
export function newOpaqueToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}
