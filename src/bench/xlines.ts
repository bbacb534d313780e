/**
 * Generates X API v2 filtered-stream lines in memory, as the stream delivers them to a brand:
 * `{"data":{…tweet},"includes":{"users":[…],"tweets":[…]},"matching_rules":[…]}`.
 *
 * Content comes from the sandbox network's generator (recurring customers with a Zipf-like activity, vendors, bots,
 * news outlets, retweets, misspelled and untagged brand names) and the wire shape from the sandbox's wire module, so
 * the lines look like the recorded payloads under shared/data/api_payloads/x_api_v2. On top of that this adds what a
 * live stream of a brand that answers its customers also carries: the brand's own replies, customers answering them
 * in the same thread, outage bursts, and redelivered lines (a reconnect replays the last few seconds).
 *
 * Deterministic for a seed.
 */
import { DEFAULT_BRANDS, type SandboxBrand } from '../connectors/sandbox/brands.js';
import { Rng } from '../connectors/sandbox/random.js';
import { TrafficGenerator, type SandboxUser, type TweetDraft } from '../connectors/sandbox/traffic.js';
import { SnowflakeIds, wireTweet, wireUser, type WireTweet } from '../connectors/sandbox/wire.js';

export interface XLinesOptions {
  /** Lines to generate, redeliveries included. */
  lines: number;
  seed?: number;
  /** Size of the recurring customer population. */
  customers?: number;
  /** Share of lines that are a redelivery of a recent line. */
  duplicateRate?: number;
  /** Time of the first post (epoch ms). */
  startAt?: number;
}

export interface XLines {
  lines: string[];
  brands: SandboxBrand[];
  /** Distinct posts: what a store should end up holding. */
  unique: number;
  /** Redelivered lines. */
  duplicates: number;
  /** Lines by kind (redeliveries not included). */
  kinds: { mentions: number; retweets: number; incidents: number; brandReplies: number; customerAnswers: number };
  /** UTF-8 size of all lines. */
  bytes: number;
}

const SIGNATURES = ['AB', 'JM', 'KP', 'RT', 'SL', 'DN', 'EW', 'FH'];
const BRAND_REPLY = [
  "Hi {first}, sorry to hear that. Can you DM us your {refName} so we can take a look? ^{sig}",
  "Hey {first}, that's not the experience we want for you. We've sent you a DM to sort this out. ^{sig}",
  'Hi {first}, thanks for flagging. Our team is looking into it now and we will update you here. ^{sig}',
  "Sorry about this {first}. Could you tell us a bit more about what's happening? ^{sig}",
  'Hi {first}, you can do that in the app under Account > Settings. Shout if you get stuck! ^{sig}',
  "Thanks for your patience {first}. This should be fixed now, can you try again and let us know? ^{sig}",
  'Hi {first}, we have passed this on to the right team. Follow the DM we just sent for updates. ^{sig}',
];
const REF_NAME: Record<string, string> = { nimbusmobile: 'account number', skylarkair: 'booking ref', forkful: 'order number' };

/** Intents a brand answers. */
const ANSWERED = new Set(['complaint', 'question', 'request', 'incident']);

interface Posted {
  id: string;
  conversationId: string;
  author: SandboxUser;
  brand: string;
}

type Scheduled = { kind: 'brandReply'; parent: Posted; chain: number } | { kind: 'customerAnswer'; brandPost: Posted; customer: SandboxUser; chain: number };

export function ruleIdFor(brands: readonly SandboxBrand[], handle: string): string {
  const i = Math.max(0, brands.findIndex((b) => b.handle === handle));
  return `15${String(1000000000 + i * 7919).padStart(17, '0')}`;
}

export function generateXLines(opts: XLinesOptions): XLines {
  const total = Math.max(0, Math.floor(opts.lines));
  const seed = opts.seed ?? 7;
  const dupRate = opts.duplicateRate ?? 0.02;
  const gen = new TrafficGenerator({ seed, brands: DEFAULT_BRANDS, customers: opts.customers ?? 3000 });
  const rng = new Rng(seed * 7919 + 17);
  const ids = new SnowflakeIds();
  const everyone = [...gen.users, ...gen.brandUsers.values()];
  const byName = new Map(everyone.map((u) => [u.username.toLowerCase(), u]));
  const brandUser = (handle: string): SandboxUser => {
    const u = gen.brandUsers.get(handle.toLowerCase());
    if (u === undefined) throw new Error(`no brand user @${handle}`);
    return u;
  };
  const userIdByName = (name: string) => byName.get(name.toLowerCase())?.id;
  const wireUsers = new Map<string, ReturnType<typeof wireUser>>();
  const wired = (u: SandboxUser) => {
    let w = wireUsers.get(u.id);
    if (w === undefined) {
      w = wireUser(u);
      wireUsers.set(u.id, w);
    }
    return w;
  };

  const lines: string[] = [];
  const kinds = { mentions: 0, retweets: 0, incidents: 0, brandReplies: 0, customerAnswers: 0 };
  let duplicates = 0;
  let bytes = 0;
  let now = opts.startAt ?? Date.UTC(2026, 2, 2, 8, 0, 0);
  // Follow-ups due at a line index: a brand answers within minutes, the customer a bit later.
  const due = new Map<number, Scheduled[]>();
  const schedule = (at: number, s: Scheduled) => {
    const list = due.get(at);
    if (list) list.push(s);
    else due.set(at, [s]);
  };
  const ready: Scheduled[] = [];
  let incidentLeft = 0;
  let incidentBrand = '';

  const emit = (d: TweetDraft, opt: { replyTo?: Posted; silentOriginal?: WireTweet }): Posted => {
    now += Math.max(1, Math.round(-Math.log(1 - rng.next()) * 900));
    const id = ids.next(now);
    const conversationId = opt.replyTo?.conversationId ?? id;
    const referenced: WireTweet['referenced_tweets'] = opt.replyTo
      ? [{ type: 'replied_to', id: opt.replyTo.id }]
      : opt.silentOriginal
        ? [{ type: 'retweeted', id: opt.silentOriginal.id }]
        : undefined;
    const tweet = wireTweet(d, id, now, { conversationId, inReplyToUserId: opt.replyTo?.author.id, referenced, userIdByName });
    const users = [wired(d.author)];
    if (opt.replyTo && opt.replyTo.author.id !== d.author.id) users.push(wired(opt.replyTo.author));
    const includes: Record<string, unknown> = { users };
    if (opt.silentOriginal) {
      includes.tweets = [opt.silentOriginal];
      const origAuthor = d.retweetOf?.author;
      if (origAuthor && origAuthor.id !== d.author.id) users.push(wired(origAuthor));
    }
    const line = JSON.stringify({ data: tweet, includes, matching_rules: [{ id: ruleIdFor(gen.brands, d.brand), tag: `brand:${d.brand}` }] });
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
    return { id, conversationId, author: d.author, brand: d.brand };
  };

  const brandReply = (parent: Posted, chain: number) => {
    const brand = gen.brands.find((b) => b.handle === parent.brand) ?? gen.brands[0]!;
    const first = (parent.author.name.split(' ')[0] ?? 'there').replace(/[^\p{L}'-]/gu, '') || 'there';
    const text =
      `@${parent.author.username} ` +
      rng.pick(BRAND_REPLY).replace(/\{(\w+)\}/g, (_, k: string) => (k === 'first' ? first : k === 'sig' ? rng.pick(SIGNATURES) : (REF_NAME[brand.handle] ?? 'order number')));
    const d: TweetDraft = { intent: 'reply', author: brandUser(brand.handle), text, brand: brand.handle, tagged: false, links: {} };
    const posted = emit(d, { replyTo: parent });
    kinds.brandReplies++;
    // Most customers answer the brand; some threads go back and forth a few times.
    if (parent.author.kind === 'customer' && chain < 3 && rng.chance(chain === 0 ? 0.6 : 0.35)) {
      schedule(lines.length + rng.int(3, 400), { kind: 'customerAnswer', brandPost: posted, customer: parent.author, chain });
    }
  };

  const customerAnswer = (s: Extract<Scheduled, { kind: 'customerAnswer' }>) => {
    const d = gen.answerBrand(s.customer, s.brandPost.brand, { tweetId: s.brandPost.id, conversationId: s.brandPost.conversationId });
    const posted = emit(d, { replyTo: s.brandPost });
    kinds.customerAnswers++;
    if (rng.chance(0.5)) schedule(lines.length + rng.int(3, 300), { kind: 'brandReply', parent: posted, chain: s.chain + 1 });
  };

  while (lines.length < total) {
    const here = due.get(lines.length);
    if (here) {
      ready.push(...here);
      due.delete(lines.length);
    }
    if (lines.length > 0 && rng.chance(dupRate)) {
      // A reconnect redelivers one of the last few hundred lines, byte for byte.
      const back = Math.min(lines.length, 1 + Math.floor(rng.next() * 300));
      const line = lines[lines.length - back]!;
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
      duplicates++;
      continue;
    }
    const next = ready.shift();
    if (next) {
      if (next.kind === 'brandReply') brandReply(next.parent, next.chain);
      else customerAnswer(next);
      continue;
    }
    if (incidentLeft === 0 && rng.chance(1 / 15_000)) {
      incidentLeft = rng.int(30, 120);
      incidentBrand = rng.pick(gen.brands).handle;
    }
    let d: TweetDraft;
    if (incidentLeft > 0) {
      incidentLeft--;
      d = gen.incident(incidentBrand);
      kinds.incidents++;
    } else {
      d = gen.next();
    }
    let posted: Posted;
    if (d.retweetOf) {
      // The retweeted post was written earlier and is not streamed itself; it comes along in includes.tweets.
      const o = d.retweetOf;
      const oid = ids.next(now);
      const original = wireTweet(o, oid, now - rng.int(60_000, 6 * 3600_000), { conversationId: oid, userIdByName });
      posted = emit(d, { silentOriginal: original });
      kinds.retweets++;
    } else {
      posted = emit(d, {});
      if (d.intent !== 'incident') kinds.mentions++;
    }
    if (ANSWERED.has(d.intent) && posted.author.kind === 'customer' && !d.retweetOf && rng.chance(d.intent === 'incident' ? 0.3 : 0.55)) {
      schedule(lines.length + rng.int(5, 600), { kind: 'brandReply', parent: posted, chain: 0 });
    }
  }
  return { lines, brands: gen.brands, unique: lines.length - duplicates, duplicates, kinds, bytes };
}
