import { describe, expect, it } from 'vitest';
import { normalizeRaw } from '../connectors/formats.js';
import { generateXLines } from './xlines.js';

describe('bench X stream line generator', () => {
  const gen = generateXLines({ lines: 500, seed: 3 });

  it('makes lines that every one normalize to exactly one X post, none rejected', () => {
    expect(gen.lines).toHaveLength(500);
    const ids = new Set<string>();
    for (const line of gen.lines) {
      const r = normalizeRaw({ format: null, data: line, source: 'bench', line: null });
      expect(r.format).toBe('x-v2');
      expect(r.ignored).toBeUndefined();
      expect(r.posts).toHaveLength(1);
      const post = r.posts[0]!;
      expect(post.author.handle).not.toBe(post.author.externalId);
      ids.add(post.externalId);
    }
    expect(ids.size).toBe(gen.unique);
    expect(gen.unique + gen.duplicates).toBe(500);
  });

  it('has the shape of a filtered-stream line, threads, brand replies and about 2 % redeliveries', () => {
    const first = JSON.parse(gen.lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual(['data', 'includes', 'matching_rules']);
    const brandIds = new Set(gen.brands.map((b) => b.userId));
    let replies = 0;
    let fromBrand = 0;
    for (const line of gen.lines) {
      const v = JSON.parse(line) as { data: { author_id: string; referenced_tweets?: Array<{ type: string }> } };
      if (v.data.referenced_tweets?.some((r) => r.type === 'replied_to')) replies++;
      if (brandIds.has(v.data.author_id)) fromBrand++;
    }
    expect(fromBrand).toBeGreaterThan(10);
    expect(replies).toBeGreaterThan(fromBrand);
    expect(gen.duplicates).toBeGreaterThan(2);
    expect(gen.duplicates).toBeLessThan(25);
  });

  it('is deterministic for a seed', () => {
    expect(generateXLines({ lines: 200, seed: 3 }).lines).toEqual(gen.lines.slice(0, 200));
  });
});
