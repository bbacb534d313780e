/** `earshot quarantine`: what ingestion refused, where it came from and why, newest first. */
import path from 'node:path';
import type { QuarantineRecord } from '../../core/records.js';
import { int, oneLine } from '../format.js';
import type { CliIo } from '../run.js';
import { withStore } from '../store.js';

export interface QuarantineOptions {
  limit: number;
  offset?: number;
  json?: boolean;
}

const SAMPLE = 120;

/** A file path relative to the working directory when it is below it; connector names stay as they are. */
function shortSource(source: string): string {
  if (!path.isAbsolute(source)) return source;
  const rel = path.relative(process.cwd(), source);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : source;
}

export function formatQuarantine(items: QuarantineRecord[], total: number, offset: number): string {
  if (total === 0) return 'Nothing is quarantined.';
  const lines: string[] = [];
  const shown = items.length === total ? `${int(total)} quarantined ${total === 1 ? 'record' : 'records'}` : `${int(items.length)} of ${int(total)} quarantined records`;
  lines.push(`${shown}, newest first${offset > 0 ? ` (from #${offset + 1})` : ''}:`);
  for (const q of items) {
    const at = q.line === null ? shortSource(q.source) : `${shortSource(q.source)}:${q.line}`;
    lines.push('');
    lines.push(`${at}  ${q.reason}`);
    lines.push(`    ${oneLine(q.sample, SAMPLE) || '(empty)'}`);
  }
  if (offset + items.length < total) lines.push('', `${int(total - offset - items.length)} more: use --limit or --offset to see them.`);
  return lines.join('\n');
}

export async function quarantineCommand(opts: QuarantineOptions, io: CliIo): Promise<{ items: QuarantineRecord[]; total: number }> {
  const offset = opts.offset ?? 0;
  return withStore(io, { create: false }, async (store) => {
    const page = await store.listQuarantine({ limit: opts.limit, offset });
    if (opts.json) {
      io.out(JSON.stringify({ total: page.total, offset, items: page.items.map((q) => ({ ...q, receivedAt: new Date(q.receivedAt).toISOString() })) }, null, 2));
    } else {
      io.out(formatQuarantine(page.items, page.total, offset));
    }
    return page;
  });
}
