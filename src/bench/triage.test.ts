import { describe, expect, it } from 'vitest';
import { formatTriageBench } from './triage.js';

describe('triage benchmark report', () => {
  it('reports the models\' load time and memory beside the posts/s', () => {
    const text = formatTriageBench({
      source: 'built-in samples',
      posts: 4,
      rounds: 5,
      classifiers: [{ name: 'pipeline (sentiment + intent models)', median: 30_000, best: 31_000 }],
      models: { loadMs: 180, heapUsedMB: -0.1, externalMB: 38.5, arrayBuffersMB: 31.5, rssMB: 44.3 },
    });
    expect(text).toContain('median 30,000 posts/s, best 31,000');
    expect(text).toContain('loaded in 180 ms; memory +38.4 MB (JS heap −0.1 MB, outside the heap +38.5 MB of which typed arrays +31.5 MB), RSS +44.3 MB');
  });
});
