/** `earshot bench [name]`: performance benchmarks. Only `ingest` so far; it is also the default. */
import { formatIngestBench, runIngestBench } from '../../bench/ingest.js';
import type { BenchName } from '../../bench/names.js';
import { EarshotError } from '../../core/errors.js';
import type { CliIo } from '../run.js';

export interface BenchOptions {
  posts: number;
  runs: number;
  seed?: number;
  json?: boolean;
}

export async function benchCommand(name: BenchName, opts: BenchOptions, io: CliIo): Promise<void> {
  const log = (line: string) => io.err(`bench ${name}: ${line}`);
  switch (name) {
    case 'ingest': {
      const result = await runIngestBench({ posts: opts.posts, runs: opts.runs, seed: opts.seed, log });
      io.out(opts.json ? JSON.stringify(result, null, 2) : formatIngestBench(result));
      if (!result.checks.ok) throw new EarshotError('internal', `the ingest benchmark's sanity checks failed: ${result.checks.problems.join('; ')}`);
      return;
    }
  }
}
