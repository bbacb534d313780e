import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithSharedData, sharedPath } from '../../testing/shared-data.js';
import { startSandbox, type Sandbox } from './server.js';

let sb: Sandbox | null = null;
afterEach(async () => {
  await sb?.close();
  sb = null;
});

const get = (s: Sandbox, path: string, token = s.bearerToken) => fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** Reads stream lines until `n` JSON lines arrived, then closes the connection. */
async function readLines(res: Response, n: number): Promise<{ lines: string[]; keepAlives: number }> {
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const dec = new TextDecoder();
  let buf = '';
  const lines: string[] = [];
  let keepAlives = 0;
  while (lines.length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (l === '') keepAlives++;
      else lines.push(l);
    }
  }
  await reader.cancel();
  return { lines, keepAlives };
}

describe('sandbox X API', () => {
  it('streams \\r\\n-delimited lines and keep-alives, one connection at a time', async () => {
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, keepAliveMs: 30 });
    const s = sb;
    expect((await get(s, '/2/tweets/search/stream', 'nope')).status).toBe(401);
    const res = await get(s, '/2/tweets/search/stream');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-rate-limit-remaining')).not.toBeNull();
    const second = await get(s, '/2/tweets/search/stream');
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ connection_issue: 'TooManyConnections' });
    setTimeout(() => s.emitNow(3), 100);
    const { lines, keepAlives } = await readLines(res, 3);
    expect(keepAlives).toBeGreaterThan(0);
    const ids = lines.map((l) => (JSON.parse(l) as { data: { id: string } }).data.id);
    expect(ids.every((id) => /^\d{19}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('serves recent search with since_id, tweet lookup and the 404 shape of X', async () => {
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, seed: 2 });
    const ids = sb.emitNow(30);
    const since = ids[9] ?? '';
    const r = await get(sb, `/2/tweets/search/recent?query=${encodeURIComponent('@nimbusmobile OR nimbus OR skylark OR forkful')}&since_id=${since}&max_results=100`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { data: Array<{ id: string }>; includes: { users: unknown[] }; meta: { result_count: number; newest_id: string } };
    expect(body.data.length).toBeGreaterThan(5);
    expect(body.data.every((t) => BigInt(t.id) > BigInt(since))).toBe(true);
    expect(body.meta.result_count).toBe(body.data.length);
    expect(body.includes.users.length).toBeGreaterThan(0);
    const one = (await (await get(sb, `/2/tweets/${ids[0] ?? ''}`)).json()) as { data: { id: string } };
    expect(one.data.id).toBe(ids[0]);
    const missing = (await (await get(sb, '/2/tweets/1234567890123456789')).json()) as { errors: Array<{ title: string }> };
    expect(missing.errors[0]?.title).toBe('Not Found Error');
    sb.setDown(true);
    expect((await get(sb, '/2/tweets/search/recent?query=x')).status).toBe(503);
  });

  it('refuses posts without a user token', async () => {
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0 });
    const res = await fetch(`${sb.url}/2/tweets`, { method: 'POST', headers: { authorization: `Bearer ${sb.bearerToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
    expect(res.status).toBe(403);
  });

  it('emits an outage burst spread over time', async () => {
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, burstSpreadMs: 100, seed: 4 });
    const res = await get(sb, '/2/tweets/search/stream');
    sb.burst('forkful', 25);
    const { lines } = await readLines(res, 25);
    expect(lines).toHaveLength(25);
    const rules = lines.map((l) => (JSON.parse(l) as { matching_rules: Array<{ tag: string }> }).matching_rules[0]?.tag);
    expect(new Set(rules)).toEqual(new Set(['brand:forkful']));
  });
});

type Obj = Record<string, unknown>;
/** Keys of an object, recursively, as `a.b.c` paths (array items merged). */
function shape(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => shape(x, `${prefix}[]`));
  if (v && typeof v === 'object') return Object.entries(v as Obj).flatMap(([k, x]) => [`${prefix}${prefix ? '.' : ''}${k}`, ...shape(x, `${prefix}${prefix ? '.' : ''}${k}`)]);
  return [];
}

describeWithSharedData('sandbox wire format vs recorded X payloads', () => {
  it('uses only field paths that real X v2 tweets and users carry', async () => {
    const dir = sharedPath('api_payloads/x_api_v2/twarc_csv_test_data');
    const real = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl') && f !== 'users.jsonl' && f !== 'counts.jsonl' && f !== 'lists.jsonl')
      .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as { data?: Obj | Obj[]; includes?: { users?: Obj[] } }];
        } catch {
          return []; // the recordings include a deliberately broken stream line
        }
      });
    const realTweetKeys = new Set(real.flatMap((r) => (Array.isArray(r.data) ? r.data : r.data ? [r.data] : []).flatMap((t) => shape(t))));
    const realUserKeys = new Set(real.flatMap((r) => (r.includes?.users ?? []).flatMap((u) => shape(u))));
    expect(realTweetKeys.size).toBeGreaterThan(20);
    sb = await startSandbox({ ratePerMinute: 0, incidentEveryMs: 0, seed: 8 });
    const ids = sb.emitNow(200);
    const r = await get(sb, `/2/tweets/search/recent?query=&since_id=1&max_results=100`);
    const body = (await r.json()) as { data: Obj[]; includes: { users: Obj[] } };
    const ours = new Set(body.data.flatMap((t) => shape(t)));
    const ourUsers = new Set(body.includes.users.flatMap((u) => shape(u)));
    expect([...ours].filter((k) => !realTweetKeys.has(k))).toEqual([]);
    expect([...ourUsers].filter((k) => !realUserKeys.has(k))).toEqual([]);
    expect(ids).toHaveLength(200);
  });
});
