/**
 * Throughput of the classifier on one core: `npx tsx src/triage/bench.ts [file-with-one-post-per-line]`, the
 * model-sentiment classifier (the pipeline's) and the lexicon one, one after the other.
 * Defaults to the TweetEval sentiment test tweets when ../shared/data is there, else to a few synthetic posts.
 * A script, not a test: timings on a shared CI machine are too noisy to assert on.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createClassifier, type ClassifierInput } from './classifier.js';
import { sharedDataDir } from './model/shared-dir.js';

const shared = sharedDataDir();
const file = process.argv[2] ?? path.join(shared, 'tweeteval', 'sentiment', 'test_text.txt');
const texts = existsSync(file)
  ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '')
  : [
      '@acme my internet has been down for 3 days, worst service ever',
      '@acme how do I change my plan?',
      'thanks @acme, fixed in minutes! 😍',
      'FOLLOW BACK crypto giveaway http://x.co http://y.co #win #free #crypto',
    ];
const author = { network: 'x' as const, externalId: '1', handle: 'someone', displayName: null, followers: 1234, verified: false };
const posts: ClassifierInput[] = texts.map((text) => ({ text, lang: null, author, mentions: [], hashtags: [], urls: [], repostOfId: null }));
console.log(`${posts.length} distinct posts from ${existsSync(file) ? file : 'built-in samples'}`);
for (const kind of ['model', 'lexicon'] as const) {
  const classifier = createClassifier({ sentiment: kind });
  let sink = 0;
  for (const p of posts) sink += classifier.classify(p).priority; // warm-up: let the JIT settle
  const target = Math.max(50_000, posts.length);
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let n = 0; n < target; n++) sink += classifier.classify(posts[n % posts.length]!).priority;
    rates.push(target / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  console.log(`${kind} sentiment: posts/s over 5 rounds of ${target}: median ${Math.round(rates[2]!)}, best ${Math.round(rates[4]!)} (checksum ${sink})`);
}
