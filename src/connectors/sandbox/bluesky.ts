/**
 * The sandbox's Bluesky network: the fake Jetstream + PDS + AppView (../bluesky/fake-server.ts) in live mode on
 * loopback, fed by the seeded traffic generator for one sandbox brand. Customer posts go out as Jetstream
 * `app.bsky.feed.post` creates (a mention facet on the brand's DID when the customer tags it), customers' handles
 * are answered by getProfiles, and a customer answers the brand's replies (createRecord) the way the X sandbox's do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startFakeBluesky, type FakeBluesky, type FakeRecord } from '../bluesky/fake-server.js';
import { POST_COLLECTION } from '../bluesky/jetstream.js';
import { DEFAULT_BRANDS, type SandboxBrand } from './brands.js';
import { TrafficGenerator, type SandboxUser, type TweetDraft } from './traffic.js';
import { scheduler } from './later.js';

export interface SandboxBlueskyOptions {
  seed?: number;
  /** The brand with a Bluesky account (default: the first sandbox brand). */
  brand?: SandboxBrand;
  /** Customer posts per minute (Poisson arrivals); 0 = only emitNow and answers. */
  ratePerMinute?: number;
  /** Delay range before a customer answers a brand reply. */
  replyDelayMs?: [number, number];
}

export interface SandboxBluesky {
  /** The PDS (and AppView: same port). */
  url: string;
  jetstreamUrl: string;
  appViewUrl: string;
  brand: SandboxBrand;
  /** The brand account: `<brand>.bsky.social`, its DID and app password. */
  handle: string;
  did: string;
  password: string;
  /** Records the brand created through createRecord, in order. */
  readonly received: FakeRecord[];
  /** Emits n customer posts now; returns their at-uris. */
  emitNow(n?: number): string[];
  fake: FakeBluesky;
  close(): Promise<void>;
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function didFor(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  return `did:plc:${Array.from(h.subarray(0, 24), (x) => B32[x % 32]).join('')}`;
}

/** Bluesky handles are DNS names: no underscores. */
function handleFor(username: string): string {
  return `${username.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'user'}.bsky.social`;
}

export async function startSandboxBluesky(opts: SandboxBlueskyOptions = {}): Promise<SandboxBluesky> {
  const brand = opts.brand ?? (DEFAULT_BRANDS[0] as SandboxBrand);
  // Its own seeded stream (seed + 1), so the X sandbox's traffic stays exactly as it was.
  const gen = new TrafficGenerator({ seed: (opts.seed ?? 42) + 1, brands: [brand] });
  const rate = opts.ratePerMinute ?? 15;
  const [replyMin, replyMax] = opts.replyDelayMs ?? [8_000, 45_000];
  const handle = handleFor(brand.handle);
  const did = didFor(`sandbox-brand:${brand.handle}`);
  const password = Array.from({ length: 4 }, () => randomBytes(4).toString('hex').slice(0, 4)).join('-');
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const authors = new Map<string, SandboxUser>();
  let closed = false;
  let lastUs = 0;
  let seq = 0;

  const later = scheduler(timers, () => closed);

  const fake = await startFakeBluesky({
    live: true,
    events: [],
    paceMs: 0,
    handle,
    did,
    password,
    profiles: {},
    onCreate: (rec) => onBrandPost(rec),
  });

  const customerOf = (u: SandboxUser): { did: string; handle: string } => {
    const cdid = didFor(`sandbox-user:${u.id}`);
    if (!fake.profiles.has(cdid)) fake.profiles.set(cdid, { handle: handleFor(u.username), displayName: u.name });
    authors.set(cdid, u);
    return { did: cdid, handle: (fake.profiles.get(cdid) as { handle: string }).handle };
  };

  /** Publishes one post by `author` on Jetstream; returns its at-uri. */
  const publish = (author: SandboxUser, text: string, reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } }): string => {
    const who = customerOf(author);
    lastUs = Math.max(lastUs + 1, Date.now() * 1000);
    seq += 1;
    const rkey = `3l${lastUs.toString(32)}${seq.toString(32)}`.slice(0, 20);
    const record: Record<string, unknown> = { $type: POST_COLLECTION, text, createdAt: new Date(Math.floor(lastUs / 1000)).toISOString(), langs: ['en'] };
    const mention = `@${handle}`;
    const at = text.indexOf(mention);
    if (at >= 0) {
      const byteStart = Buffer.byteLength(text.slice(0, at), 'utf8');
      record.facets = [{ index: { byteStart, byteEnd: byteStart + Buffer.byteLength(mention, 'utf8') }, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] }];
    }
    if (reply) record.reply = reply;
    const cid = `bafyrei${createHash('sha256').update(`${who.did}/${rkey}${text}`).digest('hex').slice(0, 40)}`;
    fake.push(JSON.stringify({ did: who.did, time_us: lastUs, kind: 'commit', commit: { rev: `rev${rkey}`, operation: 'create', collection: POST_COLLECTION, rkey, record, cid } }));
    return `at://${who.did}/${POST_COLLECTION}/${rkey}`;
  };

  /**
   * A customer's post tagging the brand (vendors, bots, outlets, retweets and untagged posts stay on X: the Bluesky
   * connector of an account configured without keywords only hears mentions and replies).
   */
  const nextDraft = (): TweetDraft => {
    for (let i = 0; i < 200; i++) {
      const d = gen.next();
      if (d.author.kind === 'customer' && d.intent !== 'retweet' && d.tagged && d.text.includes(`@${brand.handle}`)) return d;
    }
    return gen.next();
  };

  const emitNow = (n = 1): string[] => {
    const uris: string[] = [];
    for (let i = 0; i < n; i++) {
      const d = nextDraft();
      uris.push(publish(d.author, d.text.split(`@${brand.handle}`).join(`@${handle}`)));
    }
    return uris;
  };

  function onBrandPost(rec: FakeRecord): void {
    const reply = rec.value.reply as { root?: { uri: string; cid: string }; parent?: { uri: string; cid: string } } | undefined;
    const parentDid = reply?.parent?.uri.split('/')[2];
    const customer = parentDid ? authors.get(parentDid) : undefined;
    if (!reply?.root || !customer) return;
    const root = reply.root;
    later(replyMin + Math.floor(Math.random() * Math.max(0, replyMax - replyMin)), () => {
      const d = gen.answerBrand(customer, brand.handle, { tweetId: rec.uri, conversationId: root.uri });
      // X prefixes replies with the handle answered; Bluesky does not.
      const text = d.text.replace(new RegExp(`^@${brand.handle}\\s+`, 'i'), '');
      publish(customer, text, { root, parent: { uri: rec.uri, cid: rec.cid } });
    });
  }

  const schedule = () => {
    if (rate <= 0) return;
    later(Math.max(1, Math.round((-Math.log(1 - Math.random()) * 60_000) / rate)), () => {
      emitNow(1);
      schedule();
    });
  };
  schedule();

  return {
    url: fake.url,
    jetstreamUrl: fake.jetstreamUrl,
    appViewUrl: fake.url,
    brand,
    handle,
    did,
    password,
    get received() {
      return fake.created;
    },
    emitNow,
    fake,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await fake.close();
    },
  };
}
