import { describe, expect, it } from 'vitest';
import { ReconnectPolicy, backoffDelay, parseRateLimitReset } from './backoff.js';

const schedule = (p: ReconnectPolicy, kind: 'network' | 'http' | 'rate_limit', n: number) => Array.from({ length: n }, () => p.next(kind));

describe('X reconnect backoff', () => {
  it('network errors: linear from 250 ms by 250 ms, capped at 16 s', () => {
    const s = schedule(new ReconnectPolicy(), 'network', 70);
    expect(s.slice(0, 5)).toEqual([250, 500, 750, 1000, 1250]);
    expect(s[63]).toBe(16_000);
    expect(s[62]).toBe(15_750);
    expect(s[69]).toBe(16_000);
  });

  it('HTTP errors: exponential from 5 s, doubling, capped at 320 s', () => {
    expect(schedule(new ReconnectPolicy(), 'http', 9)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 320_000, 320_000]);
  });

  it('HTTP 429: from 60 s, doubling', () => {
    expect(schedule(new ReconnectPolicy(), 'rate_limit', 4)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(backoffDelay('rate_limit', 50)).toBe(960_000);
  });

  it('429 waits for x-rate-limit-reset when that is later', () => {
    const p = new ReconnectPolicy();
    const now = 1_700_000_000_000;
    expect(p.next('rate_limit', { now, rateLimitResetAt: now + 300_000 })).toBe(300_000);
    expect(p.next('rate_limit', { now, rateLimitResetAt: now + 1_000 })).toBe(120_000);
    expect(parseRateLimitReset('1700000300')).toBe(1_700_000_300_000);
    expect(parseRateLimitReset(null)).toBeNull();
    expect(parseRateLimitReset('soon')).toBeNull();
  });

  it('kinds count separately and a connection that delivered data resets all', () => {
    const p = new ReconnectPolicy();
    p.next('network');
    p.next('network');
    expect(p.next('http')).toBe(5_000);
    expect(p.next('network')).toBe(750);
    expect(p.attempts).toBe(4);
    p.reset();
    expect(p.attempts).toBe(0);
    expect(p.next('network')).toBe(250);
    expect(p.next('http')).toBe(5_000);
  });
});
