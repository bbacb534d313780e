import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedPost, TriageResult } from '../../core/index.js';
import { author, testPost } from '../../testing/posts.js';
import { SqliteStore } from './sqlite-store.js';

const HOUR = 3_600_000;
const post = (customer: string, text: string, createdAt: number, over: Partial<NormalizedPost> = {}): NormalizedPost =>
  testPost(text, { author: author(customer), createdAt, ...over });

const complaint = (over: Partial<TriageResult> = {}): TriageResult => ({
  language: 'en',
  sentiment: 'negative',
  sentimentScore: 0.9,
  intent: 'complaint',
  intentScore: 0.9,
  needsReply: 0.9,
  priority: 50,
  reasons: ['problem words: broken'],
  ...over,
});

describe('priority from the customer history and time waiting', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-priority-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    const brand = await store.upsertBrand({ name: 'Acme', keywords: [] });
    await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: 'acme', externalId: 'acme-id' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const postsOf = (customer: string) =>
    store.raw
      .prepare('SELECT p.priority, p.reasons FROM posts p JOIN identities i ON i.id = p.identity_id WHERE i.external_id = ? ORDER BY p.id')
      .all(customer) as Array<{ priority: number; reasons: string }>;

  it('ranks a returning unhappy customer above a stranger with the same words, and says why', async () => {
    const now = Date.now();
    await store.ingest([{ post: post('alice', 'my order never came', now - 48 * HOUR), triage: complaint() }]);
    const [first] = (await store.listConversations({ limit: 10, offset: 0 })).items;
    await store.setConversationStatus(first!.id, 'resolved', null);

    await store.ingest([
      { post: post('alice', 'broken again', now), triage: complaint() },
      { post: post('bob', 'broken again', now), triage: complaint() },
    ]);
    const alice = postsOf('alice').at(-1)!;
    const bob = postsOf('bob').at(-1)!;
    expect(bob.priority).toBe(50);
    expect(alice.priority).toBe(60);
    expect(JSON.parse(alice.reasons)).toContain('returning customer: 1 earlier conversation, 1 unhappy (+10)');

    const queue = (await store.listConversations({ status: ['new'], limit: 10, offset: 0 })).items;
    expect(queue.map((c) => c.customer.handle)).toEqual(['alice', 'bob']);
  });

  it('never lifts noise with history', async () => {
    const now = Date.now();
    await store.ingest([{ post: post('carol', 'app keeps crashing', now - 5 * HOUR), triage: complaint() }]);
    const [c] = (await store.listConversations({ limit: 10, offset: 0 })).items;
    await store.setConversationStatus(c!.id, 'resolved', null);
    await store.ingest([{ post: post('carol', 'check out my mixtape', now), triage: complaint({ intent: 'sales_pitch', sentiment: 'neutral', priority: 2, reasons: ['sales words: check out'] }) }]);
    expect(postsOf('carol').at(-1)!.priority).toBe(2);
  });

  it('moves a conversation up the queue while the customer waits, from their first unanswered post, until the brand answers', async () => {
    const now = Date.now();
    await store.ingest([
      { post: post('dave', 'still no refund', now - 3 * HOUR), triage: complaint() },
      { post: post('erin', 'still no refund', now - 5 * 60_000), triage: complaint() },
    ]);
    // Dave writes again an hour ago: he has been waiting three hours, not one.
    await store.ingest([{ post: post('dave', 'hello??', now - HOUR), triage: complaint({ priority: 45 }) }]);
    let queue = (await store.listConversations({ status: ['new', 'open'], limit: 10, offset: 0 })).items;
    expect(queue.map((c) => [c.customer.handle, c.priority, c.queuePriority])).toEqual([
      ['dave', 50, 68],
      ['erin', 50, 50],
    ]);

    // The brand answers Dave: he is no longer waiting on it.
    const daveLast = store.raw.prepare("SELECT p.external_id FROM posts p JOIN identities i ON i.id = p.identity_id WHERE i.external_id = 'dave' ORDER BY p.id DESC").pluck().get() as string;
    await store.ingest([
      {
        post: post('acme-id', 'sorry Dave, refund is on its way', now - 10 * 60_000, {
          author: author('acme-id', 'acme'),
          inReplyToId: daveLast,
          mentions: ['dave'],
        }),
        triage: complaint({ intent: 'chatter', sentiment: 'neutral', priority: 0 }),
      },
    ]);
    queue = (await store.listConversations({ limit: 10, offset: 0 })).items;
    const dave = queue.find((c) => c.customer.handle === 'dave')!;
    expect(dave.status).toBe('pending');
    expect(dave.waitingSince).toBeNull();
    expect(dave.queuePriority).toBe(dave.priority);
  });
});
