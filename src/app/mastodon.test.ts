/**
 * Earshot with a Mastodon account, end to end over loopback: mentions produced by the fake instance
 * (src/connectors/mastodon/fake-server.ts) become conversations, and a reply sent through the API is posted once, as
 * a reply, with the customer's @acct and an Idempotency-Key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon } from '../connectors/mastodon/fake-server.js';
import type { ConversationSummary } from '../core/index.js';
import { startEarshot, type RunningEarshot } from './earshot.js';
import { signIn, until, type Api } from './test-client.js';

const EMAIL = 'lead@example.com';
const PASSWORD = 'a long enough password';


describe('Earshot with a Mastodon account', () => {
  let fake: FakeMastodon;
  let app: RunningEarshot;
  let dataDir: string;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeMastodon();
    dataDir = mkdtempSync(path.join(tmpdir(), 'earshot-mastodon-'));
    app = await startEarshot({
      port: 0,
      dataDir,
      env: { HOST: '127.0.0.1', EARSHOT_ADMIN_EMAIL: EMAIL, EARSHOT_ADMIN_PASSWORD: PASSWORD, EARSHOT_MASTODON_URL: fake.url, EARSHOT_MASTODON_ACCESS_TOKEN: fake.token },
      log: () => {},
    });
    api = await signIn(app, EMAIL, PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the Mastodon connector instead of the sandbox', async () => {
    expect(app.sandbox).toBeNull();
    const health = (await (await fetch(`${app.url}/api/health`)).json()) as { connectors: Array<{ name: string; network: string }> };
    expect(health.connectors.map((c) => [c.name, c.network])).toEqual([['Mastodon', 'mastodon']]);
  });

  it('turns mentions into conversations and posts the reply once, as a reply, mentioning the customer', async () => {
    await until(async () => (app.health().find((h) => h.network === 'mastodon')?.state === 'connected' ? true : null));
    await fake.produce(3);
    const conv = await until(async () => {
      const list = await api('GET', '/api/conversations?limit=50&offset=0');
      const items = (list.body?.items as ConversationSummary[] | undefined) ?? [];
      return items.filter((c) => c.network === 'mastodon').length >= 1 ? items.find((c) => c.network === 'mastodon') : null;
    });
    if (conv.status === 'dismissed') await api('PATCH', `/api/conversations/${conv.id}`, { status: 'open' });

    const sent = await api('POST', `/api/conversations/${conv.id}/replies`, { text: 'Thanks for telling us, we are looking into it.' });
    expect(sent.status).toBe(202);
    const posted = await until(async () => fake.posts.find((p) => String((p.body as { status?: string } | null)?.status ?? '').includes('we are looking into it')));
    const body = posted.body as { status: string; in_reply_to_id?: string };
    expect(body.in_reply_to_id).toBeTruthy();
    expect(body.status).toMatch(/^@\S+ Thanks for telling us/);
    expect(posted.idempotencyKey).toBeTruthy();
    expect(fake.posts.filter((p) => String((p.body as { status?: string } | null)?.status ?? '').includes('we are looking into it'))).toHaveLength(1);
  });
});
