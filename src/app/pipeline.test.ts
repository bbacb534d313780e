import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EarshotEvent, RawPayload, TriagedPost } from '../core/index.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createLexiconClassifier } from '../triage/index.js';
import { InProcessBus } from './bus.js';
import { IngestPipeline, reasonKind } from './pipeline.js';

const classifier = createLexiconClassifier();

function xLine(id: string, text: string, user = { id: '900', username: 'dana_r' }): RawPayload {
  return {
    format: null,
    source: 'test',
    line: Number(id),
    data: JSON.stringify({
      data: { id, text, author_id: user.id, created_at: new Date(1_700_000_000_000 + Number(id) * 1000).toISOString(), conversation_id: id },
      includes: { users: [{ id: user.id, username: user.username, name: 'Dana' }] },
    }),
  };
}

describe('ingest pipeline', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-pipeline-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    const brand = await store.upsertBrand({ name: 'Nimbus Mobile', keywords: ['nimbus'] });
    await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: 'nimbusmobile', externalId: '1' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores posts, opens conversations and publishes events after the write', async () => {
    const bus = new InProcessBus();
    const seen: EarshotEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const p = new IngestPipeline({ store, classifier, bus });
    await p.push(xLine('1001', '@nimbusmobile my phone has had no signal since this morning, please help'));
    await p.push(xLine('1001', '@nimbusmobile my phone has had no signal since this morning, please help'));
    await p.flush();
    expect(p.stats).toMatchObject({ read: 2, posts: 2, stored: 1, duplicates: 1, quarantined: 0, conversationsCreated: 1 });
    expect(seen.map((e) => e.type)).toContain('conversation.created');
    const { items } = await store.listConversations({ limit: 10, offset: 0 });
    expect(items).toHaveLength(1);
  });

  it('quarantines malformed payloads with a reason and keeps going', async () => {
    const p = new IngestPipeline({ store, classifier });
    await p.push({ format: null, source: 'broken.jsonl', line: 1, data: '{"data": {"id": "1", "text": ' });
    await p.push({ format: null, source: 'broken.jsonl', line: 2, data: JSON.stringify({ data: { id: 5, text: 7 } }) });
    await p.push({ ...xLine('1002', '@nimbusmobile thanks, all good now'), source: 'broken.jsonl', line: 3 });
    await p.flush();
    expect(p.stats.stored).toBe(1);
    expect(p.stats.quarantined).toBe(2);
    const q = await store.listQuarantine({ limit: 10, offset: 0 });
    expect(q.total).toBe(2);
    expect(q.items.map((i) => i.line).sort()).toEqual([1, 2]);
    expect(q.items.every((i) => i.source === 'broken.jsonl' && i.reason.length > 0)).toBe(true);
    expect(Object.keys(p.stats.quarantinedByReason)).toContain('invalid JSON');
  });

  it('quarantines a record once however often its file is replayed, and many at a time', async () => {
    const p = new IngestPipeline({ store, classifier });
    for (let round = 0; round < 2; round++) {
      for (let line = 1; line <= 1200; line++) await p.push({ format: null, source: 'bad.jsonl', line, data: '{"truncated": ' });
      await p.flush();
    }
    expect(p.stats.quarantined).toBe(2400);
    expect((await store.listQuarantine({ limit: 1, offset: 0 })).total).toBe(1200);
  });

  it('makes the producer wait when the buffer is full, so memory stays bounded', async () => {
    // A store whose writes wait for the test: the buffer fills up and push() must stop resolving.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = Object.create(store) as SqliteStore;
    slow.ingest = async (batch: TriagedPost[]) => {
      await gate;
      return store.ingest(batch);
    };
    const p = new IngestPipeline({ store: slow, classifier, batchSize: 10, maxBuffered: 20 });
    let accepted = 0;
    const producer = (async () => {
      for (let i = 0; i < 100; i++) {
        await p.push(xLine(String(2000 + i), `@nimbusmobile outage number ${i}, still no data`, { id: String(5000 + i), username: `user${i}` }));
        accepted++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    // One batch is held by the stalled write; at most maxBuffered more are waiting in memory.
    expect(accepted).toBeLessThanOrEqual(31);
    expect(p.buffered).toBeLessThanOrEqual(21);
    release();
    await producer;
    await p.flush();
    expect(accepted).toBe(100);
    expect(p.stats.stored).toBe(100);
  });

  it('quarantines only the post the store refuses, not its whole batch', async () => {
    const picky = Object.create(store) as SqliteStore;
    picky.ingest = async (batch: TriagedPost[]) => {
      if (batch.some((b) => b.post.externalId === '3003')) throw new Error('constraint failed');
      return store.ingest(batch);
    };
    const errors: unknown[] = [];
    const p = new IngestPipeline({ store: picky, classifier, onError: (e) => errors.push(e) });
    for (const id of ['3001', '3002', '3003', '3004']) {
      await p.push(xLine(id, `@nimbusmobile question ${id}: is roaming included?`, { id: `7${id}`, username: `u${id}` }));
    }
    await p.flush();
    expect(p.stats.stored).toBe(3);
    expect(p.stats.quarantined).toBe(1);
    const q = await store.listQuarantine({ limit: 10, offset: 0 });
    expect(q.items[0]?.reason).toMatch(/store refused the post: constraint failed/);
    expect(q.items[0]?.source).toBe('x:3003');
    expect(errors).toHaveLength(1);
  });

  it('groups quarantine reasons by their kind', () => {
    expect(reasonKind('invalid JSON: Unexpected end of JSON input')).toBe('invalid JSON');
    expect(reasonKind('line longer than 1 MiB')).toBe('line longer than 1 MiB');
    expect(reasonKind('X tweet 1293593516040269825 without author_id (request tweet.fields=author_id)')).toBe(
      'X tweet <id> without author_id (request tweet.fields=author_id)',
    );
  });
});
