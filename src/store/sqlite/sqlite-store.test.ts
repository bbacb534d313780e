import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isRejected, normalizeRaw, readRecords } from '../../connectors/formats.js';
import type { TriagedPost } from '../../core/index.js';
import { createLexiconClassifier } from '../../triage/index.js';
import { describeWithSharedData, sharedPath } from '../../testing/shared-data.js';
import { SqliteStore } from './sqlite-store.js';

const classifier = createLexiconClassifier();

async function replay(store: SqliteStore, file: string) {
  let batch: TriagedPost[] = [];
  const totals = { stored: 0, duplicates: 0, conversationsCreated: 0 };
  const flush = async () => {
    const o = await store.ingest(batch);
    totals.stored += o.stored;
    totals.duplicates += o.duplicates;
    totals.conversationsCreated += o.conversationsCreated;
    batch = [];
  };
  for await (const rec of readRecords(file)) {
    if (isRejected(rec)) continue;
    for (const post of normalizeRaw(rec).posts) batch.push({ post, triage: classifier.classify(post) });
    if (batch.length >= 500) await flush();
  }
  await flush();
  return totals;
}

describeWithSharedData('SQLite store on the real TWCS sample', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-store-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every post once, threads brand replies into their customer conversation, and a second run stores nothing', async () => {
    const file = sharedPath('twcs_dev_half.csv');
    const first = await replay(store, file);
    expect(first.stored).toBe(2550);
    const second = await replay(store, file);
    expect(second).toEqual({ stored: 0, duplicates: 2550, conversationsCreated: 0 });

    // Every brand reply whose customer post is in the file sits in that customer's conversation.
    const orphans = store.raw
      .prepare(
        `SELECT COUNT(*) FROM posts o JOIN posts p ON p.network = o.network AND p.external_id = o.in_reply_to_id
          WHERE o.direction = 'outbound' AND p.direction = 'inbound' AND (o.conversation_id IS NULL OR o.conversation_id != p.conversation_id)`,
      )
      .pluck()
      .get();
    expect(orphans).toBe(0);
    const answered = store.raw.prepare('SELECT COUNT(*) FROM conversations WHERE first_response_at IS NOT NULL').pluck().get() as number;
    expect(answered).toBeGreaterThan(100);
    const { items } = await store.listConversations({ q: 'refund', limit: 5, offset: 0 });
    expect(items.length).toBeGreaterThan(0);
  });
});
