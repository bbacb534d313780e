/** `earshot bench [name]`: performance benchmarks; `all` (the default) runs each in turn. */
import { formatIngestBench, runIngestBench } from '../../bench/ingest.js';
import { formatTriageBench, runTriageBench } from '../../bench/triage.js';
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
    case 'all': {
      await benchCommand('triage', opts, io);
      await benchCommand('ingest', opts, io);
      return;
    }
    case 'triage': {
      const result = runTriageBench({ env: io.env });
      io.out(opts.json ? JSON.stringify(result, null, 2) : formatTriageBench(result));
      return;
    }
    case 'ingest': {
      const result = await runIngestBench({ posts: opts.posts, runs: opts.runs, seed: opts.seed, log });
      io.out(opts.json ? JSON.stringify(result, null, 2) : formatIngestBench(result));
      if (!result.checks.ok) throw new EarshotError('internal', `the ingest benchmark's sanity checks failed: ${result.checks.problems.join('; ')}`);
      return;
    }
  }
}
