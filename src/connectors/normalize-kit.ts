// Shared, pure helpers for the normalizers. Every field of a payload from a stranger is `unknown` until one of
// these has checked it; every failure is a MalformedPayloadError whose reason names the field.
import { MalformedPayloadError } from '../core/errors.js';
import type { Network } from '../core/network.js';
import type { NormalizedPost } from '../core/post.js';

/** What one raw payload turns into. Defined here (not in formats.ts) so the normalizers need not import the registry. */
export interface NormalizeResult {
  posts: NormalizedPost[];
  /** Why a payload carries no posts (keep-alive, like, users lookup, …); absent when it held posts. */
  ignored?: string;
  deletes?: Array<{ network: Network; externalId: string }>;
}

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function fail(reason: string): never {
  throw new MalformedPayloadError(reason);
}

/** Quote a hostile value for an error message without letting it flood the quarantine reason. */
export function clip(v: unknown, max = 60): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A required string field. */
export function reqString(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (v === undefined || v === null) fail(`${what} without ${key}`);
  if (typeof v !== 'string') fail(`${what} ${key} is ${typeName(v)}, not a string`);
  return v;
}

/** A required, non-empty string field (ids). */
export function reqId(o: Obj, key: string, what: string): string {
  const v = reqString(o, key, what);
  if (v.trim() === '') fail(`${what} has an empty ${key}`);
  return v;
}

/** An optional string field: absent or null → null. */
export function optString(o: Obj, key: string, what: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(`${what} ${key} is ${typeName(v)}, not a string`);
  return v;
}

/** An optional non-negative finite number. */
export function optCount(o: Obj, key: string, what: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${what} ${key} is not a count`);
  return v;
}

export function optObject(o: Obj, key: string, what: string): Obj | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (!isObject(v)) fail(`${what} ${key} is ${typeName(v)}, not an object`);
  return v;
}

export function optArray(o: Obj, key: string, what: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${what} ${key} is ${typeName(v)}, not an array`);
  return v;
}

// ISO 8601 as networks emit it. Date.parse alone is too lenient ("1" parses as the year 2001).
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** ISO 8601 timestamp → epoch ms, or null when it is not one. */
export function tryIsoDate(s: string): number | null {
  if (!ISO_DATE.test(s)) return null;
  // Date.parse copes with at most millisecond precision; trim extra fraction digits.
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : null;
}

export function isoDate(s: string, what: string): number {
  const ms = tryIsoDate(s);
  if (ms === null) fail(`${what} has an invalid date: ${clip(s)}`);
  return ms;
}

/** Lower-cased, de-duplicated, in first-seen order; empty strings dropped. */
export function uniqLower(items: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const s of items) {
    const t = s.trim().toLowerCase();
    if (t !== '') out.add(t);
  }
  return [...out];
}

export function uniq(items: Iterable<string>): string[] {
  return [...new Set([...items].filter((s) => s !== ''))];
}

export function keyList(o: Obj, max = 8): string {
  const keys = Object.keys(o);
  const shown = keys.slice(0, max).map((k) => clip(k, 30));
  return keys.length > max ? `${shown.join(', ')}, …` : shown.join(', ');
}
