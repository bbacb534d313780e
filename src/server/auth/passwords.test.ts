import { describe, expect, it } from 'vitest';
import { hashPassword, hashToken, newOpaqueToken, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with scrypt and a random salt in a self-describing string, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('treats malformed or abusive stored values as a mismatch, without throwing', async () => {
    const good = await hashPassword('pw');
    const [, , r, p, salt, key] = good.split('$');
    for (const stored of [
      '',
      'plain',
      'bcrypt$10$abc',
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`, // would need gigabytes
      `scrypt$16384$${r}$${p}$$${key}`,
      `scrypt$16384$${r}$${p}$${salt}$`,
    ]) {
      expect(await verifyPassword('pw', stored), stored).toBe(false);
    }
  });

  it('makes opaque tokens with a prefix, of which only the SHA-256 is kept', () => {
    const { token, hash } = newOpaqueToken('et_');
    expect(token).toMatch(/^et_[\w-]{43}$/);
    expect(hash).toBe(hashToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(newOpaqueToken('et_').token).not.toBe(token);
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
