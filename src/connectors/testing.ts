/** Connector tests' helpers: waiting for a condition, and a clock that runs every wait faster. */
import type { Clock } from './x/backoff.js';

/** Polls `fn` every 10 ms until it is truthy; throws "timed out waiting for WHAT" after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Real time, but every backoff, stall timeout and rate-limit wait runs `factor` times faster. */
export const fastClock = (factor: number): Clock => ({
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms / factor),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
});
