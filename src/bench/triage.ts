/**
 * The triage benchmark: the pipeline's classifier (both models) and the lexicon-only classifier, one after the
 * other on one core, over the TweetEval sentiment test tweets when ../shared/data is there (else a few samples).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createClassifier, type ClassifierInput } from '../triage/classifier.js';
import { sharedDataDir } from '../triage/model/shared-dir.js';

export interface TriageBenchResult {
  source: string;
  posts: number;
  rounds: number;
  /** Median and best posts/s per classifier. */
  classifiers: Array<{ name: string; median: number; best: number }>;
}

const SAMPLES = [
  '@acme my internet has been down for 3 days, worst service ever',
  '@acme how do I change my plan?',
  'thanks @acme, fixed in minutes! 😍',
  'FOLLOW BACK crypto giveaway http://x.co http://y.co #win #free #crypto',
];

export function runTriageBench(opts: { file?: string; rounds?: number; env?: Record<string, string | undefined> } = {}): TriageBenchResult {
  const file = opts.file ?? path.join(sharedDataDir(opts.env), 'tweeteval', 'sentiment', 'test_text.txt');
  const texts = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '') : SAMPLES;
  const author = { network: 'x' as const, externalId: '1', handle: 'someone', displayName: null, followers: 1234, verified: false };
  const posts: ClassifierInput[] = texts.map((text) => ({ text, lang: null, author, mentions: [], hashtags: [], urls: [], repostOfId: null }));
  const rounds = opts.rounds ?? 5;
  const classifiers: TriageBenchResult['classifiers'] = [];
  for (const [name, classifier] of [
    ['pipeline (sentiment + intent models)', createClassifier()],
    ['lexicon and rules only', createClassifier({ sentiment: 'lexicon', intent: 'rules' })],
  ] as const) {
    let sink = 0;
    for (const p of posts) sink += classifier.classify(p).priority; // warm-up: let the JIT settle
    const target = Math.max(50_000, posts.length);
    const rates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const t0 = process.hrtime.bigint();
      for (let n = 0; n < target; n++) sink += classifier.classify(posts[n % posts.length]!).priority;
      rates.push(target / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
    rates.sort((a, b) => a - b);
    if (sink === -1) console.log(''); // keeps the work observable to the optimiser
    classifiers.push({ name, median: Math.round(rates[Math.floor(rates.length / 2)]!), best: Math.round(rates[rates.length - 1]!) });
  }
  return { source: existsSync(file) ? file : 'built-in samples', posts: posts.length, rounds, classifiers };
}

export function formatTriageBench(r: TriageBenchResult): string {
  const lines = [`Triage benchmark: ${r.posts.toLocaleString('en-US')} distinct posts from ${r.source}, ${r.rounds} rounds, one core`];
  for (const c of r.classifiers) lines.push(`  ${c.name.padEnd(38)} median ${c.median.toLocaleString('en-US')} posts/s, best ${c.best.toLocaleString('en-US')}`);
  return lines.join('\n');
}
