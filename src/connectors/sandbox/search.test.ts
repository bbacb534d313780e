import { afterEach, describe, expect, it } from 'vitest';
import { keywordQuery, listeningQuery } from '../x/backfill.js';
import { listeningTerms } from './brands.js';
import { startSandbox, type Sandbox } from './server.js';

let sb: Sandbox | null = null;
afterEach(async () => {
  await sb?.close();
  sb = null;
});

interface Page {
  data?: Array<{ id: string; text: string }>;
  includes?: { users?: unknown[] };
  meta: { result_count: number; newest_id?: string; oldest_id?: string; next_token?: string };
}

const search = async (s: Sandbox, params: Record<string, string>): Promise<{ status: number; page: Page; headers: Headers }> => {
  const res = await fetch(`${s.url}/2/tweets/search/recent?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${s.bearerToken}` } });
  return { status: res.status, page: (await res.json()) as Page, headers: res.headers };
};

describe('sandbox recent search', () => {
  it('finds posts made while no stream client was connected: since_id, next_token pages, the listening query', async () => {
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, seed: 5 });
    const s = sb;
    const [before] = s.emitNow(1);
    const gap = s.emitNow(150); // no stream connection at all
    const query = listeningQuery(
      s.brands.map((b) => b.handle),
      keywordQuery(s.brands.flatMap(listeningTerms)),
    );
    const ids: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const { status, page } = await search(s, { query, since_id: before ?? '', max_results: '100', ...(next ? { next_token: next } : {}) });
      expect(status).toBe(200);
      pages++;
      for (const t of page.data ?? []) ids.push(t.id);
      expect(page.includes?.users?.length).toBeGreaterThan(0);
      next = page.meta.next_token;
    } while (next && pages < 10);
    expect(pages).toBe(2);
    expect(new Set(ids).size).toBe(ids.length); // pages do not overlap
    for (const id of gap) expect(ids).toContain(id);
    expect(ids).not.toContain(before);
    // Newest first, as on X.
    expect([...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1))).toEqual(ids);
  });

  it('answers 429 with x-rate-limit-reset when told to, and 400 for a bad since_id', async () => {
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, seed: 5 });
    sb.rateLimitSearch(60_000);
    const limited = await search(sb, { query: '@forkful' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    sb.rateLimitSearch(0);
    expect((await search(sb, { query: '@forkful', since_id: 'abc' })).status).toBe(400);
    expect((await search(sb, { query: '@forkful' })).page.meta.result_count).toBeGreaterThanOrEqual(0);
  });
});
