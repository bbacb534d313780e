/**
 * End to end, over real loopback HTTP: the app starts with the built-in sandbox network, a conversation arrives
 * over server-sent events, a reply sent through the API reaches the sandbox and shows in the thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDetail, ConversationSummary } from '../core/index.js';
import { startEarshot, type RunningEarshot } from './earshot.js';

const EMAIL = 'lead@example.com';
const PASSWORD = 'a long enough password';

/** Reads server-sent events from a fetch body until `until` says stop. */
async function readEvents(res: Response, until: (type: string, data: unknown) => boolean, timeoutMs: number): Promise<Array<{ type: string; data: unknown }>> {
  const seen: Array<{ type: string; data: unknown }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (chunk === null || chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type === undefined || data === undefined) continue;
        const parsed = JSON.parse(data) as unknown;
        seen.push({ type, data: parsed });
        if (until(type, parsed)) return seen;
      }
    }
    return seen;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe('Earshot end to end with the sandbox network', () => {
  let app: RunningEarshot;
  let dataDir: string;
  let cookie = '';
  const lines: string[] = [];

  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(app.url + p, {
      method,
      headers: { cookie, 'content-type': 'application/json', 'x-earshot-client': 'desk' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'earshot-e2e-'));
    app = await startEarshot({
      port: 0,
      dataDir,
      env: { EARSHOT_ADMIN_EMAIL: EMAIL, EARSHOT_ADMIN_PASSWORD: PASSWORD, EARSHOT_SANDBOX_RATE: '300', EARSHOT_SANDBOX_SEED: '7', HOST: '127.0.0.1' },
      log: (l) => lines.push(l),
    });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers health without signing in, with the sandbox connector', async () => {
    const res = await fetch(`${app.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; connectors: Array<{ name: string }> };
    expect(body.connectors.map((c) => c.name)).toEqual(['sandbox (X API v2)', 'sandbox (Bluesky)']);
    expect(lines.join('\n')).toContain(`Earshot is listening on ${app.url}`);
  });

  it('signs in, hears a conversation arrive live, replies, and the sandbox receives it', async () => {
    const login = await fetch(`${app.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-earshot-client': 'desk' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/=/);

    const sse = await fetch(`${app.url}/api/events`, { headers: { cookie, accept: 'text/event-stream' } });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/text\/event-stream/);
    app.sandbox!.emitNow(20);
    const events = await readEvents(sse, (type) => type === 'conversation.created', 15_000);
    const created = events.find((e) => e.type === 'conversation.created');
    expect(created).toBeDefined();

    // A conversation a person would answer: new, inbound, on X.
    const list = await api('GET', '/api/conversations?status=new&limit=50&offset=0');
    expect(list.status).toBe(200);
    const items = list.body!.items as ConversationSummary[];
    expect(items.length).toBeGreaterThan(0);
    const conv = items[0]!;

    const reply = await api('POST', `/api/conversations/${conv.id}/replies`, { text: 'Sorry about that! Could you DM us your account number?' });
    expect(reply.status).toBe(202);

    const deadline = Date.now() + 15_000;
    let detail: ConversationDetail | null = null;
    while (Date.now() < deadline) {
      const d = await api('GET', `/api/conversations/${conv.id}`);
      detail = d.body as unknown as ConversationDetail;
      if (detail.posts.some((p) => p.direction === 'outbound')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const received = app.sandbox!.received.find((r) => r.text.startsWith('Sorry about that!'));
    expect(received).toBeDefined();
    const outbound = detail!.posts.find((p) => p.direction === 'outbound');
    expect(outbound?.externalId).toBe(received!.id);
    expect(outbound?.sentBy).toBeTruthy();
    expect(detail!.replies[0]?.status).toBe('sent');
    // The answered conversation leaves `new`.
    expect(detail!.conversation.status).not.toBe('new');
  });

  it('hears a Bluesky conversation from the sandbox, with the customer\'s handle, and the reply reaches its PDS', async () => {
    const sbb = app.sandboxBluesky!;
    sbb.emitNow(5);
    let conv: ConversationSummary | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const list = await api('GET', '/api/conversations?limit=200&offset=0');
      conv = (list.body!.items as ConversationSummary[]).find((c) => c.network === 'bluesky' && c.customer.handle.endsWith('.bsky.social'));
      if (conv) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(conv).toBeDefined();
    expect(conv!.brandName).toBe(sbb.brand.name);

    const reply = await api('POST', `/api/conversations/${conv!.id}/replies`, { text: 'Hello from the Bluesky desk' });
    expect(reply.status).toBe(202);
    const until = Date.now() + 15_000;
    while (Date.now() < until && !sbb.received.some((r) => r.value.text === 'Hello from the Bluesky desk')) await new Promise((r) => setTimeout(r, 200));
    const created = sbb.received.find((r) => r.value.text === 'Hello from the Bluesky desk');
    expect(created).toBeDefined();
    expect((created!.value.reply as { parent: { uri: string } }).parent.uri).toMatch(/^at:\/\/did:plc:/);
  });

  it('refuses the API without a session', async () => {
    const res = await fetch(`${app.url}/api/conversations`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
  });
});
