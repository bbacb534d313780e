/**
 * The CLI's one top-level catch: every failure becomes `earshot: <message>` on stderr and an exit code from
 * exitCodeFor (the single mapping from error codes to exit codes). Commands throw; they never exit.
 */
import { CommanderError } from 'commander';
import { EarshotError, exitCodeFor, type ErrorCode } from '../core/errors.js';

/** Where a command writes. Tests and `main` pass the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: progress bars instead of periodic lines. */
  readonly errIsTTY: boolean;
  readonly errStream: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    errIsTTY: process.stderr.isTTY === true,
    errStream: process.stderr,
    env: process.env,
  };
}

/** Node system errors that have an obvious meaning for a user. */
const SYSTEM: Record<string, { code: ErrorCode; say: (e: NodeJS.ErrnoException) => string }> = {
  ENOENT: { code: 'not_found', say: (e) => `${e.path ?? 'file'}: no such file or directory` },
  EISDIR: { code: 'bad_request', say: (e) => `${e.path ?? 'path'} is a directory, not a file` },
  EACCES: { code: 'forbidden', say: (e) => `${e.path ?? 'file'}: permission denied` },
  EPERM: { code: 'forbidden', say: (e) => `${e.path ?? 'file'}: operation not permitted` },
  EROFS: { code: 'forbidden', say: (e) => `${e.path ?? 'file'}: read-only file system` },
  ENOSPC: { code: 'unavailable', say: () => 'no space left on the device' },
  EADDRINUSE: {
    code: 'unavailable',
    say: (e) => {
      const port = (e as { port?: number }).port;
      return `${port === undefined ? 'the port' : `port ${port}`} is already in use (set PORT to another one)`;
    },
  },
  EADDRNOTAVAIL: { code: 'unavailable', say: (e) => `cannot listen on ${(e as { address?: string }).address ?? 'that address'} (check HOST)` },
};

export interface Failure {
  code: ErrorCode | null;
  exitCode: number;
  message: string;
  /** Shown for errors nobody expected: they are bugs, and the stack is what a bug report needs. */
  stack: string | null;
}

export function describeFailure(err: unknown): Failure {
  if (err instanceof EarshotError) return { code: err.code, exitCode: exitCodeFor(err.code), message: err.message, stack: null };
  const errno = err as NodeJS.ErrnoException | null;
  const sys = typeof errno?.code === 'string' ? SYSTEM[errno.code] : undefined;
  if (sys && errno) return { code: sys.code, exitCode: exitCodeFor(sys.code), message: sys.say(errno), stack: null };
  // better-sqlite3: a database another process holds, or a file that is not a database.
  if (typeof errno?.code === 'string' && errno.code.startsWith('SQLITE_')) {
    const busy = errno.code === 'SQLITE_BUSY' || errno.code === 'SQLITE_LOCKED';
    const code: ErrorCode = busy ? 'unavailable' : 'internal';
    return { code, exitCode: exitCodeFor(code), message: `database: ${errno.message}${busy ? ' (is another earshot process writing to it?)' : ''}`, stack: null };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: null, exitCode: exitCodeFor('internal'), message: `internal error: ${message}`, stack: err instanceof Error ? (err.stack ?? null) : null };
}

/** Report a failure on stderr and set the exit code. */
export function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message or the help. --help and --version exit 0; help shown because no
    // command was given, like any other usage error, does not.
    return err.exitCode === 0 ? 0 : exitCodeFor('bad_request');
  }
  const f = describeFailure(err);
  io.err(`earshot: ${f.message}`);
  if (f.stack) io.err(f.stack.split('\n').slice(1).join('\n'));
  return f.exitCode;
}

/** Runs a command and turns its outcome into an exit code (0 when it returns). */
export async function run(fn: () => Promise<unknown>, io: CliIo): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (err) {
    return reportFailure(err, io);
  }
}
