import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSandboxBluesky, type SandboxBluesky } from './bluesky.js';

interface Ev {
  did: string;
  time_us: number;
  commit: { rkey: string; cid: string; record: { text: string; facets?: Array<{ features: Array<{ did: string }> }>; reply?: { parent: { uri: string } } } };
}

/** Collects Jetstream messages from `url` until `n` arrived. */
function listen(url: string): { got: Ev[]; ws: WebSocket; waitFor: (n: number) => Promise<void> } {
  const ws = new WebSocket(url);
  const got: Ev[] = [];
  ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString('utf8')) as Ev));
  const waitFor = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  return { got, ws, waitFor };
}

describe('sandbox Bluesky network', () => {
  let sbb: SandboxBluesky | null = null;
  afterEach(async () => {
    await sbb?.close();
    sbb = null;
  });

  it('streams customer posts live, replays them from a cursor, answers getProfiles, and customers answer the brand', async () => {
    sbb = await startSandboxBluesky({ seed: 3, ratePerMinute: 0, replyDelayMs: [10, 20] });
    expect(sbb.handle).toBe('nimbusmobile.bsky.social');
    const a = listen(`${sbb.jetstreamUrl}/subscribe?wantedCollections=app.bsky.feed.post`);
    await new Promise((r) => a.ws.once('open', r));
    sbb.emitNow(30);
    await a.waitFor(30);
    expect(a.got).toHaveLength(30);
    const times = a.got.map((e) => e.time_us);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    // Every post tags the brand: a mention facet on the brand's DID.
    expect(a.got.every((e) => e.commit.record.facets?.[0]?.features[0]?.did === sbb!.did)).toBe(true);

    // A late subscriber with a cursor gets the history from there.
    const b = listen(`${sbb.jetstreamUrl}/subscribe?cursor=${a.got[10]!.time_us}`);
    await b.waitFor(20);
    expect(b.got.map((e) => e.time_us)).toEqual(times.slice(10));
    b.ws.close();

    const first = a.got[0]!;
    const profiles = (await (await fetch(`${sbb.url}/xrpc/app.bsky.actor.getProfiles?actors=${first.did}`)).json()) as { profiles: Array<{ handle: string }> };
    expect(profiles.profiles[0]?.handle).toMatch(/\.bsky\.social$/);

    // The brand replies through the PDS; the customer answers on Jetstream.
    const session = (await (
      await fetch(`${sbb.url}/xrpc/com.atproto.server.createSession`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: sbb.handle, password: sbb.password }) })
    ).json()) as { accessJwt: string };
    const parent = { uri: `at://${first.did}/app.bsky.feed.post/${first.commit.rkey}`, cid: first.commit.cid };
    const created = await fetch(`${sbb.url}/xrpc/com.atproto.repo.createRecord`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.accessJwt}` },
      body: JSON.stringify({ repo: sbb.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text: 'Sorry! DM us?', createdAt: new Date().toISOString(), reply: { root: parent, parent } } }),
    });
    expect(created.status).toBe(200);
    expect(sbb.received.map((r) => r.value.text)).toEqual(['Sorry! DM us?']);
    await a.waitFor(31);
    const answer = a.got[30]!;
    expect(answer.did).toBe(first.did);
    expect(answer.commit.record.reply?.parent.uri).toBe(sbb.received[0]!.uri);
    a.ws.close();
  });

  it('is deterministic per seed', async () => {
    sbb = await startSandboxBluesky({ seed: 5, ratePerMinute: 0 });
    sbb.emitNow(10);
    const one = sbb.fake.events.map((l) => (JSON.parse(l) as Ev).commit.record.text);
    await sbb.close();
    sbb = await startSandboxBluesky({ seed: 5, ratePerMinute: 0 });
    sbb.emitNow(10);
    expect(sbb.fake.events.map((l) => (JSON.parse(l) as Ev).commit.record.text)).toEqual(one);
  });
});
