import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { ENVIRONMENT, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults: port 4600, ./data, the sandbox, a generated admin password', () => {
    const c = loadConfig({}, { cwd: '/srv/earshot' });
    expect(c).toMatchObject({
      port: 4600,
      host: 'localhost',
      dataDir: '/srv/earshot/data',
      databaseFile: '/srv/earshot/data/earshot.db',
      adminEmail: 'admin@earshot.local',
      adminPassword: null,
      sandbox: true,
      sandboxRatePerMinute: 30,
      x: null,
      secureCookies: false,
    });
  });

  it('turns the sandbox off by itself when X credentials are given', () => {
    const c = loadConfig({ EARSHOT_X_BEARER_TOKEN: 'app-token', EARSHOT_X_ACCOUNTS: '@acme:123:user-token:with-colon' });
    expect(c.sandbox).toBe(false);
    expect(c.x).toEqual({ apiUrl: 'https://api.x.com', bearerToken: 'app-token', brand: 'acme', accounts: [{ handle: 'acme', externalId: '123', userToken: 'user-token:with-colon' }] });
    expect(loadConfig({ EARSHOT_X_BEARER_TOKEN: 't', EARSHOT_SANDBOX: 'on' }).sandbox).toBe(true);
  });

  it('turns the Bluesky connector on with a handle and an app password, and the sandbox off', () => {
    const c = loadConfig({ EARSHOT_BLUESKY_HANDLE: '@Acme.bsky.social', EARSHOT_BLUESKY_APP_PASSWORD: 'abcd-efgh-ijkl-mnop' });
    expect(c.sandbox).toBe(false);
    expect(c.bluesky).toEqual({
      handle: 'acme.bsky.social',
      appPassword: 'abcd-efgh-ijkl-mnop',
      brand: 'acme.bsky.social',
      jetstreamUrl: 'wss://jetstream2.us-east.bsky.network',
      pdsUrl: 'https://bsky.social',
      appViewUrl: 'https://public.api.bsky.app',
    });
    expect(loadConfig({}).bluesky).toBeNull();
  });

  it('turns the Mastodon connector on with an instance and a token, hashtags optional', () => {
    const c = loadConfig({ EARSHOT_MASTODON_URL: 'https://mastodon.social/', EARSHOT_MASTODON_ACCESS_TOKEN: 'tok', EARSHOT_MASTODON_HASHTAGS: '#acme, acmehelp' });
    expect(c.sandbox).toBe(false);
    expect(c.mastodon).toEqual({ instanceUrl: 'https://mastodon.social', accessToken: 'tok', brand: null, hashtags: ['acme', 'acmehelp'], streamingUrl: null });
    expect(loadConfig({}).mastodon).toBeNull();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ EARSHOT_ADMIN_EMAIL: 'not-an-email' }, 'EARSHOT_ADMIN_EMAIL'],
    [{ EARSHOT_ADMIN_PASSWORD: 'short' }, 'EARSHOT_ADMIN_PASSWORD'],
    [{ EARSHOT_SANDBOX: 'maybe' }, 'EARSHOT_SANDBOX'],
    [{ EARSHOT_X_ACCOUNTS: 'acme:1:tok' }, 'EARSHOT_X_BEARER_TOKEN'],
    [{ EARSHOT_X_BEARER_TOKEN: 't', EARSHOT_X_ACCOUNTS: 'justahandle' }, 'EARSHOT_X_ACCOUNTS'],
    [{ DATABASE_URL: 'postgres://localhost/test' }, 'DATABASE_URL'],
    [{ EARSHOT_BLUESKY_HANDLE: 'acme.bsky.social' }, 'EARSHOT_BLUESKY_APP_PASSWORD'],
    [{ EARSHOT_BLUESKY_HANDLE: 'not a handle', EARSHOT_BLUESKY_APP_PASSWORD: 'x' }, 'EARSHOT_BLUESKY_HANDLE'],
    [{ EARSHOT_BLUESKY_JETSTREAM_URL: 'jetstream' }, 'EARSHOT_BLUESKY_JETSTREAM_URL'],
    [{ EARSHOT_MASTODON_URL: 'https://mastodon.social' }, 'EARSHOT_MASTODON_ACCESS_TOKEN'],
    [{ EARSHOT_MASTODON_ACCESS_TOKEN: 'tok' }, 'EARSHOT_MASTODON_URL'],
    [{ EARSHOT_MASTODON_URL: 'https://m.example', EARSHOT_MASTODON_ACCESS_TOKEN: 'tok', EARSHOT_MASTODON_HASHTAGS: 'acme, not a tag' }, 'EARSHOT_MASTODON_HASHTAGS'],
  ])('rejects %j naming %s', (env, variable) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', EARSHOT_ADMIN_PASSWORD: '  ' }).port).toBe(4600);
  });

  it('documents every variable in the README configuration table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const v of ENVIRONMENT) expect(readme, `README lacks ${v.name}`).toContain(`| \`${v.name}\` | ${v.default} |`);
  });
});
