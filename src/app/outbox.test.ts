/** The outbox against the real X connector and the sandbox network on loopback, with a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../core/index.js';
import { startSandbox, type Sandbox } from '../connectors/sandbox/server.js';
import { createXConnector } from '../connectors/x/connector.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createLexiconClassifier } from '../triage/index.js';
import { InProcessBus } from './bus.js';
import { OutboxDispatcher, retryDelay } from './outbox.js';
import { IngestPipeline } from './pipeline.js';

describe('outbox dispatcher', () => {
  let dir: string;
  let store: SqliteStore;
  let sandbox: Sandbox;
  let connector: Connector;
  let clock = Date.now();
  const bus = new InProcessBus();
  let conversationId = 0;
  let mentionId = '';

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-outbox-'));
    store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    sandbox = await startSandbox({ port: 0, ratePerMinute: 0, incidentEveryMs: 0, seed: 3 });
    for (const b of sandbox.brands) {
      const brand = await store.upsertBrand({ name: b.name, keywords: b.keywords });
      await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: b.handle, externalId: b.userId });
    }
    connector = createXConnector({
      name: 'sandbox',
      baseUrl: sandbox.url,
      bearerToken: sandbox.bearerToken,
      accounts: sandbox.brands.map((b) => ({ handle: b.handle, externalId: b.userId, userToken: sandbox.userTokens[b.handle]! })),
    });
    // Mentions the sandbox really holds, so that X accepts replies to them.
    const pipeline = new IngestPipeline({ store, classifier: createLexiconClassifier() });
    for (const id of sandbox.emitNow(30)) {
      const tweet = sandbox.tweet(id)!;
      const data = { data: tweet, includes: { users: [{ id: tweet.author_id, username: `user${tweet.author_id}`, name: 'Customer' }] } };
      await pipeline.push({ format: null, source: 'test', line: 1, data: JSON.stringify(data) });
    }
    await pipeline.close();
    const conv = (await store.listConversations({ status: ['new'], limit: 1, offset: 0 })).items[0]!;
    conversationId = conv.id;
    const detail = (await store.getConversation(conv.id))!;
    mentionId = detail.posts.filter((p) => p.direction === 'inbound').at(-1)!.externalId;
    // A little ahead of the wall clock, so replies queued during the test are due.
    clock = Date.now() + 5_000;
  });
  afterEach(async () => {
    await sandbox.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dispatcher = (withConnector = true) =>
    new OutboxDispatcher({ store, bus, connectorFor: () => (withConnector ? connector : null), now: () => clock, random: () => 0.5 });

  it('delivers a queued reply once and stores it in the thread', async () => {
    await store.queueReply({ conversationId, text: 'Sorry Sam, looking into it now.', createdBy: null });
    const d = dispatcher();
    expect(await d.runOnce()).toBe(1);
    expect(await d.runOnce()).toBe(0);
    expect(sandbox.received.map((r) => r.text)).toEqual(['Sorry Sam, looking into it now.']);
    expect(sandbox.received[0]!.inReplyToId).toBe(mentionId);
    const detail = (await store.getConversation(conversationId))!;
    expect(detail.replies[0]).toMatchObject({ status: 'sent', externalId: sandbox.received[0]!.id });
    expect(detail.posts.at(-1)).toMatchObject({ direction: 'outbound', externalId: sandbox.received[0]!.id });
  });

  it('keeps a reply queued while the network is down and sends it once when it is back', async () => {
    await store.queueReply({ conversationId, text: 'First answer', createdBy: null });
    await store.queueReply({ conversationId, text: 'Second answer', createdBy: null });
    sandbox.setDown(true);
    const d = dispatcher();
    await d.runOnce();
    let replies = (await store.getConversation(conversationId))!.replies;
    expect(replies.map((r) => r.status)).toEqual(['queued', 'queued']);
    expect(replies[0]!.lastError).toBeTruthy();
    expect(replies[0]!.nextAttemptAt).toBeGreaterThan(clock);
    expect(sandbox.received).toHaveLength(0);

    sandbox.setDown(false);
    clock += 60_000;
    await d.runOnce();
    replies = (await store.getConversation(conversationId))!.replies;
    expect(replies.map((r) => r.status)).toEqual(['sent', 'sent']);
    // In the order they were written, each exactly once.
    expect(sandbox.received.map((r) => r.text)).toEqual(['First answer', 'Second answer']);
  });

  it('fails at once, with the reason, when nothing can ever send it', async () => {
    await store.queueReply({ conversationId, text: 'Hello', createdBy: null });
    await dispatcher(false).runOnce();
    const [reply] = (await store.getConversation(conversationId))!.replies;
    expect(reply!.status).toBe('failed');
    expect(reply!.lastError).toMatch(/no x connector is configured/);
  });

  it('backs off exponentially with bounded jitter', () => {
    expect(retryDelay(1, () => 0.5)).toBe(2000);
    expect(retryDelay(3, () => 0.5)).toBe(8000);
    expect(retryDelay(30, () => 0.5)).toBe(600_000);
    expect(retryDelay(1, () => 0)).toBe(1500);
    expect(retryDelay(1, () => 1)).toBe(2500);
  });
});
