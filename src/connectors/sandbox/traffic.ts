/**
 * Deterministic generator of brand mentions for the sandbox network: a recurring population of customers,
 * vendors, bots and news outlets, writing from many slotted templates. Same seed, same sequence of drafts.
 * It decides what is said and by whom; the server gives drafts ids, timestamps and X's wire shape.
 */
import { DEFAULT_BRANDS, vocabFor, type BrandVocab, type SandboxBrand } from './brands.js';
import { Rng } from './random.js';

export type Intent = 'complaint' | 'question' | 'request' | 'idea' | 'praise' | 'sales' | 'spam' | 'news' | 'retweet' | 'chatter';

/** Target share of each intent in ordinary traffic (sums to 1). */
export const INTENT_MIX: Record<Intent, number> = {
  complaint: 0.25,
  question: 0.2,
  request: 0.1,
  idea: 0.05,
  praise: 0.1,
  sales: 0.08,
  spam: 0.07,
  news: 0.05,
  retweet: 0.05,
  chatter: 0.05,
};
const INTENTS = Object.keys(INTENT_MIX) as Intent[];

export type UserKind = 'customer' | 'vendor' | 'bot' | 'news';

export interface SandboxUser {
  id: string;
  username: string;
  name: string;
  verified: boolean;
  kind: UserKind;
  followers: number;
  following: number;
  tweets: number;
  listed: number;
  createdAt: string;
}

export interface TweetDraft {
  /** What the author means; `reply` = a customer answering the brand, `incident` = part of an outage burst. */
  intent: Intent | 'reply' | 'incident';
  author: SandboxUser;
  text: string;
  /** Brand the post is about (handle). */
  brand: string;
  /** Whether the brand is tagged with @handle (otherwise named or misspelled, or not at all). */
  tagged: boolean;
  /** t.co link → expanded URL, for `entities.urls`. */
  links: Record<string, string>;
  inReplyTo?: { tweetId: string; userId: string; conversationId: string };
  /** For retweets: the original post, which the server stores (without streaming it) before the retweet. */
  retweetOf?: Omit<TweetDraft, 'retweetOf'>;
}

const FIRST = ['James', 'Olivia', 'Amelia', 'Noah', 'Priya', 'Mohammed', 'Sophie', 'Liam', 'Chloe', 'Jack', 'Aisha', 'Harry', 'Emily', 'Oscar', 'Grace', 'Leo', 'Zara', 'Ethan', 'Freya', 'Tom', 'Ella', 'Kieran', 'Niamh', 'Callum', 'Hannah', 'Ravi', 'Megan', 'Dan', 'Jess', 'Sam', 'Lucy', 'Josh', 'Fatima', 'Rhys', 'Imogen', 'Ben', 'Sian', 'Adam', 'Yusuf', 'Katie', 'Marco', 'Ana', 'Chen', 'Kofi', 'Ines', 'Tomasz', 'Siobhan', 'Dev'];
const LAST = ['Smith', 'Jones', 'Patel', 'Williams', 'Brown', 'Taylor', 'Khan', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Roberts', 'Ahmed', 'Walker', 'Wright', "O'Brien", 'Hughes', 'Green', 'Hall', 'Clarke', 'Murphy', 'Nowak', 'Silva', 'Okafor', 'Campbell', 'Kaur', 'Rossi', 'Byrne', 'Lee', 'Singh'];
const NICK = ['footy', 'gamer', 'mum', 'dad', 'the', 'real', 'itsjust', 'mr', 'miss', 'official', 'not', 'just', 'xo', 'sleepy', 'coffee', 'vinyl', 'cycling'];
const VENDORS = ['GrowthRocket Media', 'SocialBoost Agency', 'LeadGenius', 'CX Cloud Partners', 'BrandLift Digital', 'Followr Pro', 'ReviewStars UK', 'AdScale Labs', 'Chatbotify', 'Influence Hub', 'SEO Ninjas Ltd', 'PixelPerfect Ads'];
const NEWS = ['City Business Daily', 'TechWire UK', 'The Telecoms Report', 'Travel Weekly News', 'Consumer Watch', 'Money Matters', 'Morning Ledger', 'Retail Gazette Now'];
const EMOJI = ['😡', '🙄', '😤', '🤦‍♀️', '🤦', '😭', '💀', '🙃', '😩', '👎'];
const HAPPY = ['🙌', '❤️', '🔥', '👏', '😍', '🙏', '✨', '💯'];
const TIMES = ['since 8am', 'all morning', 'for 3 days now', 'since yesterday', 'for the past hour', 'every evening this week', 'since Monday'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'the weekend', 'last week'];
const PITCHES = ['get 10k real followers', 'cut support costs by 40% with AI', 'boost engagement 300%', 'turn reviews into revenue', 'automate replies 24/7', 'rank #1 on Google'];
const SPAM_DOMAINS = ['free-prizes.win', 'claim-now.xyz', 'bit-gift.top', 'airdrop-drop.io', 'crypto1000x.biz'];
const SITE_DOMAINS = ['growthrocket.io', 'socialboost.agency', 'leadgenius.ai', 'cxcloud.partners', 'brandlift.digital'];
const NEWS_DOMAINS = ['citybusinessdaily.co.uk', 'techwire.uk', 'consumerwatch.org.uk', 'travelweekly.news'];

const T = {
  complaint: [
    '{b} {issue} again. {time}. sort it out {emo}',
    'been on hold for {n} minutes with {b}. {issue} and nobody cares',
    '{b} {issue}!!! {ref}',
    'worst service ever {b}, {issue} {time}',
    'hey {b} why is my {product} not working?? {emo}',
    'third time this month. {issue}. {b} what am I even paying for',
    'honestly {b} is a joke. {issue} in {place}',
    '{issue} in {place} {b} #fail',
    'Day {d} of {issue}. thanks for nothing {b} {emo}',
    '{b} your chat bot just keeps sending me in circles. {issue}',
    'so {b} {issue} and the app just says "try again later" {emo}{emo}',
    '{b} {issue} {ref} please fix this before I switch',
    'never again {b}. {issue}. {time}',
  ],
  question: [
    '{b} does {product} work in {place}?',
    '{b} how do I {action}?',
    'quick q {b}: is {product} included in my plan?',
    'anyone know how to {action} with {b}?',
    '{b} hi, can I {action} online or do I have to call?',
    'does anyone else use {b}? is {product} worth it',
    '{b} how long does it take to {action}?',
    'hi {b}, where do I find my {refName}?',
    '{b} is there a way to {action} in the app?',
  ],
  request: [
    '{b} please {request} {ref}',
    'can someone at {b} DM me? I need you to {request}',
    '{b} I need you to {request} asap',
    '{b} could you {request}? {ref} thanks',
    '{b} still waiting for you to {request}. {ref}',
  ],
  idea: [
    '{b} you should {idea}',
    'idea for {b}: {idea} {hap}',
    'would be great if {b} would {idea}',
    '{b} pls {idea}, would use it every day',
  ],
  praise: [
    'shoutout to {b}, {praise} {hap}',
    '{b} {praise}. thank you!',
    'ngl {b} {product} is actually great {hap}',
    'have to say {b} {praise} {hap}{hap}',
    'credit where due, {b} {praise}',
  ],
  sales: [
    'Hi {b}! We help brands like yours {pitch}. DM us for a free demo {url}',
    '{b} Looking to {pitch}? We can help {url}',
    'Partnership opportunity for {b} – we {pitch}. Let us talk! {url}',
    '{b} your customers deserve better. We {pitch}. Book a call {url}',
  ],
  spam: [
    '{b} 🎁 FREE {product} giveaway!!! claim now {url} #giveaway #free',
    'Win £{n}0 {name} voucher click {url} {url}',
    '{b} {b} follow back 💯💯 {url}',
    'crypto signals 1000x 🚀 {b} #crypto #airdrop {url}',
    '{name} customers: you have been selected 🎉 {url}',
  ],
  news: [
    '{name} {news} {url}',
    'BREAKING: {name} {news} {url}',
    '{name} {news}. Read more: {url}',
    'Analysis: why {name} {news} {url}',
  ],
  chatter: [
    'watching the {name} ad again lol',
    'the {name} jingle is stuck in my head send help',
    'lol {name} ads are everywhere today',
    'my mum just called {name} "the {name} people" 😂',
    'sat at {place} thinking about {name} memes',
    'who does the {name} social media, they are funny',
  ],
} satisfies Partial<Record<Intent, string[]>>;

const REPLY = {
  thanks: ['thanks, that worked! {hap}', 'cheers, sorted now 🙏', 'brilliant thank you', 'ok thanks for getting back to me', 'that did it, thanks {hap}'],
  broken: ['still not working tbh', 'tried that, still {issue} {emo}', "that didn't help. {issue}", 'done all that already. still broken'],
  dm: ["DM'd you", 'sent you a DM with my {refName}', "DM sent, it's {ref}", 'just messaged you'],
  followup: ['ok but how long will that take?', 'will I get compensation for this?', 'and what about the {refName}, is that fine?', 'can I do that in the app or not?'],
};

const INCIDENT = [
  'is {b} down?',
  '{outage} in {place} again {b}',
  'anyone else got {outage}? {b}',
  '{b} {outage} #{tag}Down',
  '{b} is there an outage in {place}? {outage}',
  '{outage} {emo} {b}',
  '{name} down for anyone else? {outage} here in {place}',
  'of course {outage} the ONE day I need it {b}',
];

export interface TrafficOptions {
  seed?: number;
  brands?: SandboxBrand[];
  /** Size of the recurring customer population. */
  customers?: number;
}

export class TrafficGenerator {
  readonly brands: SandboxBrand[];
  readonly users: SandboxUser[];
  readonly brandUsers: Map<string, SandboxUser>;
  private readonly rng: Rng;
  private readonly customers: SandboxUser[];
  private readonly vendors: SandboxUser[];
  private readonly bots: SandboxUser[];
  private readonly outlets: SandboxUser[];
  /** Zipf-like weights: a few customers post often, most rarely; everyone comes back now and then. */
  private readonly customerWeights: number[];

  constructor(opts: TrafficOptions = {}) {
    this.rng = new Rng(opts.seed ?? 1);
    this.brands = opts.brands ?? DEFAULT_BRANDS;
    const used = new Set<string>();
    const n = opts.customers ?? 400;
    this.customers = Array.from({ length: n }, () => this.makeUser('customer', used));
    this.vendors = VENDORS.map((name) => this.makeUser('vendor', used, name));
    this.bots = Array.from({ length: 15 }, () => this.makeUser('bot', used));
    this.outlets = NEWS.map((name) => this.makeUser('news', used, name));
    this.customerWeights = this.customers.map((_, i) => 1 / Math.pow(i + 1, 0.6));
    this.brandUsers = new Map(
      this.brands.map((b) => [
        b.handle.toLowerCase(),
        { id: b.userId, username: b.handle, name: b.name, verified: true, kind: 'customer', followers: 250_000, following: 1200, tweets: 88_000, listed: 900, createdAt: '2010-03-14T09:12:00.000Z' },
      ]),
    );
    this.users = [...this.customers, ...this.vendors, ...this.bots, ...this.outlets];
  }

  /** The next ordinary post (one of the ten intents). */
  next(): TweetDraft {
    const intent = INTENTS[this.rng.weighted(INTENTS.map((i) => INTENT_MIX[i]))] ?? 'chatter';
    const brand = this.rng.pick(this.brands);
    if (intent === 'retweet') {
      const original = this.compose(this.rng.chance(0.5) ? 'news' : 'praise', brand);
      const rter = this.pickCustomer();
      const head = `RT @${original.author.username}: `;
      const body = [...original.text];
      const text = head + (body.length > 140 - head.length ? body.slice(0, 139 - head.length).join('') + '…' : original.text);
      return { intent, author: rter, text, brand: brand.handle, tagged: original.tagged, links: original.links, retweetOf: original };
    }
    return this.compose(intent, brand);
  }

  /** One post of an outage burst at `brandHandle`. */
  incident(brandHandle: string): TweetDraft {
    const brand = this.brandByHandle(brandHandle);
    const v = vocabFor(brand.handle);
    const links: Record<string, string> = {};
    const { ref, tagged } = this.brandRef(brand, v, 0.75);
    const text = this.fill(this.rng.pick(INCIDENT), brand, v, ref, links, { tag: brand.name.replace(/\W/g, '') });
    return { intent: 'incident', author: this.pickCustomer(), text, brand: brand.handle, tagged, links };
  }

  /** The customer's answer to a brand reply: thanks, still broken, DM'd you, or a follow-up question. */
  answerBrand(customer: SandboxUser, brandHandle: string, brandTweet: { tweetId: string; conversationId: string }): TweetDraft {
    const brand = this.brandByHandle(brandHandle);
    const v = vocabFor(brand.handle);
    const kind = (['thanks', 'broken', 'dm', 'followup'] as const)[this.rng.weighted([4, 3, 2, 2])] ?? 'thanks';
    const links: Record<string, string> = {};
    const body = this.fill(this.rng.pick(REPLY[kind]), brand, v, `@${brand.handle}`, links);
    return {
      intent: 'reply',
      author: customer,
      // X prefixes a reply with the handle it answers.
      text: `@${brand.handle} ${body}`,
      brand: brand.handle,
      tagged: true,
      links,
      inReplyTo: { tweetId: brandTweet.tweetId, userId: brand.userId, conversationId: brandTweet.conversationId },
    };
  }

  userById(id: string): SandboxUser | undefined {
    return this.users.find((u) => u.id === id) ?? [...this.brandUsers.values()].find((u) => u.id === id);
  }

  private brandByHandle(handle: string): SandboxBrand {
    const b = this.brands.find((x) => x.handle.toLowerCase() === handle.replace(/^@/, '').toLowerCase());
    if (!b) throw new Error(`unknown sandbox brand @${handle}`);
    return b;
  }

  private compose(intent: Exclude<Intent, 'retweet'>, brand: SandboxBrand): TweetDraft {
    const v = vocabFor(brand.handle);
    const author =
      intent === 'sales' ? this.rng.pick(this.vendors) : intent === 'spam' ? this.rng.pick(this.bots) : intent === 'news' ? this.rng.pick(this.outlets) : this.pickCustomer();
    // Customers often name the brand without tagging it; vendors and bots always tag; news names it.
    const pTag = intent === 'sales' || intent === 'spam' ? 1 : intent === 'news' || intent === 'chatter' ? 0 : 0.7;
    const { ref, tagged } = this.brandRef(brand, v, pTag);
    const links: Record<string, string> = {};
    let text = this.fill(this.rng.pick(T[intent]), brand, v, ref, links);
    if (intent === 'complaint' && this.rng.chance(0.06)) text = text.toUpperCase();
    if (intent === 'complaint' && tagged && this.rng.chance(0.05)) text += ' @Ofcom';
    if ((intent === 'complaint' || intent === 'question') && this.rng.chance(0.12)) text = typo(text, this.rng);
    return { intent, author, text, brand: brand.handle, tagged, links };
  }

  /** How the brand is referred to: `@handle` with probability pTag, else its name or a misspelling. */
  private brandRef(brand: SandboxBrand, v: BrandVocab, pTag: number): { ref: string; tagged: boolean } {
    if (this.rng.chance(pTag)) return { ref: `@${brand.handle}`, tagged: true };
    if (v.misspellings.length && this.rng.chance(0.35)) return { ref: this.rng.pick(v.misspellings), tagged: false };
    return { ref: brand.name, tagged: false };
  }

  private fill(tpl: string, brand: SandboxBrand, v: BrandVocab, ref: string, links: Record<string, string>, extra: Record<string, string> = {}): string {
    const r = this.rng;
    const url = (kind: 'spam' | 'site' | 'news') => {
      const tco = `https://t.co/${r.alnum(10)}`;
      const dom = kind === 'spam' ? r.pick(SPAM_DOMAINS) : kind === 'news' ? r.pick(NEWS_DOMAINS) : r.pick(SITE_DOMAINS);
      links[tco] = `https://${dom}/${kind === 'news' ? brand.handle + '-' + r.alnum(6).toLowerCase() : r.alnum(5).toLowerCase()}`;
      return tco;
    };
    const urlKind: 'spam' | 'site' | 'news' = tpl.includes('{news}') ? 'news' : tpl.includes('{pitch}') ? 'site' : 'spam';
    return tpl.replace(/\{(\w+)\}/g, (_, k: string) => {
      switch (k) {
        case 'b': return ref;
        case 'name': return brand.name;
        case 'issue': return r.pick(v.issues);
        case 'product': return r.pick(v.products);
        case 'action': return r.pick(v.actions);
        case 'request': return r.pick(v.requests);
        case 'idea': return r.pick(v.ideas);
        case 'praise': return r.pick(v.praise);
        case 'news': return r.pick(v.news);
        case 'place': return r.pick(v.places);
        case 'outage': return r.pick(v.outage);
        case 'time': return r.pick(TIMES);
        case 'day': return r.pick(DAYS);
        case 'emo': return r.pick(EMOJI);
        case 'hap': return r.pick(HAPPY);
        case 'pitch': return r.pick(PITCHES);
        case 'n': return String(r.int(2, 9) * 10 + r.int(0, 9));
        case 'd': return String(r.int(2, 12));
        case 'ref': return orderRef(v, r);
        case 'refName': return v.orderRef === 'phone' ? 'account number' : v.orderRef === 'booking' ? 'booking ref' : 'order number';
        case 'url': return url(urlKind);
        default: return extra[k] ?? '';
      }
    });
  }

  private pickCustomer(): SandboxUser {
    return this.customers[this.rng.weighted(this.customerWeights)] ?? this.rng.pick(this.customers);
  }

  private makeUser(kind: UserKind, used: Set<string>, displayName?: string): SandboxUser {
    const r = this.rng;
    let name = displayName ?? `${r.pick(FIRST)} ${r.pick(LAST)}`;
    let username = '';
    for (let tries = 0; tries < 50 && (username === '' || used.has(username.toLowerCase())); tries++) username = handleFor(kind, name, r);
    if (used.has(username.toLowerCase())) username = `${username.slice(0, 10)}${r.digits(4)}`;
    used.add(username.toLowerCase());
    if (kind === 'customer' && r.chance(0.08)) name = `${name.split(' ')[0] ?? name} ${r.pick(['⚽', '🌻', '🏳️‍🌈', '🎮', '☕', '🇬🇧', '🇮🇪', '🎧'])}`;
    if (kind === 'bot') name = r.pick(['Free Gifts 🎁', 'Crypto Signals 🚀', 'Daily Deals', 'Giveaway Queen', 'Airdrop Alerts', 'Follow Train 💯']);
    const followers =
      kind === 'news' ? Math.floor(r.pareto(20_000, 1.2)) : kind === 'bot' ? r.int(0, 40) : kind === 'vendor' ? Math.floor(r.pareto(300, 1.3)) : Math.floor(r.pareto(25, 1.05));
    const capped = Math.min(followers, 3_000_000);
    const verified = kind === 'news' ? r.chance(0.7) : capped > 50_000 ? r.chance(0.6) : r.chance(0.01);
    const year = r.int(2008, 2024);
    const month = String(r.int(1, 12)).padStart(2, '0');
    return {
      id: r.digits(year < 2013 ? r.int(8, 10) : year < 2018 ? 18 : 19),
      username,
      name,
      verified,
      kind,
      followers: capped,
      following: kind === 'bot' ? r.int(2000, 5000) : r.int(20, 1500),
      tweets: r.int(10, 40_000),
      listed: r.int(0, Math.max(1, Math.floor(capped / 200))),
      createdAt: `${year}-${month}-${String(r.int(1, 28)).padStart(2, '0')}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(10, 59))}:${String(r.int(10, 59))}.000Z`,
    };
  }
}

function handleFor(kind: UserKind, name: string, r: Rng): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
  const [first = 'user', last = ''] = name.split(' ');
  let h: string;
  if (kind === 'vendor' || kind === 'news') h = clean(name).slice(0, 15);
  else if (kind === 'bot') h = `${r.pick(['free', 'win', 'deals', 'crypto', 'gift'])}${r.alnum(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  else {
    const style = r.int(0, 5);
    h =
      style === 0 ? `${clean(first)}${clean(last)}`
      : style === 1 ? `${clean(first)}_${clean(last)}${r.int(1, 99)}`
      : style === 2 ? `${clean(first).toLowerCase()}${r.int(80, 2005)}`
      : style === 3 ? `${r.pick(NICK)}${clean(first).toLowerCase()}`
      : style === 4 ? `${clean(first)[0] ?? 'x'}${clean(last).toLowerCase()}_`
      : `${clean(last).toLowerCase()}${clean(first).slice(0, 3).toLowerCase()}${r.int(1, 9)}`;
  }
  return h.slice(0, 15) || `user${r.digits(6)}`;
}

function orderRef(v: BrandVocab, r: Rng): string {
  if (v.orderRef === 'booking') return `booking ref ${r.alnum(6, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789')}`;
  if (v.orderRef === 'phone') return `acc no ${r.digits(8)}`;
  return `order #FK${r.digits(7)}`;
}

/** Swaps two adjacent letters in one longer word: the commonest typo. */
function typo(text: string, r: Rng): string {
  const words = text.split(' ');
  const candidates = words.map((w, i) => ({ w, i })).filter(({ w }) => /^[a-z]{5,}$/.test(w));
  if (candidates.length === 0) return text;
  const { w, i } = r.pick(candidates);
  const j = r.int(1, w.length - 2);
  words[i] = w.slice(0, j) + (w[j + 1] ?? '') + (w[j] ?? '') + w.slice(j + 2);
  return words.join(' ');
}
