/**
 * Puts resolved handles into the store. The authors of the Jetstream events that reach the pipeline are noted
 * (`noteRaw`); a little later they are resolved in one go (HandleResolver: cache first, then the AppView), the
 * pipeline is flushed so that their identities exist, and `updateIdentityHandles` replaces the DIDs with handles.
 * Bounded: at most `maxPending` authors wait (others are dropped and come back with their next post), at most
 * `batchSize` are handled per round, one round at a time. Errors are logged, never thrown: ingestion goes on.
 */
import type { EarshotEvent, Network, RawPayload } from '../../core/index.js';
import type { HandleResolver } from './handles.js';

const DID = /^did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}$/;

export interface HandleSyncOptions {
  resolver: HandleResolver;
  store: {
    updateIdentityHandles(network: Network, updates: Array<{ externalId: string; handle: string; displayName: string | null }>): Promise<EarshotEvent[]>;
  };
  /** Runs before each update: the pipeline's flush(), so the identities are in the store. */
  beforeUpdate?: () => Promise<void>;
  /** Where `conversation.updated` events go (the bus), so desks refresh the customer's name. */
  publish?: (events: EarshotEvent[]) => void;
  /** Wait this long after the first noted author before a round, default 200 ms. */
  delayMs?: number;
  batchSize?: number;
  maxPending?: number;
  log?: (msg: string) => void;
}

export class HandleSync {
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly delayMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;
  /** Handles sent to the store so far (diagnostics, tests). */
  submitted = 0;

  constructor(private readonly opts: HandleSyncOptions) {
    this.delayMs = opts.delayMs ?? 200;
    this.batchSize = Math.max(1, opts.batchSize ?? 100);
    this.maxPending = Math.max(1, opts.maxPending ?? 10_000);
  }

  /** The author of a Jetstream event handed to the pipeline. Never throws. */
  noteRaw(raw: RawPayload): void {
    const did = authorDid(raw.data);
    if (did !== null) this.note(did);
  }

  note(did: string): void {
    if (this.stopped || !DID.test(did)) return;
    if (this.pending.size >= this.maxPending && !this.pending.has(did)) return;
    this.pending.add(did);
    this.schedule();
  }

  /** Resolves when nothing is pending or running (tests). */
  async idle(): Promise<void> {
    while ((this.pending.size > 0 || this.running || this.timer) && !this.stopped) {
      await (this.running ?? new Promise((r) => setTimeout(r, this.delayMs)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    await this.running;
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped) return;
    // After a 429 the resolver answers null at once: wait for the pause to end rather than spin.
    const paused = this.opts.resolver.rateLimitedUntil;
    const wait = paused > 0 ? Math.max(this.delayMs, paused - Date.now()) : this.delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.round()
        .catch((e: unknown) => this.opts.log?.(`bluesky handles: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          this.running = null;
          if (this.pending.size > 0) this.schedule();
        });
    }, wait);
    this.timer.unref?.();
  }

  private async round(): Promise<void> {
    const dids = [...this.pending].slice(0, this.batchSize);
    for (const d of dids) this.pending.delete(d);
    const profiles = await this.opts.resolver.resolveMany(dids);
    if (this.stopped) return;
    // Not answered because of a 429 (not cached either way): try again once the pause is over.
    if (this.opts.resolver.rateLimitedUntil > 0) {
      for (const d of dids) if (!profiles.has(d) && this.opts.resolver.peek(d) === undefined && this.pending.size < this.maxPending) this.pending.add(d);
    }
    if (profiles.size === 0) return;
    await this.opts.beforeUpdate?.();
    if (this.stopped) return;
    const updates = [...profiles.values()].map((p) => ({ externalId: p.did, handle: p.handle, displayName: p.displayName }));
    const events = await this.opts.store.updateIdentityHandles('bluesky', updates);
    this.submitted += updates.length;
    if (events.length > 0) this.opts.publish?.(events);
  }
}

/** `did` of a Jetstream commit event (the author); null for anything else. */
export function authorDid(data: RawPayload['data']): string | null {
  let e: unknown = data;
  if (typeof data === 'string') {
    try {
      e = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (typeof e !== 'object' || e === null) return null;
  const r = e as Record<string, unknown>;
  return r.kind === 'commit' && typeof r.did === 'string' ? r.did : null;
}
