/**
 * Tweet-aware tokenizer for the first-pass triage classifier.
 * One sticky regex pass; no allocation beyond the token objects, so it stays fast on the ingest hot path.
 */

export type TokenKind = 'word' | 'number' | 'mention' | 'hashtag' | 'url' | 'emoji' | 'emoticon' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The text as written. */
  raw: string;
  /**
   * Normalised form: lower-cased; runs of 3+ identical letters squeezed to 2 ("sooooo" → "soo");
   * `@`/`#` stripped from mentions and hashtags; emoji without variation selectors or skin tones.
   */
  norm: string;
  /** Written in capitals (at least two letters, no lower-case letter): "NEVER", "WTF". */
  caps: boolean;
  /** A letter was repeated 3+ times ("sooooo", "noooo"). */
  elongated: boolean;
  /** Inside the scope of a preceding negation ("not", "no", "never", "…n't", "cannot" …). */
  negated: boolean;
}

// Order matters: URLs before emoticons (so "http://" is not ":/"), numbers before emoticons (so "12:30" is no ":3").
const URL = String.raw`(?:https?:\/\/|www\.)[^\s<>"]+`;
const MENTION = String.raw`@[\p{L}\p{N}_](?:[\p{L}\p{N}_.\-@]*[\p{L}\p{N}_])?`;
const HASHTAG = String.raw`#[\p{L}\p{N}_]+`;
const EMOJI = String.raw`(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier}|\u200D\p{Extended_Pictographic})*)`;
// Eyes, optional nose, mouth; plus hearts and a few kaomoji. Must not be followed by a letter or digit.
const EMOTICON = String.raw`(?:<\/?3|>?[:;=8][-'^o]?[()\[\]DPpOo3\/\\|*$@]|[xX][-]?[D()]|\^_+\^|-_+-|[Tt]_+[Tt]|[oO]_[oO]|\(:|\):|D:)(?![\p{L}\p{N}])`;
const NUMBER = String.raw`[$€£]?\p{N}+(?:[.,:]\p{N}+)*%?`;
const WORD = String.raw`[\p{L}\p{M}\p{N}_]+(?:['’\-][\p{L}\p{M}\p{N}]+)*`;
const PUNCT = String.raw`[.,!?;:…]+|[^\s]`;

// One sticky regex per kind; the first character picks which to try, instead of running one big alternation at
// every position (the tokenizer was the slowest stage).
const sticky = (src: string): RegExp => new RegExp(src, 'uy');
const URL_RE = sticky(URL);
const MENTION_RE = sticky(MENTION);
const HASHTAG_RE = sticky(HASHTAG);
const EMOJI_RE = sticky(EMOJI);
const NUMBER_RE = sticky(`${NUMBER}(?![\\p{L}])`);
const EMOTICON_RE = sticky(EMOTICON);
const WORD_RE = sticky(WORD);
const PUNCT_RE = sticky(PUNCT);
/** Characters an emoticon can start with (all ASCII), as a table by character code: one look per token. */
const EMOTICON_START = new Uint8Array(128);
for (const ch of ':;=8<>xXtT^-()Do') EMOTICON_START[ch.charCodeAt(0)] = 1;
const ELONGATION_RE = /(\p{L})\1{2,}/gu;
const EMOJI_MODIFIERS = /\uFE0F|\p{Emoji_Modifier}/gu;

/** Words that open a negation scope. Contractions ending in n't (and their apostrophe-less spellings) count too. */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'cannot', 'nor', 'neither', 'nothing', 'nobody', 'none', 'nowhere', 'without', 'hardly',
  'dont', 'cant', 'wont', 'isnt', 'arent', 'wasnt', 'werent', 'doesnt', 'didnt', 'havent', 'hasnt', 'hadnt',
  'couldnt', 'shouldnt', 'wouldnt', 'aint', 'nope', 'nah',
]);

/** How many words a negation reaches when no punctuation closes it first ("not happy at all with …"). */
const NEGATION_REACH = 4;
/** Words that end a negation scope as punctuation does: the clause changes. */
const SCOPE_BREAKERS: ReadonlySet<string> = new Set(['but', 'however', 'although', 'though', 'yet']);

export function isNegator(norm: string): boolean {
  return NEGATORS.has(norm) || norm.endsWith("n't");
}

function matchAt(re: RegExp, text: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m !== null && m[0].length > 0 ? m[0] : null;
}

/** Kind of the token `next` last returned; a module-level slot saves allocating a pair per token. */
let lastKind: TokenKind = 'punct';

function hit(kind: TokenKind, raw: string): string {
  lastKind = kind;
  return raw;
}

/** The token starting at `pos`: same precedence as listed above, tried only where the first character allows. */
function next(text: string, pos: number): string {
  const c = text.charCodeAt(pos);
  let raw: string | null;
  if (c === 64 /* @ */ && (raw = matchAt(MENTION_RE, text, pos))) return hit('mention', raw);
  if (c === 35 /* # */ && (raw = matchAt(HASHTAG_RE, text, pos))) return hit('hashtag', raw);
  // A URL starts with "http" or "www." (the regex is case-sensitive): checked before running it on every h/w word.
  if (((c === 104 && text.startsWith('http', pos)) || (c === 119 && text.startsWith('www.', pos))) && (raw = matchAt(URL_RE, text, pos))) {
    return hit('url', raw);
  }
  if (c >= 0x80 && (raw = matchAt(EMOJI_RE, text, pos))) return hit('emoji', raw);
  // Digits, '$', and anything beyond ASCII ('€', '£', other scripts' digits).
  if (((c >= 48 && c <= 57) || c === 36 || c > 0x7f) && (raw = matchAt(NUMBER_RE, text, pos))) {
    return hit('number', raw);
  }
  // A letter starts an emoticon ("xD", "T_T", "D:") only when a lower-case letter does not follow it.
  const n = text.charCodeAt(pos + 1);
  if (c < 128 && EMOTICON_START[c] === 1 && !(n >= 97 && n <= 122) && (raw = matchAt(EMOTICON_RE, text, pos))) return hit('emoticon', raw);
  if (c < 0x80 && (raw = asciiWordAt(text, pos))) return hit('word', raw);
  if ((raw = matchAt(WORD_RE, text, pos))) return hit('word', raw);
  lastKind = 'punct';
  return matchAt(PUNCT_RE, text, pos) ?? text[pos] ?? '';
}

function hasTriple(s: string): boolean {
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === s.charCodeAt(i - 1) && c === s.charCodeAt(i - 2)) return true;
  }
  return false;
}

function isSkippable(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x85 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
    (c >= 0x2066 && c <= 0x2069) || c === 0x205f || c === 0x3000 || c === 0xfeff || c === 0x1680
  );
}

const isAsciiWordChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/** Fast path for plain ASCII words; null when the word goes on into other scripts and needs the full regex. */
function asciiWordAt(text: string, pos: number): string | null {
  let i = pos;
  for (;;) {
    while (i < text.length && isAsciiWordChar(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    // An apostrophe or hyphen joins two word parts ("don't", "wi-fi").
    if ((c === 39 || c === 0x2019 || c === 45) && i + 1 < text.length && isAsciiWordChar(text.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (i < text.length && c >= 0x80) return null;
    return i > pos ? text.slice(pos, i) : null;
  }
}

/** For an ASCII string: bit 1 set when it has a capital A–Z, bit 2 when a small a–z; −1 when it is not all ASCII. */
function asciiCase(s: string): number {
  let r = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    if (c >= 65 && c <= 90) r |= 1;
    else if (c >= 97 && c <= 122) r |= 2;
  }
  return r;
}

function makeToken(kind: TokenKind, raw: string): Token {
  let norm = raw;
  let caps = false;
  let elongated = false;
  switch (kind) {
    case 'word':
    case 'hashtag':
    case 'mention': {
      const body = kind === 'word' ? raw : raw.slice(1);
      const ascii = asciiCase(body);
      let lower: string;
      if (ascii >= 0) {
        // ASCII only (most words): one scan says what the case conversions below would find, and there is no '’'.
        const hasUpper = (ascii & 1) !== 0;
        lower = hasUpper ? body.toLowerCase() : body;
        caps = body.length >= 2 && hasUpper && (ascii & 2) === 0;
      } else {
        lower = body.toLowerCase();
        // Has an upper-case letter (lower differs) and no lower-case one (upper equals): plain string ops, no regex.
        caps = body.length >= 2 && lower !== body && body.toUpperCase() === body;
      }
      norm = ascii < 0 && lower.includes('’') ? lower.replace(/’/g, "'") : lower;
      if (kind !== 'mention' && hasTriple(norm)) {
        const squeezed = norm.replace(ELONGATION_RE, '$1$1');
        elongated = squeezed.length !== norm.length;
        norm = squeezed;
      }
      break;
    }
    case 'emoji':
      norm = raw.replace(EMOJI_MODIFIERS, '');
      break;
    case 'emoticon':
      // ":-)" and ":)" mean the same; "XD" and "xd" too.
      norm = raw.replace(/^([:;=8])[-'^o](?=.)/, '$1').toLowerCase();
      break;
    case 'punct':
      norm = raw.length > 1 && /^[!?.]+$/.test(raw) ? raw.slice(0, 3) : raw;
      break;
    default:
      norm = raw.toLowerCase();
  }
  return { kind, raw, norm, caps, elongated, negated: false };
}

/** Punctuation that closes a clause (and so a negation scope): any of . , ! ? ; : … in it (a loop, not a regex). */
function closesClause(t: Token): boolean {
  if (t.kind !== 'punct') return false;
  const raw = t.raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 46 || c === 44 || c === 33 || c === 63 || c === 59 || c === 58 || c === 0x2026) return true;
  }
  return false;
}

/**
 * Split a post into tokens. Total on any string: unknown characters become single-character punct tokens,
 * whitespace and bidi/zero-width marks are skipped.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (isSkippable(text.charCodeAt(pos))) {
      pos++;
      continue;
    }
    const raw = next(text, pos);
    out.push(makeToken(lastKind, raw));
    // `raw` is never empty (PUNCT matches any non-space, a lone surrogate falls back to one code unit).
    pos += Math.max(1, raw.length);
  }
  markNegation(out);
  return out;
}

/** Mark the words after a negator as negated, until punctuation, a "but", or NEGATION_REACH words. */
function markNegation(tokens: Token[]): void {
  let left = 0;
  for (const t of tokens) {
    if (closesClause(t) || (t.kind === 'word' && SCOPE_BREAKERS.has(t.norm))) {
      left = 0;
      continue;
    }
    if (t.kind === 'word' && isNegator(t.norm)) {
      left = NEGATION_REACH;
      continue;
    }
    if (left > 0 && (t.kind === 'word' || t.kind === 'emoji' || t.kind === 'emoticon' || t.kind === 'hashtag')) {
      t.negated = true;
      left -= 1;
    }
  }
}
