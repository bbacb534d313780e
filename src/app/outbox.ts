/**
 * The outbox dispatcher: takes replies the desk queued in the store (written there before any network call) and
 * delivers them through the connector of their network, then stores the network's copy of the post in the thread.
 *
 * Errors a retry can fix (network down, 5xx, rate limits) go back to the queue with exponential backoff and jitter,
 * or at the time the network named; errors that will never succeed (the post was refused) fail at once with the
 * reason the desk shows. Within a conversation, replies leave in the order they were written.
 */
import type { Bus, Connector, Network, ReplyRecord, Store } from '../core/index.js';

export interface OutboxOptions {
  store: Store;
  bus: Bus;
  /** The connector that speaks for this brand account on this network. */
  connectorFor(network: Network, accountHandle: string): Connector | null;
  /** How often to look for due replies when nothing woke the dispatcher. */
  pollMs?: number;
  batch?: number;
  now?: () => number;
  random?: () => number;
  log?: (msg: string) => void;
}

const BASE_RETRY_MS = 2_000;
const MAX_RETRY_MS = 10 * 60_000;

/** Attempt n (1-based) waits 2 s, 4 s, 8 s … up to 10 min, each with ±25 % jitter so queued replies don't stampede. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

function describeFailure(err: unknown): { message: string; retryable: boolean; retryAt: number | null } {
  const e = err as { message?: unknown; retryable?: unknown; retryAt?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // Connectors say whether a retry can help; anything else (a socket error, a timeout) is assumed transient.
  const retryable = typeof e?.retryable === 'boolean' ? e.retryable : true;
  const retryAt = typeof e?.retryAt === 'number' ? e.retryAt : null;
  return { message, retryable, retryAt };
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: OutboxOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** Replies left `sending` by a crash go back to the queue (the connector resolves a post that did go out). */
  async start(): Promise<void> {
    this.stopped = false;
    const n = await this.opts.store.requeueStuckReplies(this.now() + 1);
    if (n > 0) this.opts.log?.(`outbox: ${n} repl${n === 1 ? 'y' : 'ies'} interrupted by the last stop queued again`);
    this.schedule(0);
  }

  /** A reply was queued: send it now rather than at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over due replies; exposed for tests. */
  async runOnce(): Promise<number> {
    const { store, bus } = this.opts;
    const due = await store.claimReplies(this.now(), this.opts.batch ?? 20);
    const held = new Map<number, number>(); // conversation → retry time of an earlier reply that failed
    for (const reply of due) {
      const heldUntil = held.get(reply.conversationId);
      if (heldUntil !== undefined) {
        // Keep the order: a later reply waits for the earlier one of its conversation.
        bus.publish(await store.markReplyFailed(reply.id, 'waiting for an earlier reply in this conversation', heldUntil, this.now()));
        continue;
      }
      const retryAt = await this.deliver(reply);
      if (retryAt !== null) held.set(reply.conversationId, retryAt);
    }
    return due.length;
  }

  /** Sends one reply; returns the retry time when it went back to the queue. */
  private async deliver(reply: ReplyRecord): Promise<number | null> {
    const { store, bus } = this.opts;
    const connector = this.opts.connectorFor(reply.network, reply.accountHandle);
    if (connector === null) {
      bus.publish(await store.markReplyFailed(reply.id, `no ${reply.network} connector is configured for @${reply.accountHandle}, so this reply cannot be sent`, null, this.now()));
      return null;
    }
    try {
      const sent = await connector.publish({
        network: reply.network,
        account: { handle: reply.accountHandle, externalId: null },
        text: reply.text,
        inReplyToExternalId: reply.inReplyToExternalId,
        isPrivate: reply.isPrivate,
        idempotencyKey: `earshot-reply-${reply.id}`,
      });
      bus.publish(await store.markReplySent(reply.id, sent, this.now()));
      return null;
    } catch (err) {
      const f = describeFailure(err);
      const retryAt = f.retryable ? Math.max(f.retryAt ?? 0, this.now() + retryDelay(reply.attempts, this.random)) : null;
      bus.publish(await store.markReplyFailed(reply.id, f.message, retryAt, this.now()));
      this.opts.log?.(`outbox: reply ${reply.id} ${retryAt === null ? 'failed' : 'will be retried'}: ${f.message}`);
      return retryAt;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }, ms);
    this.timer.unref?.();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        const n = await this.runOnce();
        // A full batch means more may be due at once.
        if (n >= (this.opts.batch ?? 20)) this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.opts.log?.(`outbox: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.schedule(this.opts.pollMs ?? 1000);
  }
}
