/**
 * The ingest benchmark: X API v2 stream lines → stored, indexed, threaded conversations through the real pipeline
 * (normalize, triage, dedupe, thread, store with FTS), and in the same run the raw SQLite insert rate of the same
 * rows into a bare table with the same unique key and full-text trigger. Their ratio is what the pipeline's work
 * costs over the floor that SQLite itself sets on this machine.
 *
 * Each run uses fresh database files in a new temporary directory; the lines are generated once, in memory, before
 * any timing. A benchmark, never a test: timings on shared machines are too noisy to assert on.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { IngestPipeline } from '../app/pipeline.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createClassifier } from '../triage/index.js';
import { generateXLines, type XLines } from './xlines.js';

export interface IngestBenchOptions {
  /** Stream lines per run, redeliveries included. */
  posts: number;
  runs: number;
  seed?: number;
  /** Where the per-run temporary directories go (default: the OS temp dir). */
  tmpDir?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface PhaseResult {
  seconds: number;
  /** Lines handled per second (every line is one post; redeliveries included). */
  postsPerSecond: number;
  /** Highest RSS sampled during the phase (after each batch). */
  peakRssBytes: number;
  /** RSS when the phase started. */
  startRssBytes: number;
  /** Heap still in use after the phase (after a full GC, store still open) minus before it. */
  heapDeltaBytes: number;
  batches: number;
  batchP50Ms: number;
  batchP99Ms: number;
  stored: number;
  duplicates: number;
}

export interface PipelinePhaseResult extends PhaseResult {
  conversations: number;
  conversationsCreated: number;
  customers: number;
  quarantined: number;
  ignored: number;
}

export interface RunResult {
  run: number;
  pipeline: PipelinePhaseResult;
  raw: PhaseResult;
  /** raw posts/s ÷ pipeline posts/s. */
  ratio: number;
}

export interface IngestBenchResult {
  bench: 'ingest';
  lines: number;
  unique: number;
  duplicates: number;
  bytes: number;
  brands: number;
  kinds: XLines['kinds'];
  generateSeconds: number;
  runs: RunResult[];
  median: {
    pipelinePostsPerSecond: number;
    rawPostsPerSecond: number;
    ratio: number;
    pipelinePeakRssBytes: number;
    rawPeakRssBytes: number;
    pipelineHeapDeltaBytes: number;
    rawHeapDeltaBytes: number;
    pipelineBatchP50Ms: number;
    pipelineBatchP99Ms: number;
    rawBatchP50Ms: number;
    rawBatchP99Ms: number;
  };
  checks: { ok: boolean; problems: string[] };
  environment: { node: string; platform: string; cpus: number; cpuModel: string; tmpDir: string };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** A full GC between phases, so heap figures are what is retained rather than what happens to be uncollected. */
const gc: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
})();

class MemoryWatch {
  readonly startRss = process.memoryUsage.rss();
  peak = this.startRss;
  sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
  }
}

async function pipelinePhase(x: XLines, dir: string): Promise<PipelinePhaseResult> {
  const store = await SqliteStore.open(path.join(dir, 'earshot.db'));
  try {
    for (const b of x.brands) {
      const brand = await store.upsertBrand({ name: b.name, keywords: b.keywords });
      await store.upsertBrandAccount({ brandId: brand.id, network: 'x', handle: b.handle, externalId: b.userId });
    }
    // Time each store write (one transaction per batch) from outside, without touching the store.
    const latencies: number[] = [];
    const ingest = store.ingest.bind(store);
    const mem = (() => {
      gc();
      return { heap: process.memoryUsage().heapUsed, watch: new MemoryWatch() };
    })();
    store.ingest = async (batch) => {
      const t = performance.now();
      const out = await ingest(batch);
      latencies.push(performance.now() - t);
      mem.watch.sample();
      return out;
    };
    const errors: unknown[] = [];
    const pipeline = new IngestPipeline({ store, classifier: createClassifier(), onError: (e) => void errors.push(e) });
    const t0 = performance.now();
    for (let i = 0; i < x.lines.length; i++) await pipeline.push({ format: null, data: x.lines[i]!, source: 'bench', line: i + 1 });
    await pipeline.flush();
    const seconds = (performance.now() - t0) / 1000;
    mem.watch.sample();
    await pipeline.close();
    gc();
    const heapDelta = process.memoryUsage().heapUsed - mem.heap;
    if (errors.length > 0) throw new Error(`the store failed during the benchmark: ${errors[0] instanceof Error ? errors[0].message : String(errors[0])}`);
    const st = await store.stats();
    const s = pipeline.stats;
    return {
      seconds,
      postsPerSecond: x.lines.length / seconds,
      peakRssBytes: mem.watch.peak,
      startRssBytes: mem.watch.startRss,
      heapDeltaBytes: heapDelta,
      batches: latencies.length,
      batchP50Ms: percentile(latencies, 50),
      batchP99Ms: percentile(latencies, 99),
      stored: s.stored,
      duplicates: s.duplicates,
      conversations: st.conversations,
      conversationsCreated: s.conversationsCreated,
      customers: st.customers,
      quarantined: s.quarantined,
      ignored: s.ignored,
    };
  } finally {
    await store.close();
  }
}

/** The floor: the same rows into a bare posts table with the same unique key and FTS5 trigger, nothing else. */
function rawPhase(x: XLines, dir: string): PhaseResult {
  const db = new Database(path.join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE posts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        network TEXT NOT NULL,
        external_id TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        lang TEXT,
        conversation_id TEXT,
        in_reply_to_id TEXT,
        UNIQUE (network, external_id)
      );
      CREATE VIRTUAL TABLE posts_fts USING fts5(text, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
      CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END;
    `);
    const insert = db.prepare(
      `INSERT OR IGNORE INTO posts (network, external_id, author, text, created_at, lang, conversation_id, in_reply_to_id)
       VALUES ('x', ?, ?, ?, ?, ?, ?, ?)`,
    );
    type Tweet = { id: string; author_id: string; text: string; created_at: string; lang?: string; conversation_id?: string; referenced_tweets?: Array<{ type: string; id: string }> };
    let stored = 0;
    const write = db.transaction((lines: string[], from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = (JSON.parse(lines[i]!) as { data: Tweet }).data;
        const replyTo = t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null;
        stored += insert.run(t.id, t.author_id, t.text, Date.parse(t.created_at), t.lang ?? null, t.conversation_id ?? null, replyTo).changes;
      }
    });
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const watch = new MemoryWatch();
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < x.lines.length; i += 1000) {
      const t = performance.now();
      write(x.lines, i, Math.min(x.lines.length, i + 1000));
      latencies.push(performance.now() - t);
      watch.sample();
    }
    const seconds = (performance.now() - t0) / 1000;
    gc();
    const heapDelta = process.memoryUsage().heapUsed - heap0;
    return {
      seconds,
      postsPerSecond: x.lines.length / seconds,
      peakRssBytes: watch.peak,
      startRssBytes: watch.startRss,
      heapDeltaBytes: heapDelta,
      batches: latencies.length,
      batchP50Ms: percentile(latencies, 50),
      batchP99Ms: percentile(latencies, 99),
      stored,
      duplicates: x.lines.length - stored,
    };
  } finally {
    db.close();
  }
}

export async function runIngestBench(opts: IngestBenchOptions): Promise<IngestBenchResult> {
  const log = opts.log ?? (() => {});
  const tmpBase = opts.tmpDir ?? os.tmpdir();
  const g0 = performance.now();
  const x = generateXLines({ lines: opts.posts, seed: opts.seed ?? 7 });
  const generateSeconds = (performance.now() - g0) / 1000;
  log(`generated ${x.lines.length.toLocaleString('en-US')} lines (${(x.bytes / 1048576).toFixed(1)} MiB) in ${generateSeconds.toFixed(1)} s`);

  const runs: RunResult[] = [];
  const problems: string[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    const dir = mkdtempSync(path.join(tmpBase, 'earshot-bench-'));
    try {
      const pipeline = await pipelinePhase(x, dir);
      log(`run ${run}/${opts.runs}: pipeline ${Math.round(pipeline.postsPerSecond).toLocaleString('en-US')} posts/s`);
      const raw = rawPhase(x, dir);
      const ratio = raw.postsPerSecond / pipeline.postsPerSecond;
      log(`run ${run}/${opts.runs}: raw insert ${Math.round(raw.postsPerSecond).toLocaleString('en-US')} posts/s, ratio ${ratio.toFixed(2)}`);
      runs.push({ run, pipeline, raw, ratio });
      const say = (p: string) => problems.push(`run ${run}: ${p}`);
      if (pipeline.stored !== x.unique) say(`pipeline stored ${pipeline.stored} posts, expected ${x.unique}`);
      if (pipeline.duplicates !== x.duplicates) say(`pipeline counted ${pipeline.duplicates} duplicates, expected ${x.duplicates}`);
      if (pipeline.conversations <= 0) say('no conversations were created');
      if (pipeline.quarantined > 0) say(`${pipeline.quarantined} lines were quarantined`);
      if (raw.stored !== x.unique) say(`raw insert stored ${raw.stored} rows, expected ${x.unique}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const m = (f: (r: RunResult) => number) => median(runs.map(f));
  const cpus = os.cpus();
  return {
    bench: 'ingest',
    lines: x.lines.length,
    unique: x.unique,
    duplicates: x.duplicates,
    bytes: x.bytes,
    brands: x.brands.length,
    kinds: x.kinds,
    generateSeconds,
    runs,
    median: {
      pipelinePostsPerSecond: m((r) => r.pipeline.postsPerSecond),
      rawPostsPerSecond: m((r) => r.raw.postsPerSecond),
      ratio: m((r) => r.ratio),
      pipelinePeakRssBytes: m((r) => r.pipeline.peakRssBytes),
      rawPeakRssBytes: m((r) => r.raw.peakRssBytes),
      pipelineHeapDeltaBytes: m((r) => r.pipeline.heapDeltaBytes),
      rawHeapDeltaBytes: m((r) => r.raw.heapDeltaBytes),
      pipelineBatchP50Ms: m((r) => r.pipeline.batchP50Ms),
      pipelineBatchP99Ms: m((r) => r.pipeline.batchP99Ms),
      rawBatchP50Ms: m((r) => r.raw.batchP50Ms),
      rawBatchP99Ms: m((r) => r.raw.batchP99Ms),
    },
    checks: { ok: problems.length === 0, problems },
    environment: { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', tmpDir: tmpBase },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const signedMb = (b: number) => `${b >= 0 ? '+' : '−'}${(Math.abs(b) / 1048576).toFixed(1)} MiB`;
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

export function formatIngestBench(r: IngestBenchResult): string {
  const out: string[] = [];
  const k = r.kinds;
  out.push(
    `Ingest benchmark: ${n0(r.lines)} X API v2 filtered-stream lines (${mb(r.bytes)}), ${r.runs.length} ${r.runs.length === 1 ? 'run' : 'runs'}`,
    `  ${n0(r.unique)} posts + ${n0(r.duplicates)} redelivered lines; ${n0(k.mentions)} mentions, ${n0(k.retweets)} retweets, ${n0(k.incidents)} outage posts, ` +
      `${n0(k.brandReplies)} brand replies, ${n0(k.customerAnswers)} customer answers; ${r.brands} brands`,
    `  ${r.environment.node}, ${r.environment.platform}, ${r.environment.cpus} × ${r.environment.cpuModel}; databases under ${r.environment.tmpDir}`,
    '',
  );
  const head = ['run', 'pipeline posts/s', 'raw insert posts/s', 'ratio', 'peak RSS pipeline / raw', 'heap Δ pipeline / raw', 'pipeline batch ms p50 / p99', 'raw batch ms p50 / p99'];
  const rows = [head];
  for (const x of r.runs) {
    rows.push([
      String(x.run),
      n0(x.pipeline.postsPerSecond),
      n0(x.raw.postsPerSecond),
      `${x.ratio.toFixed(2)}×`,
      `${mb(x.pipeline.peakRssBytes)} / ${mb(x.raw.peakRssBytes)}`,
      `${signedMb(x.pipeline.heapDeltaBytes)} / ${signedMb(x.raw.heapDeltaBytes)}`,
      `${ms(x.pipeline.batchP50Ms)} / ${ms(x.pipeline.batchP99Ms)}`,
      `${ms(x.raw.batchP50Ms)} / ${ms(x.raw.batchP99Ms)}`,
    ]);
  }
  const m = r.median;
  rows.push([
    'median',
    n0(m.pipelinePostsPerSecond),
    n0(m.rawPostsPerSecond),
    `${m.ratio.toFixed(2)}×`,
    `${mb(m.pipelinePeakRssBytes)} / ${mb(m.rawPeakRssBytes)}`,
    `${signedMb(m.pipelineHeapDeltaBytes)} / ${signedMb(m.rawHeapDeltaBytes)}`,
    `${ms(m.pipelineBatchP50Ms)} / ${ms(m.pipelineBatchP99Ms)}`,
    `${ms(m.rawBatchP50Ms)} / ${ms(m.rawBatchP99Ms)}`,
  ]);
  out.push(columns(rows), '');
  const last = r.runs[r.runs.length - 1];
  if (last) {
    const p = last.pipeline;
    out.push(
      `stored per run: ${n0(p.stored)} posts, ${n0(p.duplicates)} duplicates skipped, ${n0(p.conversations)} conversations (${n0(p.customers)} customers), ` +
        `${n0(p.quarantined)} quarantined; raw: ${n0(last.raw.stored)} rows, ${n0(last.raw.duplicates)} ignored`,
      `store writes per run: pipeline ${n0(p.batches)} transactions (${(r.lines / Math.max(1, p.batches)).toFixed(1)} posts each on average), ` +
        `raw ${n0(last.raw.batches)} (${(r.lines / Math.max(1, last.raw.batches)).toFixed(1)} each)`,
    );
  }
  out.push(
    'pipeline: normalize + triage + dedupe + thread + store + FTS index (IngestPipeline with its default batchSize 1,000 → SqliteStore)',
    'raw:      JSON.parse + INSERT OR IGNORE of the same rows into a bare posts table, UNIQUE(network, external_id) and the same FTS5 trigger,',
    '          WAL + synchronous=NORMAL, one prepared statement, transactions of 1,000',
    'ratio:    raw ÷ pipeline posts/s. Peak RSS includes the generated lines held in memory; heap Δ is what stays after a full GC.',
  );
  out.push(r.checks.ok ? 'checks: ok (every run stored every distinct post once and counted every redelivery as a duplicate)' : `checks FAILED:\n  ${r.checks.problems.join('\n  ')}`);
  return out.join('\n');
}
