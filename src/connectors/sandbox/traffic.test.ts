import { describe, expect, it } from 'vitest';
import { INTENT_MIX, TrafficGenerator, type Intent } from './traffic.js';

describe('sandbox traffic generator', () => {
  it('is deterministic for a seed', () => {
    const a = new TrafficGenerator({ seed: 11 });
    const b = new TrafficGenerator({ seed: 11 });
    const c = new TrafficGenerator({ seed: 12 });
    const take = (g: TrafficGenerator) => Array.from({ length: 200 }, () => g.next()).map((d) => `${d.author.username}|${d.text}`);
    const ta = take(a);
    expect(take(b)).toEqual(ta);
    expect(take(c)).not.toEqual(ta);
    expect(a.users.map((u) => u.id)).toEqual(b.users.map((u) => u.id));
  });

  it('keeps the intent mix near the target', () => {
    const g = new TrafficGenerator({ seed: 3 });
    const n = 20_000;
    const counts = new Map<Intent, number>();
    for (let i = 0; i < n; i++) {
      const d = g.next();
      if (d.intent !== 'reply' && d.intent !== 'incident') counts.set(d.intent, (counts.get(d.intent) ?? 0) + 1);
    }
    for (const [intent, share] of Object.entries(INTENT_MIX) as Array<[Intent, number]>) {
      expect(Math.abs((counts.get(intent) ?? 0) / n - share), intent).toBeLessThan(0.015);
    }
  });

  it('has a recurring population with heavy-tailed followers, a few verified, and varied texts', () => {
    const g = new TrafficGenerator({ seed: 5 });
    const drafts = Array.from({ length: 3000 }, () => g.next());
    const customers = g.users.filter((u) => u.kind === 'customer');
    expect(customers).toHaveLength(400);
    expect(new Set(g.users.map((u) => u.username.toLowerCase())).size).toBe(g.users.length);
    for (const u of g.users) expect(u.username).toMatch(/^\w{1,15}$/);
    const followers = customers.map((u) => u.followers).sort((x, y) => x - y);
    const median = followers[200] ?? 0;
    expect(median).toBeLessThan(100);
    expect(followers[followers.length - 1]).toBeGreaterThan(median * 50);
    const verified = customers.filter((u) => u.verified).length;
    expect(verified).toBeGreaterThan(0);
    expect(verified).toBeLessThan(40);
    // Customers come back: many authors post more than once.
    const byAuthor = new Map<string, number>();
    for (const d of drafts) byAuthor.set(d.author.id, (byAuthor.get(d.author.id) ?? 0) + 1);
    expect([...byAuthor.values()].filter((n) => n > 3).length).toBeGreaterThan(50);
    expect(new Set(drafts.map((d) => d.text)).size).toBeGreaterThan(2000);
    // Some mention the brand without tagging it.
    const untagged = drafts.filter((d) => !d.tagged && d.intent === 'complaint');
    expect(untagged.length).toBeGreaterThan(50);
    expect(untagged.some((d) => /nimbis|forkfull|skylar air|nimbus mobil|sky lark/i.test(d.text))).toBe(true);
    for (const d of drafts) expect([...d.text].length).toBeLessThanOrEqual(280);
  });

  it('makes outage bursts and answers to brand replies', () => {
    const g = new TrafficGenerator({ seed: 9 });
    const burst = Array.from({ length: 40 }, () => g.incident('nimbusmobile'));
    expect(burst.every((d) => d.brand === 'nimbusmobile' && d.intent === 'incident')).toBe(true);
    expect(burst.filter((d) => /down|signal|no data|calls|SOS|texts/i.test(d.text)).length).toBeGreaterThan(30);
    const customer = g.users[0];
    if (!customer) throw new Error('no users');
    const a = g.answerBrand(customer, 'skylarkair', { tweetId: '1900000000000000001', conversationId: '1900000000000000000' });
    expect(a.text.startsWith('@skylarkair ')).toBe(true);
    expect(a.inReplyTo).toMatchObject({ tweetId: '1900000000000000001', conversationId: '1900000000000000000', userId: g.brands[1]?.userId });
  });
});
