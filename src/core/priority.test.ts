import { describe, expect, it } from 'vitest';
import { historyPoints, queuePriority, waitingPoints, withHistory } from './priority.js';

describe('priority beyond the text', () => {
  it('adds 4 for a returning customer and 6 per earlier unhappy conversation, at most 16', () => {
    expect(historyPoints('complaint', { earlier: 0, unhappy: 0 }).points).toBe(0);
    expect(historyPoints('question', { earlier: 3, unhappy: 0 })).toEqual({ points: 4, reason: 'returning customer: 3 earlier conversations (+4)' });
    expect(historyPoints('complaint', { earlier: 1, unhappy: 1 }).points).toBe(10);
    expect(historyPoints('complaint', { earlier: 5, unhappy: 5 }).points).toBe(16);
    expect(withHistory(95, 'complaint', { earlier: 2, unhappy: 2 }).priority).toBe(100);
  });

  it('never lifts noise', () => {
    for (const intent of ['spam', 'sales_pitch', 'news', 'chatter'] as const) {
      expect(withHistory(5, intent, { earlier: 4, unhappy: 4 })).toEqual({ priority: 5, reason: null });
    }
  });

  it('adds a point per ten minutes waiting, at most 24, and only while the brand owes an answer', () => {
    const now = 1_800_000_000_000;
    expect(waitingPoints(null, now)).toBe(0);
    expect(waitingPoints(now + 5000, now)).toBe(0);
    expect(waitingPoints(now - 9 * 60_000, now)).toBe(0);
    expect(waitingPoints(now - 95 * 60_000, now)).toBe(9);
    expect(waitingPoints(now - 24 * 3_600_000, now)).toBe(24);
    const waiting = { priority: 50, waitingSince: now - 2 * 3_600_000 };
    expect(queuePriority({ ...waiting, status: 'new' }, now)).toBe(62);
    expect(queuePriority({ ...waiting, status: 'open' }, now)).toBe(62);
    expect(queuePriority({ ...waiting, status: 'pending' }, now)).toBe(50);
    expect(queuePriority({ ...waiting, status: 'dismissed' }, now)).toBe(50);
    expect(queuePriority({ priority: 90, status: 'new', waitingSince: now - 10 * 3_600_000 }, now)).toBe(100);
  });
});
