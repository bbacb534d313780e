/**
 * Earshot with a Bluesky account, end to end over loopback: the fake Jetstream + PDS (src/connectors/bluesky/
 * fake-server.ts) replays a customer's post mentioning the brand; it becomes a conversation; a reply sent through
 * the API is posted on the PDS as a reply to that post; the cursor is kept in the store; the customer, known to
 * Jetstream by DID only, shows in the desk by handle once the AppView has been asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INLINE_EVENTS, INLINE_PROFILES, startFakeBluesky, type FakeBluesky } from '../connectors/bluesky/fake-server.js';
import type { ConversationSummary } from '../core/index.js';
import { startEarshot, type RunningEarshot } from './earshot.js';
import { signIn, until, type Api } from './test-client.js';

const EMAIL = 'lead@example.com';
const PASSWORD = 'a long enough password';


describe('Earshot with a Bluesky account', () => {
  let fake: FakeBluesky;
  let app: RunningEarshot;
  let dataDir: string;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeBluesky({ events: [...INLINE_EVENTS], profiles: { ...INLINE_PROFILES } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'earshot-bluesky-'));
    app = await startEarshot({
      port: 0,
      dataDir,
      env: {
        HOST: '127.0.0.1',
        EARSHOT_ADMIN_EMAIL: EMAIL,
        EARSHOT_ADMIN_PASSWORD: PASSWORD,
        EARSHOT_BLUESKY_HANDLE: fake.handle,
        EARSHOT_BLUESKY_APP_PASSWORD: fake.password,
        EARSHOT_BLUESKY_JETSTREAM_URL: fake.jetstreamUrl,
        EARSHOT_BLUESKY_PDS_URL: fake.url,
        // The fake server answers app.bsky.actor.getProfiles too.
        EARSHOT_BLUESKY_APPVIEW_URL: fake.url,
      },
      log: () => {},
    });
    api = await signIn(app, EMAIL, PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the Bluesky connector instead of the sandbox', async () => {
    expect(app.sandbox).toBeNull();
    const health = (await (await fetch(`${app.url}/api/health`)).json()) as { connectors: Array<{ name: string; network: string }> };
    expect(health.connectors.map((c) => [c.name, c.network])).toEqual([['Bluesky', 'bluesky']]);
  });

  it('turns the customer post mentioning the brand into a conversation, and posts the reply as a reply to it', async () => {
    const conv = await until(async () => {
      const list = await api('GET', '/api/conversations?limit=50&offset=0');
      return (list.body?.items as ConversationSummary[] | undefined)?.find((c) => c.preview.includes('my order never arrived'));
    });
    expect(conv.network).toBe('bluesky');

    const sent = await api('POST', `/api/conversations/${conv.id}/replies`, { text: 'So sorry! Could you send us your order number?' });
    expect(sent.status).toBe(202);
    const record = await until(async () => fake.created.find((r) => String(r.value.text).startsWith('So sorry!')));
    const reply = record.value.reply as { parent: { uri: string }; root: { uri: string } };
    expect(reply.parent.uri).toBe('at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3mmrootaaaaa2');
    expect(reply.root.uri).toBe(reply.parent.uri);

    // The brand's reply lands in the same conversation, which now waits on the customer.
    const after = await until(async () => {
      const d = await api('GET', `/api/conversations/${conv.id}`);
      const c = d.body?.conversation as ConversationSummary | undefined;
      return c?.status === 'pending' ? d.body : null;
    });
    const posts = after.posts as Array<{ direction: string; text: string }>;
    expect(posts.map((p) => p.direction)).toEqual(['inbound', 'outbound']);
  });

  it('shows the customer by the handle resolved from their DID, not by the DID', async () => {
    const conv = await until(async () => {
      const list = await api('GET', '/api/conversations?limit=50&offset=0');
      const c = (list.body?.items as ConversationSummary[] | undefined)?.find((x) => x.preview.includes('my order never arrived'));
      return c?.customer.handle === 'alice.bsky.social' ? c : null;
    });
    expect(conv.customer.displayName).toBe('Alice');
    const detail = await api('GET', `/api/conversations/${conv.id}`);
    const customer = detail.body?.customer as { displayName: string | null; identities: Array<{ handle: string; externalId: string }> };
    expect(customer.displayName).toBe('Alice');
    expect(customer.identities.map((i) => [i.handle, i.externalId])).toEqual([['alice.bsky.social', 'did:plc:aliceaaaaaaaaaaaaaaaaaaa']]);
    // One getProfiles call for the authors that reached the pipeline; the brand's own posts are not looked up twice.
    expect(fake.profileRequests.flat().filter((d) => d === 'did:plc:aliceaaaaaaaaaaaaaaaaaaa')).toHaveLength(1);
  });
});
