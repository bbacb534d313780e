import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INLINE_EVENTS } from '../../connectors/bluesky/fake-server.js';
import { normalizeRaw } from '../../connectors/formats.js';
import type { TriagedPost } from '../../core/index.js';
import { createLexiconClassifier } from '../../triage/index.js';
import { SqliteStore } from './sqlite-store.js';

const classifier = createLexiconClassifier();
const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa';
const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb';

function triaged(lines: string[]): TriagedPost[] {
  return lines.flatMap((data) =>
    normalizeRaw({ format: 'bluesky-jetstream', data, source: 'test', line: null }).posts.map((post) => ({ post, triage: classifier.classify(post) })),
  );
}

describe('Store.updateIdentityHandles', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-handles-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    const brand = await store.upsertBrand({ name: 'Brand', keywords: [] });
    await store.upsertBrandAccount({ brandId: brand.id, network: 'bluesky', handle: 'brand.bsky.social', externalId: 'did:plc:brandbrandbrandbrandbran' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces DIDs with handles, names customers still named by their DID, and reports their open conversations', async () => {
    await store.ingest(triaged([...INLINE_EVENTS]));
    const before = await store.listConversations({ limit: 50, offset: 0 });
    const alices = before.items.find((c) => c.preview.includes('my order never arrived'))!;
    expect(alices.customer.handle).toBe(ALICE);

    const events = await store.updateIdentityHandles('bluesky', [
      { externalId: ALICE, handle: 'alice.bsky.social', displayName: 'Alice' },
      { externalId: 'did:plc:unknownunknownunknownunk', handle: 'nobody.bsky.social', displayName: null },
    ]);
    expect(events).toEqual([{ type: 'conversation.updated', conversationId: alices.id, status: alices.status, at: expect.any(Number) }]);
    const detail = (await store.getConversation(alices.id))!;
    expect(detail.conversation.customer).toMatchObject({ handle: 'alice.bsky.social', displayName: 'Alice' });
    expect(detail.customer.displayName).toBe('Alice');
    expect(detail.customer.identities.map((i) => i.handle)).toEqual(['alice.bsky.social']);

    // Nothing changes twice; another network's identity with the same external id is left alone.
    expect(await store.updateIdentityHandles('bluesky', [{ externalId: ALICE, handle: 'alice.bsky.social', displayName: null }])).toEqual([]);
    expect(await store.updateIdentityHandles('x', [{ externalId: ALICE, handle: 'someone', displayName: null }])).toEqual([]);
    expect(await store.updateIdentityHandles('bluesky', [])).toEqual([]);

    // A customer with a real name keeps it when only the handle is learnt.
    await store.updateIdentityHandles('bluesky', [{ externalId: ALICE, handle: 'alice.example.com', displayName: null }]);
    const again = (await store.getConversation(alices.id))!;
    expect(again.conversation.customer).toMatchObject({ handle: 'alice.example.com', displayName: 'Alice' });
    expect(again.customer.displayName).toBe('Alice');

    // Bob has no display name: his customer is named by the handle.
    await store.updateIdentityHandles('bluesky', [{ externalId: BOB, handle: 'bob.bsky.social', displayName: null }]);
    const bobIdentity = store.raw.prepare("SELECT customer_id FROM identities WHERE network = 'bluesky' AND external_id = ?").pluck().get(BOB) as number;
    expect(store.raw.prepare('SELECT display_name FROM customers WHERE id = ?').pluck().get(bobIdentity)).toBe('bob.bsky.social');

    // Alice posts again: Jetstream names her by her DID, and her resolved handle is kept.
    const next = JSON.parse(INLINE_EVENTS[0]!) as { time_us: number; commit: { rkey: string; record: { text: string } } };
    next.time_us += 10_000_000;
    next.commit.rkey = '3mmnextaaaaa2';
    next.commit.record.text = 'still waiting @brand.bsky.social';
    await store.ingest(triaged([JSON.stringify(next)]));
    expect(store.raw.prepare("SELECT handle FROM identities WHERE network = 'bluesky' AND external_id = ?").pluck().get(ALICE)).toBe('alice.example.com');
  });
});
