// RFC 4180 CSV, read one physical line at a time so files stream in constant memory. Quoted fields may hold
// commas, doubled quotes and line breaks; a record may therefore span several lines and is reported at its first.

export interface CsvRow {
  /** 1-based line number where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvError {
  line: number;
  error: string;
  /** The start of the offending record's text. */
  sample: string;
}

export const MAX_RECORD_CHARS = 1024 * 1024;
const SAMPLE = 2000;

/**
 * Assembles physical lines (terminators already removed, CR included or not) into records. `pushLine` returns
 * a finished row or error, or null while a quoted field is still open.
 */
export class CsvAssembler {
  private parts: string[] = [];
  private size = 0;
  private startLine = 0;
  // Quote state carried across lines, so each character is scanned once (no re-parsing on every line).
  private inQuoted = false;
  private fieldStart = true;

  constructor(private readonly maxChars = MAX_RECORD_CHARS) {}

  get pending(): boolean {
    return this.parts.length > 0;
  }

  pushLine(text: string, line: number): CsvRow | CsvError | null {
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (this.parts.length === 0) this.startLine = line;
    this.parts.push(text);
    this.size += text.length + 1;
    this.scan(text);
    if (this.inQuoted) {
      if (this.size > this.maxChars) return this.abort(`record longer than ${this.maxChars} characters (unclosed quote?)`);
      return null;
    }
    const joined = this.parts.join('\n');
    const parsed = parseRecord(joined);
    this.reset();
    if (parsed === 'open') return { line: this.startLine, error: 'unclosed quoted field', sample: joined.slice(0, SAMPLE) };
    if (typeof parsed === 'string') return { line: this.startLine, error: parsed, sample: joined.slice(0, SAMPLE) };
    return { line: this.startLine, fields: parsed };
  }

  /** Give up on the record being assembled (e.g. a line inside it could not be read). */
  abort(reason: string): CsvError | null {
    if (this.parts.length === 0) return null;
    const err = { line: this.startLine, error: reason, sample: this.parts.join('\n').slice(0, SAMPLE) };
    this.reset();
    return err;
  }

  /** End of input: a record still open has an unclosed quote. */
  end(): CsvError | null {
    return this.abort('unclosed quoted field at end of input');
  }

  private scan(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inQuoted) {
        if (c === '"') {
          if (text[i + 1] === '"') i++;
          else this.inQuoted = false;
        }
      } else if (c === ',') this.fieldStart = true;
      else {
        if (c === '"' && this.fieldStart) this.inQuoted = true;
        this.fieldStart = false;
      }
    }
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.inQuoted = false;
    this.fieldStart = true;
  }
}

/** Fields of one complete record; 'open' if a quoted field runs past the end; a string when malformed. */
export function parseRecord(text: string): string[] | 'open' | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) return 'open';
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return `unexpected character after closing quote in field ${fields.length}`;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? text.length : comma;
      // A bare quote inside an unquoted field is kept literally (common in the wild, harmless).
      fields.push(text.slice(i, end));
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}

/** Records of a whole CSV text keyed by its header; rows with the wrong field count are errors. For tests and small inputs. */
export function parseCsvText(text: string): Array<{ line: number; record: Record<string, string> } | CsvError> {
  const table = new CsvTable();
  const out: Array<{ line: number; record: Record<string, string> } | CsvError> = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, idx) => {
    const item = table.pushLine(l, idx + 1);
    if (item !== null) out.push(item);
  });
  const last = table.end();
  if (last !== null) out.push(last);
  return out;
}

/** A CSV with a header row: yields records as objects keyed by column name. */
export class CsvTable {
  private readonly assembler: CsvAssembler;
  private header: string[] | null = null;

  constructor(maxChars = MAX_RECORD_CHARS) {
    this.assembler = new CsvAssembler(maxChars);
  }

  get columns(): readonly string[] | null {
    return this.header;
  }

  pushLine(text: string, line: number): { line: number; record: Record<string, string> } | CsvError | null {
    // A blank line between records carries nothing.
    if (!this.assembler.pending && text.replace(/\r$/, '') === '') return null;
    const row = this.assembler.pushLine(text, line);
    if (row === null || 'error' in row) return row;
    if (this.header === null) {
      this.header = row.fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f));
      return null;
    }
    if (row.fields.length !== this.header.length) {
      return { line: row.line, error: `expected ${this.header.length} fields, got ${row.fields.length}`, sample: row.fields.join(',').slice(0, SAMPLE) };
    }
    const record: Record<string, string> = {};
    this.header.forEach((name, i) => {
      record[name] = row.fields[i] ?? '';
    });
    return { line: row.line, record };
  }

  abort(reason: string): CsvError | null {
    return this.assembler.abort(reason);
  }

  end(): CsvError | null {
    return this.assembler.end();
  }
}
