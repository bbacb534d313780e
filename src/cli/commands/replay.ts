/**
 * `earshot replay FILE…`: runs recorded files through the same ingest pipeline as the live connectors (normalize,
 * triage, dedupe, thread, store), so a file replayed twice stores nothing the second time. Bad records are
 * quarantined with their reasons and listed; they never stop the replay.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { IngestPipeline, type PipelineStats } from '../../app/pipeline.js';
import { isRejected, readRecords, type FormatName } from '../../connectors/formats.js';
import { EarshotError, NotFoundError, ValidationError } from '../../core/errors.js';
import { createClassifier } from '../../triage/index.js';
import { duration, int, rate, table } from '../format.js';
import { countLines, startProgress } from '../progress.js';
import type { CliIo } from '../run.js';
import { withStore } from '../store.js';

export interface ReplayOptions {
  format?: FormatName;
  json?: boolean;
  /** Progress on stderr (default on). */
  progress?: boolean;
}

export interface ReplaySummary extends PipelineStats {
  files: number;
  /** Failures the pipeline reported from the store: a post it refused (also quarantined) or a quarantine write that failed. */
  storeErrors: number;
  elapsedMs: number;
  postsPerSecond: number;
  /** Every post was already stored. */
  nothingNew: boolean;
}

async function checkFiles(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const abs = path.resolve(f);
    const s = await stat(abs).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') throw new NotFoundError(`file ${f}`);
      throw e;
    });
    if (!s.isFile()) throw new ValidationError(`${f} is ${s.isDirectory() ? 'a directory' : 'not a regular file'}; give the files to replay`);
    out.push(abs);
  }
  return out;
}

export async function replayCommand(files: string[], opts: ReplayOptions, io: CliIo): Promise<ReplaySummary> {
  if (files.length === 0) throw new ValidationError('give at least one file to replay');
  const paths = await checkFiles(files);
  return withStore(io, { create: true }, async (store) => {
    const started = performance.now();
    const lineCounts = await Promise.all(paths.map(countLines));
    const total = lineCounts.reduce((a, b) => a + b, 0);
    const storeErrors: unknown[] = [];
    const pipeline = new IngestPipeline({ store, classifier: createClassifier(), onError: (e) => void storeErrors.push(e) });
    const label = paths.length === 1 ? 'replay' : `replay (${paths.length} files)`;
    const progress = startProgress(io, { label, total, enabled: opts.progress !== false });
    const st = progress.state;
    try {
      let base = 0;
      for (const [i, file] of paths.entries()) {
        for await (const rec of readRecords(file, opts.format === undefined ? {} : { format: opts.format })) {
          if (isRejected(rec)) await pipeline.reject(rec);
          else await pipeline.push(rec);
          if (rec.line !== null) st.done = base + rec.line;
          st.records = pipeline.stats.read;
          st.posts = pipeline.stats.posts;
        }
        base += lineCounts[i] ?? 0;
        st.done = base;
      }
      await pipeline.close();
    } finally {
      progress.stop();
    }
    const elapsedMs = performance.now() - started;
    const s = pipeline.stats;
    const summary: ReplaySummary = {
      files: paths.length,
      ...s,
      quarantinedByReason: { ...s.quarantinedByReason },
      storeErrors: storeErrors.length,
      elapsedMs: Math.round(elapsedMs),
      postsPerSecond: Math.round(rate(s.posts, elapsedMs)),
      nothingNew: s.stored === 0 && s.duplicates > 0,
    };
    for (const e of storeErrors.slice(0, 5)) io.err(`earshot: store error: ${e instanceof Error ? e.message : String(e)}`);
    if (storeErrors.length > 5) io.err(`earshot: … and ${storeErrors.length - 5} more store errors`);
    io.out(opts.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    // Only sources that state direction (TWCS) register brand accounts by themselves; without any, a brand's own
    // replies in X, Bluesky or Mastodon files were threaded as if a customer had written them.
    if (s.stored > 0 && (await store.listBrandAccounts()).length === 0) {
      io.err("earshot: note: no brand accounts are configured in this store, so any posts by a brand's own accounts were taken for customers'.");
      io.err('  Configure the brand accounts first (start Earshot once with EARSHOT_X_ACCOUNTS set) and replay into that data directory.');
    }

    if (s.posts === 0 && s.ignored === 0) {
      const where = files.length === 1 ? files[0] : `${files.length} files`;
      throw new EarshotError(
        'validation_failed',
        s.read === 0 ? `nothing could be read: ${where} holds no records` : `nothing could be read: all ${int(s.quarantined)} records of ${where} were quarantined`,
      );
    }
    if (storeErrors.length > 0 && s.stored === 0 && s.duplicates === 0) {
      throw new EarshotError('unavailable', 'the store refused every write');
    }
    return summary;
  });
}

const MAX_REASONS = 15;

export function formatSummary(s: ReplaySummary): string {
  const lines: string[] = [];
  lines.push(`Replayed ${s.files === 1 ? '1 file' : `${s.files} files`} in ${duration(s.elapsedMs)} (${int(s.postsPerSecond)} posts/s)`);
  const rows: Array<[string, string]> = [
    ['records read', int(s.read)],
    ['posts', int(s.posts)],
    ['stored', int(s.stored)],
    ['duplicates', int(s.duplicates)],
    ['ignored', int(s.ignored)],
    ['quarantined', int(s.quarantined)],
  ];
  rows.push(['conversations created', int(s.conversationsCreated)]);
  lines.push(table(rows));
  // Reasons under the table: they can be long, and there can be many.
  const reasons = Object.entries(s.quarantinedByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (reasons.length > 0) {
    lines.push('quarantined, by reason:');
    const w = int(reasons[0]![1]).length;
    for (const [reason, n] of reasons.slice(0, MAX_REASONS)) lines.push(`  ${int(n).padStart(w)}  ${reason}`);
    const rest = reasons.slice(MAX_REASONS);
    if (rest.length > 0) lines.push(`  ${int(rest.reduce((a, [, n]) => a + n, 0)).padStart(w)}  (${int(rest.length)} other reasons)`);
  }
  if (s.nothingNew) lines.push(`nothing new: all ${int(s.duplicates)} ${s.duplicates === 1 ? 'post was' : 'posts were'} already stored`);
  if (s.quarantined > 0) lines.push('Quarantined records are kept with their reasons; `earshot quarantine` lists them.');
  if (s.storeErrors > 0) lines.push(`${int(s.storeErrors)} store errors (see above): some posts may not have been written.`);
  return lines.join('\n');
}
