import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../core/errors.js';
import { hashToken } from '../server/auth/passwords.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { earshot } from './testing.js';

describe('earshot token create', () => {
  let dir: string;
  let userId: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-cli-token-'));
    const store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    userId = (await store.createUser({ email: 'Admin@Example.org', name: 'Admin', role: 'admin', passwordHash: 'unused' })).id;
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a new token once, stores only its hash, and says how to use it', async () => {
    const r = await earshot(['token', 'create', '--email', 'admin@example.org', '--name', 'crm sync'], { EARSHOT_DATA_DIR: dir });
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^esk_[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).toContain('shown only this once');
    expect(r.stderr).toContain('Authorization: Bearer');

    const store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    try {
      expect((await store.getUserByToken(hashToken(token)))?.id).toBe(userId);
      const row = store.raw.prepare('SELECT hash, name FROM api_tokens').get() as { hash: string; name: string };
      expect(row).toEqual({ hash: hashToken(token), name: 'crm sync' });
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown email with the not-found exit code', async () => {
    const r = await earshot(['token', 'create', '--email', 'nobody@example.org'], { EARSHOT_DATA_DIR: dir });
    expect(r.code).toBe(exitCodeFor('not_found'));
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('earshot: user nobody@example.org not found\n');
  });

  it('says where it looked when there is no database', async () => {
    const r = await earshot(['token', 'create', '--email', 'admin@example.org'], { EARSHOT_DATA_DIR: path.join(dir, 'elsewhere') });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^earshot: no Earshot database at .*elsewhere/);
  });
});
