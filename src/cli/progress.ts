/**
 * Progress of a long command on stderr: a cli-progress bar on a terminal, otherwise a plain line every few seconds
 * (logs and CI keep a readable record instead of a screenful of carriage returns).
 */
import { createReadStream } from 'node:fs';
import cliProgress from 'cli-progress';
import { duration, int, rate } from './format.js';
import type { CliIo } from './run.js';

export interface ProgressState {
  /** Units of work done out of `total` (physical lines of the input files). */
  done: number;
  records: number;
  posts: number;
}

export interface Progress {
  readonly state: ProgressState;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** 0 when unknown: no percentage and no ETA. */
  total: number;
  /** Seconds between plain lines when stderr is not a terminal. */
  lineEverySeconds?: number;
  enabled?: boolean;
}

export function startProgress(io: CliIo, opts: ProgressOptions): Progress {
  const state: ProgressState = { done: 0, records: 0, posts: 0 };
  if (opts.enabled === false) return { state, stop: () => {} };
  const started = performance.now();
  const view = () => {
    const ms = performance.now() - started;
    const left = opts.total > 0 && state.done > 0 ? (ms * (opts.total - state.done)) / state.done : NaN;
    return {
      records: int(state.records),
      speed: int(rate(state.posts, ms)),
      left: Number.isFinite(left) ? duration(Math.max(0, left)) : '…',
      pct: opts.total > 0 ? Math.min(100, Math.floor((100 * state.done) / opts.total)) : null,
      elapsed: duration(ms),
    };
  };

  if (io.errIsTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.errStream,
        format:
          opts.total > 0
            ? `${opts.label} {bar} {percentage}% | {records} records | {speed} posts/s | ETA {left}`
            : `${opts.label} {records} records | {speed} posts/s | {elapsed}`,
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(1, opts.total), 0, view());
    const timer = setInterval(() => bar.update(state.done, view()), 200);
    timer.unref();
    return {
      state,
      stop() {
        clearInterval(timer);
        bar.update(state.done, view());
        bar.stop();
      },
    };
  }

  const timer = setInterval(() => {
    const v = view();
    const head = v.pct === null ? '' : `${v.pct}%, `;
    io.err(`${opts.label}: ${head}${v.records} records, ${v.speed} posts/s, ${v.pct === null ? `${v.elapsed} elapsed` : `ETA ${v.left}`}`);
  }, (opts.lineEverySeconds ?? 5) * 1000);
  timer.unref();
  return { state, stop: () => clearInterval(timer) };
}

/** Physical lines of a file (a last line without a newline counts), read in large chunks. */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return last === 0x0a ? lines : lines + 1;
}
