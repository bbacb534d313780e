// The registry of input formats, format detection, and the file reader used by `earshot import` / replay.
import { MalformedPayloadError } from '../core/errors.js';
import type { RawPayload } from '../core/ports.js';
import { normalizeBlueskyEvent, isBlueskyEvent } from './bluesky/normalize.js';
import { JsonSplitter } from './files/json-split.js';
import { MAX_LINE_BYTES, SAMPLE_CHARS, readLines } from './files/lines.js';
import { isEarshotRecord, normalizeEarshotLine } from './files/ndjson.js';
import { CsvTable, TWCS_HEADER, isTwcsRecord, normalizeTwcsRecord } from './files/twcs.js';
import { isMastodonPayload, normalizeMastodon } from './mastodon/normalize.js';
import { type NormalizeResult, type Obj, clip, isObject, keyList } from './normalize-kit.js';
import { isXPayload, normalizeXPayload } from './x/normalize.js';

export type { NormalizeResult } from './normalize-kit.js';

export type FormatName = 'x-v2' | 'bluesky-jetstream' | 'mastodon' | 'twcs-csv' | 'earshot-ndjson';

export interface Format {
  name: FormatName;
  detect(value: unknown): boolean;
  normalize(value: unknown): NormalizeResult;
}

/** A record the reader could not hand on; quarantined with its reason. */
export interface RejectedRecord {
  source: string;
  line: number;
  reason: string;
  /** The first 2,000 characters of the record. */
  sample: string;
}

// Detection order matters: the most specific shapes first; X's `{data: …}` envelope is the loosest, so last.
const FORMATS: readonly Format[] = [
  { name: 'earshot-ndjson', detect: isEarshotRecord, normalize: normalizeEarshotLine },
  { name: 'twcs-csv', detect: isTwcsRecord, normalize: normalizeTwcsRecord },
  { name: 'bluesky-jetstream', detect: isBlueskyEvent, normalize: normalizeBlueskyEvent },
  { name: 'mastodon', detect: isMastodonPayload, normalize: normalizeMastodon },
  { name: 'x-v2', detect: isXPayload, normalize: normalizeXPayload },
];

export const FORMAT_NAMES: readonly FormatName[] = FORMATS.map((f) => f.name);

export function isFormatName(v: unknown): v is FormatName {
  return typeof v === 'string' && (FORMAT_NAMES as readonly string[]).includes(v);
}

export function getFormat(name: FormatName): Format {
  const f = FORMATS.find((x) => x.name === name);
  if (f === undefined) throw new Error(`unknown format ${name}`);
  return f;
}

export function detectFormat(value: unknown): FormatName | null {
  return FORMATS.find((f) => f.detect(value))?.name ?? null;
}

export function isRejected(item: RawPayload | RejectedRecord): item is RejectedRecord {
  return 'reason' in item;
}

// ---------------------------------------------------------------------------------------------------------------
// Recorded wrappers: test fixtures and archives that hold a payload inside a record of how it was obtained.

type Unwrapped = { value: unknown; format: FormatName | null } | { ignored: string; format: FormatName };

/** `{request:{method,uri}, status, body}`: a recorded HTTP exchange (tweepy / academictwitteR cassettes). */
function isHttpExchange(v: Obj): boolean {
  return isObject(v.request) && typeof v.request.uri === 'string' && typeof v.status === 'number' && 'body' in v;
}

/** `{kind:'sse_event'|'json_example', data}`: an example from the Mastodon documentation. */
function isDocsExample(v: Obj): boolean {
  return (v.kind === 'sse_event' || v.kind === 'json_example') && 'data' in v && typeof v.source === 'string';
}

function hostFormat(uri: string): FormatName | null {
  return /^https?:\/\/(?:api\.)?(?:twitter|x)\.com\//i.test(uri) ? 'x-v2' : null;
}

function unwrap(value: unknown): Unwrapped {
  if (!isObject(value)) return { value, format: null };
  if (isHttpExchange(value)) {
    const req = value.request as Obj;
    const status = value.status as number;
    const format = hostFormat(req.uri as string) ?? detectFormat(value.body);
    const what = `recorded ${typeof req.method === 'string' ? clip(req.method, 10) : 'HTTP'} ${clip(String(req.uri).replace(/\?.*$/, ''), 80)}`;
    if (status < 200 || status > 299) return { ignored: `${what}: HTTP ${status}`, format: format ?? 'x-v2' };
    if (value.body === null || value.body === undefined) return { ignored: `${what}: no body`, format: format ?? 'x-v2' };
    return { value: value.body, format };
  }
  if (isDocsExample(value)) {
    // SSE examples carry the event name beside the parsed payload: rebuild the streaming envelope.
    if (value.kind === 'sse_event') return { value: { event: value.event, payload: value.data }, format: 'mastodon' };
    return { value: value.data, format: 'mastodon' };
  }
  return { value, format: null };
}

// ---------------------------------------------------------------------------------------------------------------

function describe(value: unknown): string {
  if (value === null) return 'JSON null';
  if (Array.isArray(value)) return value.length === 0 ? 'empty JSON array' : `JSON array of ${isObject(value[0]) ? `objects with keys ${keyList(value[0])}` : typeof value[0]}`;
  if (isObject(value)) return Object.keys(value).length === 0 ? 'empty object' : `keys ${keyList(value)}`;
  return `JSON ${typeof value}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new MalformedPayloadError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Parse (when the data is text) and normalize one raw payload; detect the format when none is given. */
export function normalizeRaw(raw: RawPayload): NormalizeResult & { format: FormatName } {
  const forced = raw.format;
  if (forced !== null && !isFormatName(forced)) throw new MalformedPayloadError(`unknown format: ${clip(forced, 40)}`);
  let value: unknown;
  if (typeof raw.data === 'string') {
    if (forced === 'twcs-csv') throw new MalformedPayloadError('twcs-csv payload must be a parsed record object, not text');
    // Measured in UTF-16 units: a cheap upper bound check that needs no encoding pass.
    if (raw.data.length > MAX_LINE_BYTES) throw new MalformedPayloadError('line longer than 1 MiB');
    if (raw.data.trim() === '') throw new MalformedPayloadError('empty payload');
    value = parseJson(raw.data);
  } else {
    value = raw.data;
  }
  const unwrapped = unwrap(value);
  if ('ignored' in unwrapped) return { posts: [], ignored: unwrapped.ignored, format: forced ?? unwrapped.format };
  const format = forced ?? unwrapped.format ?? detectFormat(unwrapped.value);
  if (format === null) throw new MalformedPayloadError(`unrecognised payload: ${describe(unwrapped.value)}`);
  try {
    return { ...getFormat(format).normalize(unwrapped.value), format };
  } catch (e) {
    if (e instanceof MalformedPayloadError) throw e;
    // Safety net: a normalizer bug must quarantine the record, not stop the ingestion loop.
    throw new MalformedPayloadError(`${format} normalizer failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// File reading

type Mode = 'jsonl' | 'split' | 'csv';

function chooseMode(filePath: string, firstLine: string, forced: FormatName | undefined): Mode {
  if (forced === 'twcs-csv' || /\.csv$/i.test(filePath) || firstLine.replace(/^\uFEFF/, '').trim() === TWCS_HEADER) return 'csv';
  const t = firstLine.replace(/^\uFEFF/, '').trim();
  // A top-level array, or an object pretty-printed over several lines; JSON Lines otherwise.
  if (t.startsWith('[')) return 'split';
  // A pretty-printer puts the opening brace alone on its line; a cut-off JSON line never looks like that.
  if (t === '{') return 'split';
  return 'jsonl';
}

function rejected(source: string, line: number, reason: string, sample: string): RejectedRecord {
  return { source, line, reason, sample: sample.slice(0, SAMPLE_CHARS) };
}

/**
 * Stream a file's records in constant memory: JSON Lines, a JSON array / multi-line JSON document, or a TWCS CSV.
 * Yields RawPayloads (format set when forced or known) and RejectedRecords; blank lines are skipped.
 */
export async function* readRecords(filePath: string, opts: { format?: FormatName } = {}): AsyncGenerator<RawPayload | RejectedRecord> {
  const source = filePath;
  const forced = opts.format ?? null;
  let mode: Mode | null = null;
  let csv: CsvTable | null = null;
  let splitter: JsonSplitter | null = null;

  for await (const pl of readLines(filePath)) {
    if ('error' in pl) {
      // An unreadable line inside a multi-line record spoils that record too.
      const partial = csv?.abort(`record contains an unreadable line ${pl.line}`) ?? null;
      if (partial !== null) yield rejected(source, partial.line, partial.error, partial.sample);
      splitter?.reset();
      yield rejected(source, pl.line, pl.error, pl.sample);
      continue;
    }
    if (mode === null) {
      if (pl.text.trim() === '') continue;
      mode = chooseMode(filePath, pl.text, opts.format);
      if (mode === 'csv') csv = new CsvTable();
      if (mode === 'split') splitter = new JsonSplitter(MAX_LINE_BYTES);
    }
    if (csv !== null) {
      const item = csv.pushLine(pl.text, pl.line);
      if (item === null) continue;
      if ('error' in item) yield rejected(source, item.line, item.error, item.sample);
      else yield { format: 'twcs-csv', data: item.record, source, line: item.line };
      continue;
    }
    if (splitter !== null) {
      for (const v of splitter.push(pl.text, pl.line)) {
        if ('error' in v) yield rejected(source, v.line, v.error, v.sample);
        else yield { format: forced, data: v.text, source, line: v.line };
      }
      continue;
    }
    if (pl.text.trim() === '') continue;
    // A last line without its newline is often a cut-off write: say so if it does not parse.
    if (pl.final && !parses(pl.text)) {
      yield rejected(source, pl.line, 'truncated last line (invalid JSON, no final newline)', pl.text);
      continue;
    }
    yield { format: forced, data: pl.text, source, line: pl.line };
  }
  const tail = csv?.end() ?? splitter?.end() ?? null;
  if (tail !== null) yield rejected(source, tail.line, tail.error, tail.sample);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
