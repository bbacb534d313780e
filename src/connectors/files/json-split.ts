// Splits a JSON document that spans lines (a pretty-printed object, or a top-level array) into its top-level
// values, and the elements of a top-level array, line by line. Each value is handed on as text; nothing is
// parsed here and no value is held beyond the size limit.

export interface SplitValue {
  line: number;
  text: string;
}
export interface SplitError {
  line: number;
  error: string;
  sample: string;
}

const SAMPLE = 2000;

export class JsonSplitter {
  private parts: string[] = [];
  private size = 0;
  private startLine = 0;
  private inValue = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private overflow = false;
  /** Inside the top-level array whose elements are the values. */
  private inArray = false;

  constructor(private readonly maxChars: number) {}

  push(text: string, line: number): Array<SplitValue | SplitError> {
    const out: Array<SplitValue | SplitError> = [];
    let from = 0;
    const src = `${text}\n`;
    for (let i = 0; i < src.length; i++) {
      const c = src[i] as string;
      if (!this.inValue) {
        if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') continue;
        if (this.inArray && c === ',') continue;
        if (this.inArray && c === ']') {
          this.inArray = false;
          continue;
        }
        if (!this.inArray && c === '[' ) {
          this.inArray = true;
          continue;
        }
        this.begin(line);
        from = i;
      }
      if (this.step(c)) {
        this.append(src.slice(from, this.scalar ? i : i + 1));
        out.push(this.emit());
        // A scalar ends at the character that ended it; let the outer loop see that character again.
        if (this.scalar) i--;
        this.inValue = false;
      }
    }
    if (this.inValue) this.append(src.slice(from));
    return out;
  }

  /** End of input: an unfinished value is an error. */
  end(): SplitError | null {
    if (!this.inValue) return this.inArray ? { line: this.startLine, error: 'unterminated JSON array', sample: '' } : null;
    this.inValue = false;
    return { line: this.startLine, error: 'truncated JSON value at end of input', sample: this.parts.join('').slice(0, SAMPLE) };
  }

  /** Forget the value being read (a line inside it could not be read). */
  reset(): void {
    this.inValue = false;
    this.parts = [];
    this.size = 0;
  }

  private begin(line: number): void {
    this.inValue = true;
    this.startLine = line;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.overflow = false;
    this.parts = [];
    this.size = 0;
    this.scalar = false;
    this.first = true;
  }

  private first = true;

  /** Advance over one character; true when the value is complete. */
  private step(c: string): boolean {
    if (this.first) {
      this.first = false;
      if (c === '{' || c === '[') {
        this.depth = 1;
        return false;
      }
      if (c === '"') {
        this.inString = true;
        return false;
      }
      this.scalar = true;
      return false;
    }
    if (this.scalar) return c === ',' || c === ']' || c === '}' || c === ' ' || c === '\n' || c === '\r' || c === '\t';
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === '\\') this.escaped = true;
      else if (c === '"') {
        this.inString = false;
        return this.depth === 0;
      }
      return false;
    }
    if (c === '"') this.inString = true;
    else if (c === '{' || c === '[') this.depth++;
    else if (c === '}' || c === ']') {
      this.depth--;
      return this.depth === 0;
    }
    return false;
  }

  private append(s: string): void {
    if (this.overflow) return;
    if (this.size + s.length > this.maxChars) {
      this.parts.push(s.slice(0, Math.max(0, SAMPLE - this.size)));
      this.overflow = true;
      return;
    }
    this.parts.push(s);
    this.size += s.length;
  }

  private emit(): SplitValue | SplitError {
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.overflow) return { line: this.startLine, error: 'record longer than 1 MiB', sample: text.slice(0, SAMPLE) };
    return { line: this.startLine, text };
  }
}
