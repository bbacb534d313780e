/**
 * X's documented reconnect rules for the filtered stream, as a pure policy so that schedules can be tested
 * without waiting: network errors back off linearly, HTTP errors exponentially, HTTP 429 exponentially from a
 * minute. A connection that delivered data resets everything.
 */

/** Time source and timers, injectable so tests can use a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** `network`: TCP/IP errors, stalls, a stream the server closed. `http`: status >= 400 except 429. */
export type FailureKind = 'network' | 'http' | 'rate_limit';

export const NETWORK_START_MS = 250;
export const NETWORK_STEP_MS = 250;
export const NETWORK_MAX_MS = 16_000;
export const HTTP_START_MS = 5_000;
export const HTTP_MAX_MS = 320_000;
export const RATE_LIMIT_START_MS = 60_000;
/** X documents no ceiling for 429; 16 minutes covers a full 15-minute rate-limit window. */
export const RATE_LIMIT_MAX_MS = 960_000;

/** Delay before the `n`-th consecutive retry (n >= 1) after failures of one kind. */
export function backoffDelay(kind: FailureKind, n: number): number {
  const i = Math.max(1, Math.floor(n));
  switch (kind) {
    case 'network':
      return Math.min(NETWORK_START_MS + NETWORK_STEP_MS * (i - 1), NETWORK_MAX_MS);
    case 'http':
      return Math.min(HTTP_START_MS * 2 ** (i - 1), HTTP_MAX_MS);
    case 'rate_limit':
      return Math.min(RATE_LIMIT_START_MS * 2 ** (i - 1), RATE_LIMIT_MAX_MS);
  }
}

/** Parses `x-rate-limit-reset` (epoch seconds) into epoch ms; null when absent or garbage. */
export function parseRateLimitReset(v: string | null | undefined): number | null {
  if (!v) return null;
  const s = Number(v);
  return Number.isFinite(s) && s > 0 ? s * 1000 : null;
}

/**
 * Consecutive-failure counter per kind. Kinds count separately (X's schedules are independent), and all reset
 * after a connection that delivered data.
 */
export class ReconnectPolicy {
  private counts: Record<FailureKind, number> = { network: 0, http: 0, rate_limit: 0 };

  /** Records a failure and returns how long to wait before reconnecting. */
  next(kind: FailureKind, opts: { now?: number; rateLimitResetAt?: number | null } = {}): number {
    this.counts[kind] += 1;
    const delay = backoffDelay(kind, this.counts[kind]);
    if (kind === 'rate_limit' && opts.rateLimitResetAt != null && opts.now != null) {
      // The reset header says when the window reopens; waiting less would only earn another 429.
      return Math.max(delay, opts.rateLimitResetAt - opts.now);
    }
    return delay;
  }

  /** A connection delivered data: the next failure starts every schedule from the beginning. */
  reset(): void {
    this.counts = { network: 0, http: 0, rate_limit: 0 };
  }

  /** Consecutive failed attempts since the last reset, all kinds together (for health reports). */
  get attempts(): number {
    return this.counts.network + this.counts.http + this.counts.rate_limit;
  }
}
