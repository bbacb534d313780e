/**
 * For the server's tests: a real SQLite store on a temp file with a brand, a few customer conversations and users of
 * each role, a tiny bus that records what is published, and the server listening on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ConnectorHealth, EarshotEvent, Intent, Network, NormalizedPost, Sentiment, TriagedPost, User } from '../core/index.js';
import { InProcessBus } from '../app/bus.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { hashPassword } from './auth/passwords.js';
import { buildServer, type ServerDeps } from './server.js';

/** The app's in-process bus, remembering what was published so tests can assert on it. */
export class RecordingBus extends InProcessBus {
  readonly published: EarshotEvent[] = [];
  override publish(events: EarshotEvent[]): void {
    this.published.push(...events);
    super.publish(events);
  }
}

export const PASSWORD = 'correct horse battery';

let seq = 0;
export function post(network: Network, handle: string, text: string, over: Partial<NormalizedPost> = {}): NormalizedPost {
  seq++;
  const mentions = [...text.matchAll(/@([\w.]+[\w])/g)].map((m) => m[1]!.toLowerCase());
  return {
    network,
    externalId: `${network}-${seq}`,
    url: null,
    author: { network, externalId: `${handle}-id`, handle, displayName: handle, followers: 10, verified: false },
    text,
    createdAt: Date.now() - 60_000 + seq,
    lang: 'en',
    inReplyToId: null,
    inReplyToAuthorId: null,
    rootId: null,
    mentions,
    hashtags: [],
    urls: [],
    repostOfId: null,
    quotedId: null,
    direction: null,
    isPrivate: false,
    source: 'test',
    ...over,
  };
}

export function triaged(p: NormalizedPost, intent: Intent, sentiment: Sentiment): TriagedPost {
  return {
    post: p,
    triage: { language: 'en', sentiment, sentimentScore: 0.9, intent, intentScore: 0.9, needsReply: 0.9, priority: 50, reasons: ['test'] },
  };
}

export interface Fixture {
  app: FastifyInstance;
  store: SqliteStore;
  bus: RecordingBus;
  url: string;
  users: Record<'admin' | 'agent' | 'viewer' | 'lead' | 'disabled', User>;
  /** Conversation ids by customer handle. */
  conversations: Record<string, number>;
  wakes: number;
  health: ConnectorHealth[];
  close(): Promise<void>;
}

export async function startFixture(over: Partial<ServerDeps> = {}): Promise<Fixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-server-'));
  const store = await SqliteStore.open(path.join(dir, 'earshot.db'));
  const bus = new RecordingBus();

  const brand = await store.upsertBrand({ name: 'Acme', keywords: [] });
  await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: 'AcmeHelp', externalId: 'acme-x' });
  await store.upsertBrandAccount({ brandId: brand.id, network: 'bluesky', handle: 'acme.bsky.social', externalId: 'did:plc:acme' });
  await store.upsertBrandAccount({ brandId: brand.id, network: 'mastodon', handle: 'acme', externalId: 'acme-m' });
  await store.ingest([
    triaged(post('x', 'alice', '@AcmeHelp my order never arrived and I want a refund'), 'complaint', 'negative'),
    triaged(post('x', 'bob', '@AcmeHelp how do I reset my password?'), 'question', 'neutral'),
    triaged(post('bluesky', 'carol.bsky.social', '@acme.bsky.social love the new app, thank you'), 'praise', 'positive'),
    triaged(post('mastodon', 'dave', '@acme the invoice page is broken again'), 'complaint', 'negative'),
  ]);
  const { items } = await store.listConversations({ limit: 50, offset: 0 });
  const conversations = Object.fromEntries(items.map((c) => [c.customer.handle, c.id]));

  const passwordHash = await hashPassword(PASSWORD);
  const users = {
    admin: await store.createUser({ email: 'admin@example.com', name: 'Ada Admin', role: 'admin', passwordHash, signature: '^AD' }),
    agent: await store.createUser({ email: 'agent@example.com', name: 'Arno Agent', role: 'agent', passwordHash }),
    lead: await store.createUser({ email: 'lead@example.com', name: 'Lea Lead', role: 'lead', passwordHash }),
    viewer: await store.createUser({ email: 'viewer@example.com', name: 'Vic Viewer', role: 'viewer', passwordHash }),
    disabled: await store.createUser({ email: 'gone@example.com', name: 'Gone', role: 'agent', passwordHash }),
  };
  store.raw.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(users.disabled.id);

  const fixture: Fixture = {
    store,
    bus,
    users,
    conversations,
    wakes: 0,
    health: [],
    url: '',
    app: undefined as unknown as FastifyInstance,
    async close() {
      await fixture.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fixture.app = await buildServer({
    store,
    bus,
    health: () => fixture.health,
    onReplyQueued: () => {
      fixture.wakes++;
    },
    webDist: null,
    secureCookies: false,
    logger: false,
    ...over,
  });
  await fixture.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = fixture.app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  fixture.url = `http://127.0.0.1:${addr.port}`;
  return fixture;
}

/** Signs in and returns the `name=value` of the session cookie. */
export async function login(url: string, email: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-earshot-client': 'desk' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0]!;
}

/** A desk-like JSON request; `desk: false` leaves out the CSRF header. */
export async function call(
  url: string,
  method: string,
  pathname: string,
  opts: { cookie?: string; bearer?: string; body?: unknown; rawBody?: string; desk?: boolean; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON came back
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (method !== 'GET' && opts.desk !== false) headers['x-earshot-client'] = 'desk';
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${pathname}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON (e.g. the desk's HTML)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
