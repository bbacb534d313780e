/**
 * DID → handle resolution for Bluesky authors. Jetstream carries DIDs only; the desk wants `@alice.bsky.social`.
 * Lookups go to an AppView (`app.bsky.actor.getProfiles`, 25 actors a call, no auth), batched, with at most one
 * request in flight per DID, an LRU cache with a TTL, negative caching of DIDs that fail (shorter TTLs), and a pause
 * after a 429 until `ratelimit-reset`. Jetstream `identity` events teach handles for free (`learnFromEvent`).
 * Nothing here throws at a caller: a DID that cannot be resolved resolves to null.
 */
import { parseRateLimitReset, systemClock, type Clock } from '../x/backoff.js';
import type { FetchLike } from './publish.js';

export const BLUESKY_APPVIEW_URL = 'https://public.api.bsky.app';
export const GET_PROFILES = 'app.bsky.actor.getProfiles';
/** The AppView's limit for `actors` on getProfiles. */
export const MAX_ACTORS_PER_CALL = 25;
export const DEFAULT_MAX_ENTRIES = 50_000;
export const DEFAULT_TTL_MS = 24 * 60 * 60_000;
/** A DID the AppView answered without (deleted, taken down, not a real account). */
export const DEFAULT_NEGATIVE_TTL_MS = 10 * 60_000;
/** A DID whose lookup failed (5xx, network, bad answer): retried sooner. */
export const DEFAULT_ERROR_TTL_MS = 60_000;
/** Pause after a 429 without a usable `ratelimit-reset`. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;

const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$/;

export interface BlueskyProfile {
  did: string;
  handle: string;
  displayName: string | null;
}

export interface HandleResolverOptions {
  /** Default https://public.api.bsky.app. */
  appViewUrl?: string;
  fetch?: FetchLike;
  /** `now()` drives TTLs and rate-limit pauses; `setTimeout` the batching delay. */
  clock?: Clock;
  maxEntries?: number;
  ttlMs?: number;
  negativeTtlMs?: number;
  errorTtlMs?: number;
  /** How long resolve() waits to gather a batch, default 10 ms. */
  batchDelayMs?: number;
  requestTimeoutMs?: number;
  log?: (msg: string) => void;
}

interface Entry {
  profile: BlueskyProfile | null;
  expiresAt: number;
}

export interface HandleResolverStats {
  requests: number;
  hits: number;
  learned: number;
  failures: number;
  rateLimited: number;
  size: number;
}

export class HandleResolver {
  readonly appViewUrl: string;
  private readonly fetchFn: FetchLike;
  private readonly clock: Clock;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly errorTtlMs: number;
  private readonly batchDelayMs: number;
  private readonly timeoutMs: number;
  /** Insertion order = recency (a hit moves the entry to the end). */
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<BlueskyProfile | null>>();
  /** Waiting for the next batch. */
  private readonly queue = new Map<string, (p: BlueskyProfile | null) => void>();
  private timer: unknown = null;
  private pumping: Promise<void> | null = null;
  private readonly aborts = new Set<AbortController>();
  private stopped = false;
  /** No request before this time (epoch ms) after a 429. */
  private pausedUntil = 0;
  private readonly counters = { requests: 0, hits: 0, learned: 0, failures: 0, rateLimited: 0 };

  constructor(private readonly opts: HandleResolverOptions = {}) {
    this.appViewUrl = (opts.appViewUrl ?? BLUESKY_APPVIEW_URL).replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.clock = opts.clock ?? systemClock;
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.negativeTtlMs = opts.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
    this.errorTtlMs = opts.errorTtlMs ?? DEFAULT_ERROR_TTL_MS;
    this.batchDelayMs = opts.batchDelayMs ?? 10;
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  stats(): HandleResolverStats {
    return { ...this.counters, size: this.cache.size };
  }

  /** Until when lookups are paused after a 429 (epoch ms; 0 = not paused). */
  get rateLimitedUntil(): number {
    return this.pausedUntil > this.clock.now() ? this.pausedUntil : 0;
  }

  /** The cached answer: a profile, null (known not to resolve), or undefined (not cached / expired). */
  peek(did: string): BlueskyProfile | null | undefined {
    const e = this.cache.get(did);
    if (!e) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.cache.delete(did);
      return undefined;
    }
    this.cache.delete(did);
    this.cache.set(did, e);
    return e.profile;
  }

  /** A handle known from elsewhere (a Jetstream identity event); keeps a cached display name. */
  learn(did: string, handle: string, displayName?: string | null): void {
    if (!DID.test(did) || !validHandle(handle)) return;
    const prev = this.cache.get(did)?.profile;
    const name = displayName !== undefined ? displayName : prev?.did === did ? prev.displayName : null;
    this.counters.learned++;
    this.put(did, { did, handle: handle.toLowerCase(), displayName: name }, this.ttlMs);
  }

  /** Feeds a Jetstream event: `identity` events carry did + handle. Anything else is ignored; never throws. */
  learnFromEvent(event: unknown): void {
    if (typeof event !== 'object' || event === null) return;
    const e = event as Record<string, unknown>;
    if (e.kind !== 'identity') return;
    const id = e.identity;
    if (typeof id !== 'object' || id === null) return;
    const { did, handle } = id as Record<string, unknown>;
    if (typeof did === 'string' && typeof handle === 'string') this.learn(did, handle);
  }

  /** The DID's profile, or null when it does not resolve (now). Never rejects. */
  resolve(did: string): Promise<BlueskyProfile | null> {
    const cached = this.peek(did);
    if (cached !== undefined) {
      this.counters.hits++;
      return Promise.resolve(cached);
    }
    const running = this.inflight.get(did);
    if (running) return running;
    if (this.stopped || !DID.test(did)) return Promise.resolve(null);
    // Paused after a 429: answer at once rather than hold the caller; the DID is not cached, so it is retried later.
    if (this.rateLimitedUntil > 0) return Promise.resolve(null);
    const p = new Promise<BlueskyProfile | null>((resolve) => this.queue.set(did, resolve));
    this.inflight.set(did, p);
    void p.finally(() => this.inflight.delete(did));
    this.schedule();
    return p;
  }

  /** Resolves many DIDs (batched); the map holds those that resolved. */
  async resolveMany(dids: Iterable<string>): Promise<Map<string, BlueskyProfile>> {
    const unique = [...new Set(dids)];
    const found = await Promise.all(unique.map((d) => this.resolve(d)));
    const out = new Map<string, BlueskyProfile>();
    found.forEach((p, i) => {
      if (p) out.set(unique[i]!, p);
    });
    return out;
  }

  /** Aborts requests in flight and answers every waiting caller with null. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const a of this.aborts) a.abort();
    this.settle([...this.queue.keys()], () => null);
    await this.pumping?.catch(() => undefined);
  }

  private put(did: string, profile: BlueskyProfile | null, ttl: number): void {
    this.cache.delete(did);
    this.cache.set(did, { profile, expiresAt: this.clock.now() + ttl });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  private settle(dids: string[], value: (did: string) => BlueskyProfile | null): void {
    for (const did of dids) {
      const r = this.queue.get(did);
      this.queue.delete(did);
      r?.(value(did));
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.pumping || this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
        if (this.queue.size > 0) this.schedule();
      });
    }, this.batchDelayMs);
  }

  /** One request at a time, 25 DIDs each, until the queue is empty. */
  private async pump(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      if (this.rateLimitedUntil > 0) {
        this.settle([...this.queue.keys()], () => null);
        return;
      }
      const batch = [...this.queue.keys()].slice(0, MAX_ACTORS_PER_CALL);
      const result = await this.fetchProfiles(batch);
      if (result.kind === 'ok') {
        for (const did of batch) {
          const p = result.profiles.get(did);
          this.put(did, p ?? null, p ? this.ttlMs : this.negativeTtlMs);
        }
        this.settle(batch, (d) => result.profiles.get(d) ?? null);
      } else {
        if (result.kind === 'error') for (const did of batch) this.put(did, null, this.errorTtlMs);
        this.settle(batch, () => null);
      }
    }
  }

  private async fetchProfiles(dids: string[]): Promise<{ kind: 'ok'; profiles: Map<string, BlueskyProfile> } | { kind: 'error' | 'rate_limited' }> {
    const q = dids.map((d) => `actors=${encodeURIComponent(d)}`).join('&');
    const url = `${this.appViewUrl}/xrpc/${GET_PROFILES}?${q}`;
    const ac = new AbortController();
    this.aborts.add(ac);
    const t = setTimeout(() => ac.abort(), this.timeoutMs);
    this.counters.requests++;
    try {
      const res = await this.fetchFn(url, { headers: { accept: 'application/json' }, signal: ac.signal });
      if (res.status === 429) {
        await res.body?.cancel().catch(() => undefined);
        this.counters.rateLimited++;
        const reset = parseRateLimitReset(res.headers.get('ratelimit-reset'));
        const now = this.clock.now();
        this.pausedUntil = reset !== null && reset > now ? reset : now + DEFAULT_RATE_LIMIT_PAUSE_MS;
        this.opts.log?.(`bluesky handles: ${GET_PROFILES} rate-limited until ${new Date(this.pausedUntil).toISOString()}`);
        return { kind: 'rate_limited' };
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        this.counters.failures++;
        this.opts.log?.(`bluesky handles: ${GET_PROFILES} answered HTTP ${res.status}`);
        return { kind: 'error' };
      }
      return { kind: 'ok', profiles: parseProfiles(await res.json(), new Set(dids)) };
    } catch (e) {
      if (this.stopped) return { kind: 'rate_limited' }; // aborted by stop(): cache nothing
      this.counters.failures++;
      this.opts.log?.(`bluesky handles: ${GET_PROFILES} failed: ${e instanceof Error ? e.message : String(e)}`);
      return { kind: 'error' };
    } finally {
      clearTimeout(t);
      this.aborts.delete(ac);
    }
  }
}

/** `{profiles: [{did, handle, displayName?}]}`; entries for DIDs not asked for, or without a usable handle, are dropped. */
export function parseProfiles(body: unknown, asked: Set<string>): Map<string, BlueskyProfile> {
  const out = new Map<string, BlueskyProfile>();
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).profiles : null;
  if (!Array.isArray(list)) return out;
  for (const p of list) {
    if (typeof p !== 'object' || p === null) continue;
    const { did, handle, displayName } = p as Record<string, unknown>;
    if (typeof did !== 'string' || !asked.has(did) || typeof handle !== 'string' || !validHandle(handle)) continue;
    const name = typeof displayName === 'string' && displayName.trim() !== '' ? displayName.trim().slice(0, 200) : null;
    out.set(did, { did, handle: handle.toLowerCase(), displayName: name });
  }
  return out;
}

/** `handle.invalid` is what the AppView shows when a handle does not verify: the DID is better than that. */
function validHandle(h: string): boolean {
  return h.length > 0 && h.length <= 253 && h.includes('.') && !h.startsWith('did:') && h.toLowerCase() !== 'handle.invalid' && /^[A-Za-z0-9.-]+$/.test(h);
}
