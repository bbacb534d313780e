/**
 * The intent / needs-reply set labelled in this project (`training/intent/labels.csv`, rules in
 * `training/intent/GUIDE.md`), joined to its text in ../shared/data:
 * - `source=twcs` → `twcs_dev_half.csv`, column `tweet_id` (text column `text`), read with the project's RFC 4180
 *   reader (`CsvTable`: quoted fields may hold commas, quotes and line breaks);
 * - `source=semeval` → `semeval2017_task4A_english/*.tsv` (id<TAB>label<TAB>text), files in name order, the first
 *   occurrence of an id.
 * The CSV holds no text; a row whose text cannot be found is an error (the set and the data must agree).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTENTS, type Intent } from '../../core/triage.js';
import { CsvTable } from '../../connectors/files/csv.js';

export const INTENT_LABELS: readonly Intent[] = INTENTS;

export interface IntentExample {
  /** `feedback`: an agent's correction of a stored post (feedback.ts), `id` its post id. */
  source: 'twcs' | 'semeval' | 'feedback';
  id: string;
  text: string;
  /** Index into INTENT_LABELS. */
  intent: number;
  /** 1 when a care agent should answer. */
  needsReply: 0 | 1;
  split: 'train' | 'test';
}

/** Repo root `training/intent/labels.csv`, found from this file. */
export const DEFAULT_LABELS_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../training/intent/labels.csv');

interface LabelRow {
  source: 'twcs' | 'semeval';
  id: string;
  intent: number;
  needsReply: 0 | 1;
  split: 'train' | 'test';
}

function readLabels(file: string): LabelRow[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines[0]?.replace(/\r$/, '').replace(/^\uFEFF/, '');
  if (header !== 'source,id,intent,needs_reply,split') throw new Error(`${file}: unexpected header ${String(header)}`);
  const out: LabelRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const [source, id, intent, needs, split, extra] = line.split(',');
    const k = INTENT_LABELS.indexOf(intent as Intent);
    if (extra !== undefined || (source !== 'twcs' && source !== 'semeval') || id === undefined || !/^\d+$/.test(id) || k < 0 || (needs !== '0' && needs !== '1') || (split !== 'train' && split !== 'test')) {
      throw new Error(`${file}:${i + 1}: bad row ${line}`);
    }
    out.push({ source, id, intent: k, needsReply: needs === '1' ? 1 : 0, split });
  }
  return out;
}

/** tweet_id → text of the wanted ids in `twcs_dev_half.csv`. */
function readTwcsTexts(file: string, wanted: ReadonlySet<string>): Map<string, string> {
  const table = new CsvTable();
  const out = new Map<string, string>();
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const r = table.pushLine(lines[i]!, i + 1);
    if (r === null || 'error' in r) continue;
    const id = r.record.tweet_id ?? '';
    if (wanted.has(id) && !out.has(id)) out.set(id, r.record.text ?? '');
  }
  return out;
}

/** id → text of the wanted ids in the SemEval pool: files in name order, first occurrence of an id. */
function readSemevalTexts(dir: string, wanted: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.tsv')).sort();
  for (const f of files) {
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const t1 = line.indexOf('\t');
      if (t1 < 0) continue;
      const id = line.slice(0, t1);
      if (!wanted.has(id) || out.has(id)) continue;
      const t2 = line.indexOf('\t', t1 + 1);
      if (t2 < 0) continue;
      out.set(id, line.slice(t2 + 1).replace(/[\t\r\n ]+$/, ''));
    }
  }
  return out;
}

/** The labelled set with its texts, in labels.csv order. Deterministic. */
export function readIntentSet(sharedDir: string, labelsFile: string = DEFAULT_LABELS_PATH): IntentExample[] {
  const rows = readLabels(labelsFile);
  const twcs = readTwcsTexts(path.join(sharedDir, 'twcs_dev_half.csv'), new Set(rows.filter((r) => r.source === 'twcs').map((r) => r.id)));
  const semeval = readSemevalTexts(path.join(sharedDir, 'semeval2017_task4A_english'), new Set(rows.filter((r) => r.source === 'semeval').map((r) => r.id)));
  return rows.map((r) => {
    const text = (r.source === 'twcs' ? twcs : semeval).get(r.id);
    if (text === undefined) throw new Error(`labels.csv: no text for ${r.source}:${r.id} in ${sharedDir}`);
    return { ...r, text };
  });
}
