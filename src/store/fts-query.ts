/**
 * Turns what a person types in the search box into a safe full-text query: every word must appear, a trailing `*`
 * means prefix, "quoted phrases" stay phrases. Operators and punctuation from the input are never passed through,
 * so no input can produce a syntax error or a surprising query.
 */
export interface SearchTerm {
  text: string;
  prefix: boolean;
  phrase: boolean;
}

export function parseSearch(input: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const re = /"([^"]*)"|(\S+)/gu;
  for (const m of input.slice(0, 500).matchAll(re)) {
    if (m[1] !== undefined) {
      const words = m[1].match(/[\p{L}\p{N}_]+/gu);
      if (words?.length) terms.push({ text: words.join(' '), prefix: false, phrase: true });
      continue;
    }
    const raw = m[2] ?? '';
    const prefix = raw.endsWith('*');
    const words = raw.match(/[\p{L}\p{N}_]+/gu) ?? [];
    words.forEach((w, i) => terms.push({ text: w, prefix: prefix && i === words.length - 1, phrase: false }));
  }
  return terms.slice(0, 20);
}

/** FTS5 MATCH expression, or null when nothing searchable was typed. */
export function toFts5(input: string): string | null {
  const terms = parseSearch(input);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.text.replace(/"/g, '""')}"${t.prefix ? '*' : ''}`).join(' AND ');
}

/** PostgreSQL tsquery text for to_tsquery('simple', ...). */
export function toTsQuery(input: string): string | null {
  const terms = parseSearch(input);
  if (terms.length === 0) return null;
  return terms
    .map((t) => {
      const words = t.text.toLowerCase().split(' ');
      const q = words.map((w) => `'${w.replace(/'/g, "''")}'`).join(' <-> ');
      return t.prefix ? `${q}:*` : q;
    })
    .join(' & ');
}
