/**
 * `earshot classify [FILE]`: triage text from FILE or stdin, one JSON object out per line in. A line is plain text,
 * or a JSON object (it starts with `{`) with a string `text` field (and optionally `id`, echoed back, and `lang`).
 * Blank and broken lines get `{"line": n, "error": "…"}` and the stream goes on. Streams: readline in, batched
 * writes out that wait for the output to drain, so memory stays flat on a million lines.
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Classifier, TriageResult } from '../../core/index.js';
import { createClassifier, textPost } from '../../triage/classifier.js';
import type { CliIo } from '../run.js';

export interface ClassifyOptions {
  /** Where lines come from when no file is given (default: stdin). */
  input?: NodeJS.ReadableStream;
  /** Where results go (default: stdout). */
  output?: NodeJS.WritableStream;
  classifier?: Classifier;
}

export interface ClassifySummary {
  lines: number;
  errors: number;
}

/** Flush the output buffer at this many characters. */
const CHUNK = 64 * 1024;

type Parsed = { text: string; lang: string | null; id?: string | number } | { error: string };

/** What a line holds: text to classify, or why there is none. */
export function parseLine(line: string): Parsed {
  const trimmed = line.trim();
  if (trimmed === '') return { error: 'blank line' };
  if (!trimmed.startsWith('{')) return { text: line, lang: null };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    return { error: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  if (typeof o.text !== 'string') return { error: 'no string "text" field' };
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : undefined;
  return { text: o.text, lang: typeof o.lang === 'string' ? o.lang : null, ...(id === undefined ? {} : { id }) };
}

/** Resolves when `out` drains, closes or fails (the failure itself is handled by the command's error listener). */
function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/** The output object of a classified line: snake_case, like the API. */
export function resultObject(line: number, id: string | number | undefined, r: TriageResult): Record<string, unknown> {
  return {
    line,
    ...(id === undefined ? {} : { id }),
    sentiment: r.sentiment,
    sentiment_score: r.sentimentScore,
    intent: r.intent,
    intent_score: r.intentScore,
    needs_reply: r.needsReply,
    priority: r.priority,
    language: r.language,
    reasons: r.reasons,
  };
}

export async function classifyCommand(file: string | undefined, opts: ClassifyOptions, io: CliIo): Promise<ClassifySummary> {
  const classifier = opts.classifier ?? createClassifier();
  const output = opts.output ?? process.stdout;
  const input = file === undefined ? (opts.input ?? process.stdin) : createReadStream(file);
  // A missing or unreadable file fails before any output, with run.ts's plain message (ENOENT → not_found).
  if (file !== undefined) await once(input, 'open');

  let closed = false;
  const onOutputError = (e: NodeJS.ErrnoException): void => {
    // The reader went away (`earshot classify big.txt | head`): stop quietly.
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else io.err(`earshot: output: ${e.message}`);
    closed = true;
  };
  output.on('error', onOutputError);

  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let errors = 0;
  let buf = '';
  const flush = async (): Promise<void> => {
    if (buf === '' || closed) return;
    const ok = output.write(buf);
    buf = '';
    if (!ok && !closed) await drained(output);
  };
  try {
    for await (const line of rl) {
      n++;
      const p = parseLine(line);
      let obj: Record<string, unknown>;
      if ('error' in p) {
        errors++;
        obj = { line: n, error: p.error };
      } else {
        obj = resultObject(n, p.id, classifier.classify(textPost(p.text, p.lang)));
      }
      buf += `${JSON.stringify(obj)}\n`;
      if (buf.length >= CHUNK) await flush();
      if (closed) break;
    }
    await flush();
  } finally {
    rl.close();
    if (file !== undefined) (input as ReturnType<typeof createReadStream>).destroy();
    // The error listener stays: an EPIPE can still arrive after the last write.
  }
  return { lines: n, errors };
}
