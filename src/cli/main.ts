/**
 * The `earshot` command. Each subcommand lives in commands/ and is loaded only when it runs, so `earshot replay`
 * never loads the web server. Failures become `earshot: <message>` and an exit code in run.ts, the one top-level catch.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { FORMAT_NAMES, isFormatName } from '../connectors/formats.js';
import { BENCHES, type BenchName } from '../bench/names.js';
import { EarshotError } from '../core/errors.js';
import { processIo, run, type CliIo } from './run.js';

function whole(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.replace(/[_,]/g, ''))) throw new InvalidArgumentError('not a whole number.');
    const n = Number(value.replace(/[_,]/g, ''));
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}.`);
    return n;
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('earshot')
    .description('Self-hosted social customer-care desk.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('start')
    .description('Run Earshot: the desk and API, the connectors (or the built-in sandbox network) and the outbox, until Ctrl-C.')
    .action(async () => {
      const { startCommand } = await import('./commands/start.js');
      await startCommand(io);
    });

  program
    .command('replay')
    .description('Ingest recorded files (X API v2, Bluesky Jetstream, Mastodon, TWCS CSV or Earshot NDJSON) into the configured store.')
    .argument('<file...>', 'files to replay, in order')
    .addOption(new Option('--format <name>', 'read every record as this format instead of detecting it').choices(FORMAT_NAMES))
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar or progress lines on stderr')
    .action(async (files: string[], o: { format?: string; json?: boolean; progress: boolean }) => {
      const { replayCommand } = await import('./commands/replay.js');
      await replayCommand(files, { format: isFormatName(o.format) ? o.format : undefined, json: o.json === true, progress: o.progress }, io);
    });

  program
    .command('quarantine')
    .description('List the records ingestion refused, with where they came from and why (newest first).')
    .option('--limit <n>', 'how many to show', whole(1, 100_000), 50)
    .option('--offset <n>', 'skip the newest n', whole(0, Number.MAX_SAFE_INTEGER), 0)
    .option('--json', 'print them as JSON')
    .action(async (o: { limit: number; offset: number; json?: boolean }) => {
      const { quarantineCommand } = await import('./commands/quarantine.js');
      await quarantineCommand({ limit: o.limit, offset: o.offset, json: o.json === true }, io);
    });

  const token = program.command('token').description('API tokens.');
  token
    .command('create')
    .description('Create an API token for a user; it is shown once.')
    .requiredOption('--email <email>', "the user's email")
    .option('--name <label>', 'what the token is for (default: "cli" and the date)')
    .action(async (o: { email: string; name?: string }) => {
      const { tokenCreateCommand } = await import('./commands/token.js');
      await tokenCreateCommand(o, io);
    });

  program
    .command('bench')
    .description('Benchmarks. triage: classifier posts/s on one core; ingest: X API v2 lines through the pipeline into SQLite, against raw inserts of the same rows; all (default): both.')
    .addArgument(program.createArgument('[name]', 'which benchmark').choices(BENCHES).default(BENCHES[0]))
    .option('--posts <n>', 'stream lines per run', whole(1, 10_000_000), 100_000)
    .option('--runs <n>', 'runs (the median is reported)', whole(1, 50), 3)
    .option('--seed <n>', 'seed of the generated traffic', whole(0, 2 ** 31), 7)
    .option('--json', 'print the result as JSON')
    .action(async (name: BenchName, o: { posts: number; runs: number; seed: number; json?: boolean }) => {
      const { benchCommand } = await import('./commands/bench.js');
      await benchCommand(name, { posts: o.posts, runs: o.runs, seed: o.seed, json: o.json === true }, io);
    });

  program
    .command('classify')
    .description('Triage posts: plain text lines, or JSONL objects with a "text" field, from FILE or stdin; one JSON object per line on stdout.')
    .argument('[file]', 'file to read (default: stdin)')
    .action(async (file: string | undefined) => {
      const { classifyCommand } = await import('./commands/classify.js');
      await classifyCommand(file, {}, io);
    });

  program
    .command('train')
    .description('Rebuild the models in models/ from ../shared/data (or EARSHOT_SHARED_DATA) with a fixed seed.')
    .option('--seed <n>', 'training seed (same data and seed: same model file)', whole(0, 2 ** 31), 1)
    .option('--out <dir>', 'directory to write the model files to (default: the repository\'s models/)')
    .option('--feedback', "fold the agents' label corrections from the configured store into training (a share is held out for eval --feedback)")
    .option('--json', 'print the result as JSON')
    .action(async (o: { seed: number; out?: string; feedback?: boolean; json?: boolean }) => {
      const { trainCommand, readCorrections } = await import('./commands/train.js');
      const corrections = o.feedback ? await readCorrections(io) : undefined;
      trainCommand({ seed: o.seed, out: o.out, json: o.json === true, corrections }, io);
    });

  program
    .command('eval')
    .description('Measure the models on data never used to train them: TweetEval sentiment val and test, speed.')
    .option('--model <file>', 'sentiment model file (default: models/sentiment.bin)')
    .option('--feedback', 'before/after of train --feedback: the baseline models against --model-dir, on the test sets and the held-out corrections')
    .option('--model-dir <dir>', 'with --feedback: the models train --feedback --out wrote')
    .option('--baseline-dir <dir>', "with --feedback: the models to compare against (default: the repository's models/)")
    .option('--json', 'print the result as JSON')
    .action(async (o: { model?: string; feedback?: boolean; modelDir?: string; baselineDir?: string; json?: boolean }) => {
      if (o.feedback) {
        if (o.modelDir === undefined) throw new EarshotError('bad_request', '--feedback needs --model-dir DIR: where `earshot train --feedback --out DIR` wrote the models.');
        const { evalFeedbackCommand } = await import('./commands/eval-feedback.js');
        await evalFeedbackCommand({ modelDir: o.modelDir, baselineDir: o.baselineDir, json: o.json === true }, io);
        return;
      }
      const { evalCommand } = await import('./commands/eval.js');
      evalCommand({ model: o.model, json: o.json === true }, io);
    });

  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  const code = await run(() => program.parseAsync(argv), io);
  process.exitCode = code;
  // One-shot commands are done here: nothing should keep the process alive, but if a stray handle does, do not hang.
  setTimeout(() => process.exit(), 2000).unref();
  return code;
}
