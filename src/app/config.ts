/**
 * Configuration, read and validated in one place. Step one turns the environment into a typed Config (or a
 * ConfigError naming the variable); step two (earshot.ts) builds the app from it. Nothing else reads process.env.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

export interface XAccountConfig {
  handle: string;
  externalId: string | null;
  userToken: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The SQLite file of the embedded store. */
  databaseFile: string;
  adminEmail: string;
  /** null: generate one at first start and print it once. */
  adminPassword: string | null;
  /** Run the built-in sandbox network (default: when no network credentials are configured). */
  sandbox: boolean;
  sandboxRatePerMinute: number;
  sandboxSeed: number | null;
  sandboxIncidentEveryMs: number;
  x: { apiUrl: string; bearerToken: string; brand: string; accounts: XAccountConfig[] } | null;
  /** The brand's Bluesky account: Jetstream in, its PDS out (app password, never the account password). */
  bluesky: { handle: string; appPassword: string; brand: string; jetstreamUrl: string; pdsUrl: string; appViewUrl: string } | null;
  /** The brand's Mastodon account: the access token's notifications (mentions) and the configured hashtags. */
  mastodon: { instanceUrl: string; accessToken: string; brand: string | null; hashtags: string[]; streamingUrl: string | null } | null;
  secureCookies: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Directory of the built desk. */
  webDist: string;
}

/** Every variable Earshot reads, its default and what it does. The README's table is this list. */
export const ENVIRONMENT: ReadonlyArray<{ name: string; default: string; does: string }> = [
  { name: 'PORT', default: '4600', does: 'HTTP port of the desk and the API.' },
  { name: 'HOST', default: 'localhost', does: 'Interface to listen on; `0.0.0.0` to accept other machines.' },
  { name: 'EARSHOT_DATA_DIR', default: './data', does: 'Where the SQLite database (`earshot.db`) and backups live.' },
  { name: 'EARSHOT_ADMIN_EMAIL', default: 'admin@earshot.local', does: 'Email of the first admin, created at first start.' },
  {
    name: 'EARSHOT_ADMIN_PASSWORD',
    default: '(generated)',
    does: 'Password of the first admin. When unset, a random one is generated and printed once at first start.',
  },
  { name: 'EARSHOT_SANDBOX', default: 'auto', does: "`on`, `off` or `auto`: run the built-in sandbox network (auto = when no network's credentials are set)." },
  { name: 'EARSHOT_SANDBOX_RATE', default: '30', does: 'Sandbox mentions per minute (0 = only replies and incidents).' },
  { name: 'EARSHOT_SANDBOX_SEED', default: '(random)', does: 'Seed of the sandbox traffic, for a repeatable demo.' },
  { name: 'EARSHOT_SANDBOX_INCIDENT_MINUTES', default: '20', does: 'Mean minutes between sandbox outage bursts (0 = none).' },
  { name: 'EARSHOT_X_BEARER_TOKEN', default: '(unset)', does: "App-only bearer token of the brand's X developer app (filtered stream)." },
  {
    name: 'EARSHOT_X_ACCOUNTS',
    default: '(unset)',
    does: 'Brand accounts that answer on X: `handle:userId:userToken`, comma-separated (OAuth 2.0 user-context tokens).',
  },
  { name: 'EARSHOT_X_BRAND', default: 'first account handle', does: 'Brand name the X accounts belong to.' },
  { name: 'EARSHOT_X_API_URL', default: 'https://api.x.com', does: 'Base URL of the X API.' },
  { name: 'EARSHOT_BLUESKY_HANDLE', default: '(unset)', does: "The brand's Bluesky handle (e.g. `acme.bsky.social`); turns the Bluesky connector on." },
  { name: 'EARSHOT_BLUESKY_APP_PASSWORD', default: '(unset)', does: 'An app password of that account (Settings → Privacy and security → App passwords); required with the handle.' },
  { name: 'EARSHOT_BLUESKY_BRAND', default: 'the handle', does: 'Brand name the Bluesky account belongs to.' },
  { name: 'EARSHOT_BLUESKY_JETSTREAM_URL', default: 'wss://jetstream2.us-east.bsky.network', does: 'Jetstream instance to listen on.' },
  { name: 'EARSHOT_BLUESKY_PDS_URL', default: 'https://bsky.social', does: "The account's PDS, for signing in and posting replies." },
  { name: 'EARSHOT_BLUESKY_APPVIEW_URL', default: 'https://public.api.bsky.app', does: "Public AppView asked for customers' handles (Jetstream carries only DIDs)." },
  { name: 'EARSHOT_MASTODON_URL', default: '(unset)', does: "The brand account's Mastodon instance, e.g. `https://mastodon.social`; with the token, turns the Mastodon connector on." },
  {
    name: 'EARSHOT_MASTODON_ACCESS_TOKEN',
    default: '(unset)',
    does: 'Access token of the brand account (Preferences → Development → New application; scopes read:notifications read:statuses write:statuses).',
  },
  { name: 'EARSHOT_MASTODON_BRAND', default: "the account's acct", does: 'Brand name the Mastodon account belongs to.' },
  { name: 'EARSHOT_MASTODON_HASHTAGS', default: '(none)', does: 'Hashtags to listen to as well, comma-separated (`#` optional).' },
  { name: 'EARSHOT_MASTODON_STREAMING_URL', default: 'the instance URL', does: 'Streaming server, when the instance serves it elsewhere.' },
  { name: 'EARSHOT_SECURE_COOKIES', default: 'false', does: 'Mark the session cookie Secure; set `true` when served over HTTPS.' },
  { name: 'EARSHOT_LOG_LEVEL', default: 'info', does: '`debug`, `info`, `warn`, `error` or `silent`.' },
  { name: 'DATABASE_URL', default: '(unset)', does: 'PostgreSQL store (not available yet: the embedded SQLite store is used).' },
  { name: 'NATS_URL', default: '(unset)', does: 'NATS JetStream bus (not available yet: the in-process bus is used).' },
];

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const schema = z.object({
  PORT: int(0, 65535).default(4600),
  HOST: z.string().min(1).default('localhost'),
  EARSHOT_DATA_DIR: z.string().min(1).default('./data'),
  EARSHOT_ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email('must be an email address')).default('admin@earshot.local'),
  EARSHOT_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(200).optional(),
  EARSHOT_SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  EARSHOT_SANDBOX_RATE: int(0, 600_000).default(30),
  EARSHOT_SANDBOX_SEED: int(0, 2 ** 31).optional(),
  EARSHOT_SANDBOX_INCIDENT_MINUTES: int(0, 100_000).default(20),
  EARSHOT_X_BEARER_TOKEN: z.string().min(1).optional(),
  EARSHOT_X_ACCOUNTS: z.string().optional(),
  EARSHOT_X_BRAND: z.string().min(1).optional(),
  EARSHOT_X_API_URL: z.url('must be a URL').default('https://api.x.com'),
  EARSHOT_BLUESKY_HANDLE: z
    .string()
    .trim()
    .regex(/^@?[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$/, 'must be a Bluesky handle like acme.bsky.social')
    .optional(),
  EARSHOT_BLUESKY_APP_PASSWORD: z.string().min(1).optional(),
  EARSHOT_BLUESKY_BRAND: z.string().min(1).optional(),
  EARSHOT_BLUESKY_JETSTREAM_URL: z.url('must be a URL').default('wss://jetstream2.us-east.bsky.network'),
  EARSHOT_BLUESKY_PDS_URL: z.url('must be a URL').default('https://bsky.social'),
  EARSHOT_BLUESKY_APPVIEW_URL: z.url('must be a URL').default('https://public.api.bsky.app'),
  EARSHOT_MASTODON_URL: z.url('must be a URL').optional(),
  EARSHOT_MASTODON_ACCESS_TOKEN: z.string().trim().min(1).optional(),
  EARSHOT_MASTODON_BRAND: z.string().min(1).optional(),
  EARSHOT_MASTODON_HASHTAGS: z.string().optional(),
  EARSHOT_MASTODON_STREAMING_URL: z.url('must be a URL').optional(),
  EARSHOT_SECURE_COOKIES: bool.default(false),
  EARSHOT_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  DATABASE_URL: z.string().optional(),
  NATS_URL: z.string().optional(),
});

function parseXAccounts(raw: string): XAccountConfig[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const [handle, id, ...token] = entry.split(':');
      const userToken = token.join(':');
      if (!handle || !userToken) throw new ConfigError('EARSHOT_X_ACCOUNTS', `"${entry.slice(0, 40)}" is not handle:userId:userToken`);
      return { handle: handle.replace(/^@/, ''), externalId: id ? id : null, userToken };
    });
}

/** Empty strings count as unset, as shells and .env files often leave them. */
function clean(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

export function loadConfig(env: Record<string, string | undefined>, opts: { cwd?: string; webDist?: string } = {}): Config {
  const parsed = schema.safeParse(clean(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  const e = parsed.data;
  if (e.DATABASE_URL !== undefined) {
    throw new ConfigError('DATABASE_URL', 'the PostgreSQL store is not available in this version; unset it to use the embedded SQLite store');
  }
  if (e.NATS_URL !== undefined) {
    throw new ConfigError('NATS_URL', 'the NATS JetStream bus is not available in this version; unset it to use the in-process bus');
  }
  const accounts = e.EARSHOT_X_ACCOUNTS === undefined ? [] : parseXAccounts(e.EARSHOT_X_ACCOUNTS);
  if (accounts.length > 0 && e.EARSHOT_X_BEARER_TOKEN === undefined) {
    throw new ConfigError('EARSHOT_X_BEARER_TOKEN', 'is required when EARSHOT_X_ACCOUNTS is set');
  }
  const x =
    e.EARSHOT_X_BEARER_TOKEN === undefined
      ? null
      : { apiUrl: e.EARSHOT_X_API_URL.replace(/\/+$/, ''), bearerToken: e.EARSHOT_X_BEARER_TOKEN, brand: e.EARSHOT_X_BRAND ?? accounts[0]?.handle ?? 'brand', accounts };
  if (e.EARSHOT_BLUESKY_HANDLE !== undefined && e.EARSHOT_BLUESKY_APP_PASSWORD === undefined) {
    throw new ConfigError('EARSHOT_BLUESKY_APP_PASSWORD', 'is required when EARSHOT_BLUESKY_HANDLE is set');
  }
  const blueskyHandle = e.EARSHOT_BLUESKY_HANDLE?.replace(/^@/, '').toLowerCase();
  const bluesky =
    blueskyHandle === undefined || e.EARSHOT_BLUESKY_APP_PASSWORD === undefined
      ? null
      : {
          handle: blueskyHandle,
          appPassword: e.EARSHOT_BLUESKY_APP_PASSWORD,
          brand: e.EARSHOT_BLUESKY_BRAND ?? blueskyHandle,
          jetstreamUrl: e.EARSHOT_BLUESKY_JETSTREAM_URL.replace(/\/+$/, ''),
          pdsUrl: e.EARSHOT_BLUESKY_PDS_URL.replace(/\/+$/, ''),
          appViewUrl: e.EARSHOT_BLUESKY_APPVIEW_URL.replace(/\/+$/, ''),
        };
  if (e.EARSHOT_MASTODON_URL !== undefined && e.EARSHOT_MASTODON_ACCESS_TOKEN === undefined) {
    throw new ConfigError('EARSHOT_MASTODON_ACCESS_TOKEN', 'is required when EARSHOT_MASTODON_URL is set');
  }
  if (e.EARSHOT_MASTODON_ACCESS_TOKEN !== undefined && e.EARSHOT_MASTODON_URL === undefined) {
    throw new ConfigError('EARSHOT_MASTODON_URL', 'is required when EARSHOT_MASTODON_ACCESS_TOKEN is set');
  }
  const hashtags = (e.EARSHOT_MASTODON_HASHTAGS ?? '')
    .split(',')
    .map((t) => t.trim().replace(/^#/, ''))
    .filter((t) => t !== '');
  for (const t of hashtags) {
    if (!/^[\p{L}\p{N}_]+$/u.test(t)) throw new ConfigError('EARSHOT_MASTODON_HASHTAGS', `"${t.slice(0, 40)}" is not a hashtag (letters, digits and _ only)`);
  }
  const mastodon =
    e.EARSHOT_MASTODON_URL === undefined || e.EARSHOT_MASTODON_ACCESS_TOKEN === undefined
      ? null
      : {
          instanceUrl: e.EARSHOT_MASTODON_URL.replace(/\/+$/, ''),
          accessToken: e.EARSHOT_MASTODON_ACCESS_TOKEN,
          brand: e.EARSHOT_MASTODON_BRAND ?? null,
          hashtags,
          streamingUrl: e.EARSHOT_MASTODON_STREAMING_URL?.replace(/\/+$/, '') ?? null,
        };
  const dataDir = path.resolve(opts.cwd ?? process.cwd(), e.EARSHOT_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseFile: path.join(dataDir, 'earshot.db'),
    adminEmail: e.EARSHOT_ADMIN_EMAIL,
    adminPassword: e.EARSHOT_ADMIN_PASSWORD ?? null,
    sandbox: e.EARSHOT_SANDBOX === 'on' || (e.EARSHOT_SANDBOX === 'auto' && x === null && bluesky === null && mastodon === null),
    sandboxRatePerMinute: e.EARSHOT_SANDBOX_RATE,
    sandboxSeed: e.EARSHOT_SANDBOX_SEED ?? null,
    sandboxIncidentEveryMs: e.EARSHOT_SANDBOX_INCIDENT_MINUTES * 60_000,
    x,
    bluesky,
    mastodon,
    secureCookies: e.EARSHOT_SECURE_COOKIES,
    logLevel: e.EARSHOT_LOG_LEVEL,
    webDist: opts.webDist ?? fileURLToPath(new URL('../../web/dist', import.meta.url)),
  };
}
