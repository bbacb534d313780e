/**
 * The composition root: the one place where configuration becomes a running Earshot — store, bus, pipeline,
 * connectors (the sandbox when no network is configured), outbox and HTTP server — and where it is taken down
 * again in the reverse order.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Connector, ConnectorHealth, Network } from '../core/index.js';
import { startSandbox, type Sandbox } from '../connectors/sandbox/server.js';
import { startSandboxBluesky, type SandboxBluesky } from '../connectors/sandbox/bluesky.js';
import { listeningTerms } from '../connectors/sandbox/brands.js';
import { keyValueCursorStore, keywordQuery } from '../connectors/x/backfill.js';
import { createXConnector } from '../connectors/x/connector.js';
import { buildServer } from '../server/server.js';
import { hashPassword } from '../server/auth/passwords.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createClassifier } from '../triage/index.js';
import { connectBluesky } from './bluesky.js';
import { ensureBrand } from './brands.js';
import { InProcessBus } from './bus.js';
import { connectMastodon } from './mastodon.js';
import { loadConfig, type Config } from './config.js';
import { OutboxDispatcher } from './outbox.js';
import { IngestPipeline } from './pipeline.js';

export interface StartOptions {
  /** The environment to read configuration from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT (0 = a free port, for tests). */
  port?: number;
  /** Overrides EARSHOT_DATA_DIR. */
  dataDir?: string;
  /** Where the banner and operational messages go (default: stdout). */
  log?: (line: string) => void;
}

export interface RunningEarshot {
  url: string;
  port: number;
  config: Config;
  store: SqliteStore;
  /** The sandbox network, when it runs (tests use it to check what was delivered). */
  sandbox: Sandbox | null;
  /** The sandbox's Bluesky network, when the sandbox runs. */
  sandboxBluesky: SandboxBluesky | null;
  health(): ConnectorHealth[];
  close(): Promise<void>;
}

const SANDBOX_BLUESKY = 'sandbox (Bluesky)';

const WEB_ROOT = new URL('../../web/', import.meta.url);

/** `npm start` on a fresh clone must serve the desk even when the install-time build was skipped or failed. */
async function ensureDeskBuilt(webDist: string, log: (line: string) => void): Promise<void> {
  if (existsSync(path.join(webDist, 'index.html'))) return;
  log('Building the web desk (first start)…');
  const { build } = await import('vite');
  await build({ configFile: new URL('vite.config.ts', WEB_ROOT).pathname, logLevel: 'warn' });
}

function generatedPassword(): string {
  // 18 random bytes → 24 URL-safe characters: typed once, then changed or kept in a password manager.
  return randomBytes(18).toString('base64url');
}

export async function startEarshot(opts: StartOptions = {}): Promise<RunningEarshot> {
  const env = { ...(opts.env ?? process.env) };
  if (opts.port !== undefined) env.PORT = String(opts.port);
  if (opts.dataDir !== undefined) env.EARSHOT_DATA_DIR = opts.dataDir;
  const config = loadConfig(env);
  const quiet = config.logLevel === 'silent';
  const log = opts.log ?? ((line: string) => (quiet ? undefined : console.log(line)));

  await ensureDeskBuilt(config.webDist, log);

  const store = await SqliteStore.open(config.databaseFile);
  const cleanups: Array<() => Promise<void>> = [() => store.close()];
  const closeAll = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log(`earshot: while stopping: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  try {
    const bus = new InProcessBus((err) => log(`earshot: event handler failed: ${err instanceof Error ? err.message : String(err)}`));
    cleanups.push(() => bus.close());

    if ((await store.countUsers()) === 0) {
      const password = config.adminPassword ?? generatedPassword();
      await store.createUser({ email: config.adminEmail, name: 'Admin', role: 'admin', passwordHash: await hashPassword(password) });
      if (config.adminPassword === null) {
        log(`First admin created: ${config.adminEmail}`);
        log(`  password: ${password}`);
        log('  (shown once; set EARSHOT_ADMIN_PASSWORD before the first start to choose it)');
      } else log(`First admin created: ${config.adminEmail} (password from EARSHOT_ADMIN_PASSWORD)`);
    }

    const pipeline = new IngestPipeline({
      store,
      classifier: createClassifier(),
      bus,
      onError: (err) => log(`ingest: ${err instanceof Error ? err.message : String(err)}`),
    });
    cleanups.push(() => pipeline.close());

    // Connectors, each with the brand accounts it speaks for.
    const connectors: Array<{ connector: Connector; handles: Set<string> }> = [];
    const onStatus = (h: ConnectorHealth) =>
      bus.publish([{ type: 'connector.status', connector: h.name, state: h.state, detail: h.detail, at: Date.now() }]);

    let sandbox: Sandbox | null = null;
    let sandboxBluesky: SandboxBluesky | null = null;
    if (config.sandbox) {
      sandbox = await startSandbox({
        port: 0,
        seed: config.sandboxSeed ?? undefined,
        ratePerMinute: config.sandboxRatePerMinute,
        incidentEveryMs: config.sandboxIncidentEveryMs,
      });
      const sb = sandbox;
      cleanups.push(() => sb.close());
      for (const b of sb.brands) {
        const brand = await store.upsertBrand({ name: b.name, keywords: b.keywords });
        await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: b.handle, externalId: b.userId });
      }
      const connector = createXConnector({
        name: 'sandbox (X API v2)',
        baseUrl: sb.url,
        bearerToken: sb.bearerToken,
        accounts: sb.brands.map((b) => ({ handle: b.handle, externalId: b.userId, userToken: sb.userTokens[b.handle] ?? '' })),
        onStatus,
        // The gap after a reconnect is filled from recent search, from the newest post id the pipeline has stored.
        cursorStore: keyValueCursorStore(store, 'x:stream:sandbox', () => pipeline.flush()),
        // The sandbox streams keyword matches too, so its backfill searches for them as well as for @mentions.
        extraQuery: keywordQuery(sb.brands.flatMap(listeningTerms)),
      });
      connectors.push({ connector, handles: new Set(sb.brands.map((b) => b.handle.toLowerCase())) });

      // A third of the sandbox's customer traffic is on Bluesky, for one brand, through the real Bluesky connector.
      sandboxBluesky = await startSandboxBluesky({ seed: config.sandboxSeed ?? undefined, ratePerMinute: config.sandboxRatePerMinute / 2 });
      const sbb = sandboxBluesky;
      cleanups.push(() => sbb.close());
      const bskyBrand = await store.upsertBrand({ name: sbb.brand.name, keywords: sbb.brand.keywords });
      // The DID is known up front, so mentions match from the first event (no wait for the sign-in).
      await store.upsertBrandAccount({ brandId: bskyBrand.id, network: 'bluesky', handle: sbb.handle, externalId: sbb.did });
      const bsky = await connectBluesky({
        config: { handle: sbb.handle, appPassword: sbb.password, brand: sbb.brand.name, jetstreamUrl: sbb.jetstreamUrl, pdsUrl: sbb.url, appViewUrl: sbb.appViewUrl },
        store,
        pipeline,
        bus,
        onStatus,
        log,
        // Named apart from a real Bluesky account in health and status events.
        name: SANDBOX_BLUESKY,
      });
      connectors.push({ handles: bsky.handles, connector: bsky.connector });
    }
    if (config.x !== null) {
      const x = config.x;
      const brand = await ensureBrand(store, x.brand);
      for (const a of x.accounts) await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: a.handle, externalId: a.externalId });
      const connector = createXConnector({
        name: 'X',
        baseUrl: x.apiUrl,
        bearerToken: x.bearerToken,
        accounts: x.accounts,
        onStatus,
        cursorStore: keyValueCursorStore(store, 'x:stream:X', () => pipeline.flush()),
      });
      connectors.push({ connector, handles: new Set(x.accounts.map((a) => a.handle.toLowerCase())) });
    }
    if (config.bluesky !== null) connectors.push(await connectBluesky({ config: config.bluesky, store, pipeline, bus, onStatus, log }));
    if (config.mastodon !== null) connectors.push(await connectMastodon({ config: config.mastodon, store, pipeline, onStatus, log }));

    const health = () => connectors.map((c) => c.connector.health());
    const connectorFor = (network: Network, handle: string) =>
      connectors.find((c) => c.connector.network === network && c.handles.has(handle.replace(/^@/, '').toLowerCase()))?.connector ?? null;

    const outbox = new OutboxDispatcher({ store, bus, connectorFor, log });
    cleanups.push(() => outbox.stop());

    const server = await buildServer({
      store,
      bus,
      health,
      onReplyQueued: () => outbox.wake(),
      webDist: config.webDist,
      secureCookies: config.secureCookies,
      logger: false,
    });
    cleanups.push(() => server.close());
    await server.listen({ port: config.port, host: config.host });
    const address = server.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;

    await outbox.start();
    // Expired sessions are refused at sign-in already; sweeping them keeps the table from growing for ever.
    await store.deleteExpiredSessions(Date.now());
    const sweep = setInterval(() => void store.deleteExpiredSessions(Date.now()).catch(() => {}), 60 * 60_000);
    sweep.unref();
    cleanups.push(async () => clearInterval(sweep));
    for (const { connector } of connectors) {
      await connector.start((raw) => pipeline.push(raw));
      cleanups.push(() => connector.stop());
    }

    log(`Earshot is listening on ${url}`);
    log(`  store: ${config.databaseFile}`);
    if (sandbox) log(`  network: built-in sandbox (${config.sandboxRatePerMinute} mentions/min; set EARSHOT_X_*, EARSHOT_BLUESKY_* or EARSHOT_MASTODON_* to listen to real networks)`);
    if (sandboxBluesky) log(`  network: sandbox Bluesky as @${sandboxBluesky.handle} (${config.sandboxRatePerMinute / 2} posts/min)`);
    if (config.bluesky) log(`  network: Bluesky as @${config.bluesky.handle}`);
    if (config.mastodon) log(`  network: Mastodon at ${config.mastodon.instanceUrl}`);
    if (config.x) log(`  network: X as ${config.x.accounts.map((a) => `@${a.handle}`).join(', ') || '(no answering accounts)'}`);

    return { url, port, config, store, sandbox, sandboxBluesky, health, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
