// Mastodon status content is HTML. Earshot stores plain text only; the desk escapes it when rendering.
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function codePoint(n: number): string {
  // Out-of-range, surrogate and NUL code points become U+FFFD rather than throwing or smuggling control bytes.
  if (!Number.isInteger(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(n);
}

/** Decode the entities Mastodon emits (named basics and numeric). Unknown named entities are left as written. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z]{2,8});/g, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return codePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return codePoint(parseInt(body.slice(1), 10));
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

const BLOCK_END = /<\/(?:p|div|li|blockquote|pre|h[1-6])\s*>/gi;

/** HTML → plain text: drops every tag, keeps line structure (<br> → newline, paragraph → blank line). */
export function htmlToText(html: string): string {
  const text = html
    // Content of these elements is never text to show.
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(BLOCK_END, '\n\n')
    // Greedy from the first "<" so nested tricks like "<scr<b>ipt>" cannot reassemble a tag.
    .replace(/<[^>]*>/g, '')
    // An unclosed tag at the very end.
    .replace(/<[a-zA-Z/!?][^>]*$/, '');
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** hrefs of links in the HTML that are not mentions or hashtags (Mastodon marks those with classes). */
export function linksInHtml(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<a\s[^>]*>/gi)) {
    const tag = m[0];
    const cls = /\bclass\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (/\b(mention|hashtag)\b/.test(cls)) continue;
    const href = /\bhref\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    if (href === undefined) continue;
    const url = decodeEntities(href);
    if (/^https?:\/\//i.test(url)) out.push(url);
  }
  return out;
}
