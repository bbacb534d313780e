import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

describe('sessions in the SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-sessions-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in only with a live session, and sweeps the expired ones', async () => {
    const user = await store.createUser({ email: 'Agent@Example.com', name: 'Agent', role: 'agent', passwordHash: 'x' });
    const now = 1_000_000;
    await store.createSession({ idHash: 'live', userId: user.id, expiresAt: now + 1000 });
    await store.createSession({ idHash: 'old', userId: user.id, expiresAt: now - 1 });
    expect((await store.getSession('live', now))?.email).toBe('agent@example.com');
    expect(await store.getSession('old', now)).toBeNull();
    expect(await store.deleteExpiredSessions(now)).toBe(1);
    expect(await store.deleteExpiredSessions(now)).toBe(0);
    expect((await store.getSession('live', now))?.id).toBe(user.id);
  });
});
