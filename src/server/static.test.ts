import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from './headers.js';
import { call, startFixture, type Fixture } from './test-fixture.js';

function rawGet(base: string, rawPath: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-1234.js"></script></head><body><div id="root"></div></body></html>';

describe('the desk, built', () => {
  let dist: string;
  let f: Fixture;
  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'earshot-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), INDEX);
    writeFileSync(path.join(dist, 'assets', 'app-1234.js'), 'console.log("desk")');
    f = await startFixture({ webDist: dist });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / with the CSP and security headers, not cached', async () => {
    const r = await fetch(`${f.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await r.text()).toBe(INDEX);
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('same-origin');
    expect(r.headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for desk routes such as /c/12', async () => {
    for (const p of ['/c/12', '/queue/new?x=1', '/deep/er/path']) {
      const r = await fetch(`${f.url}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await r.text()).toBe(INDEX);
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('serves hashed assets as immutable; a missing file is a 404, not the page', async () => {
    const js = await fetch(`${f.url}/assets/app-1234.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const missing = await call(f.url, 'GET', '/assets/app-0000.js');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });

  it('never serves files outside the folder', async () => {
    // Raw paths: fetch would normalise the dots away before sending.
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/../../package.json']) {
      const { status, text } = await rawGet(f.url, p);
      expect(text, p).not.toContain('"dependencies"');
      expect([200, 400, 403, 404], p).toContain(status);
    }
  });

  it('keeps /api in JSON: unknown routes are 404 JSON, not the page', async () => {
    const r = await call(f.url, 'GET', '/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    expect((await call(f.url, 'GET', '/api/health')).body.status).toBe('ok');
  });
});

describe('the desk, not built', () => {
  it('answers 503 JSON with a hint at / and desk routes; the API still works', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'earshot-dist-empty-'));
    const f = await startFixture({ webDist: dist });
    try {
      for (const p of ['/', '/c/12']) {
        const r = await call(f.url, 'GET', p);
        expect(r.status, p).toBe(503);
        expect(r.body.code).toBe('unavailable');
        expect(r.body.message).toContain('npm run build:web');
      }
      expect((await call(f.url, 'GET', '/api/health')).status).toBe(200);
    } finally {
      await f.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
