/**
 * Everything the intent rules and the priority formula look at, computed once per post from its tokens.
 */
import type { Token } from './tokenize.js';
import {
  IDEA_PHRASES,
  NEWS_PHRASES,
  PERSONAL_PRONOUNS,
  PROBLEM_WORDS,
  QUESTION_OPENERS,
  REQUEST_PHRASES,
  SALES_STRONG,
  SALES_WEAK,
  SPAM_PHRASES,
  URGENCY_PHRASES,
  URGENCY_WORDS,
} from './phrases.js';

/** The phrase lists, by the name the rules use for them. */
const PHRASE_LISTS = {
  spam: SPAM_PHRASES,
  salesStrong: SALES_STRONG,
  salesWeak: SALES_WEAK,
  news: NEWS_PHRASES,
  idea: IDEA_PHRASES,
  request: REQUEST_PHRASES,
  urgency: URGENCY_PHRASES,
} as const;
export type PhraseList = keyof typeof PHRASE_LISTS;
export type PhraseHits = Partial<Record<PhraseList, string[]>>;

export interface Features {
  /** Normalised words, numbers and hashtags in order: what phrase lists are matched against. */
  terms: string[];
  /** Phrases of each list found in `terms`; a list with no hit has no key. */
  phrases: PhraseHits;
  words: number;
  mentions: number;
  hashtags: number;
  urls: number;
  /** Letters in the post are all capitals (and there are enough of them to mean shouting). */
  allCaps: boolean;
  questionMark: boolean;
  /** First word of a sentence (after leading @mentions) when it opens a question. */
  questionOpener: string | null;
  /** Second person or a mention: the post talks to someone, most likely the brand. */
  addressed: boolean;
  personal: boolean;
  problemWords: string[];
  urgency: string[];
  /** The same character 6+ times in a row ("!!!!!!", "$$$$$$"), a bot and spam habit. */
  repeatedChars: boolean;
  /** "BREAKING" or "JUST IN" opening the post. */
  breaking: boolean;
}

/** `/[.!?…]/.test(s)`: the punctuation ends a sentence. A loop: this runs on every punctuation token. */
function endsSentence(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 33 || c === 63 || c === 0x2026) return true;
  }
  return false;
}

/** `s !== s.toUpperCase()`: some letter has a capital form. ASCII is scanned; only other scripts build the copy. */
function hasLowerCase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
    if (c >= 0x80) return s !== s.toUpperCase();
  }
  return false;
}

/** The same UTF-16 unit 6+ times in a row; a loop, because the regex was a tenth of the classifier's time. */
function hasLongRun(text: string): boolean {
  let run = 1;
  for (let i = 1; i < text.length; i++) {
    if (text.charCodeAt(i) === text.charCodeAt(i - 1)) {
      if (++run >= 6) return true;
    } else run = 1;
  }
  return false;
}

/**
 * Whole-word phrase search over several lists at once, indexed by first word: one Map lookup per word whatever the
 * size of the lists (a naive `includes` per phrase was the slowest part of the classifier).
 */
export class PhraseMatcher<K extends string> {
  private readonly byFirst = new Map<string, Array<{ list: K; phrase: string; parts: string[] }>>();

  constructor(lists: Readonly<Record<K, readonly string[]>>) {
    for (const list of Object.keys(lists) as K[]) {
      for (const phrase of lists[list]) {
        const parts = phrase.split(' ');
        const first = parts[0] ?? '';
        const entry = { list, phrase, parts };
        const bucket = this.byFirst.get(first);
        if (bucket) bucket.push(entry);
        else this.byFirst.set(first, [entry]);
      }
    }
  }

  /** Distinct phrases found in `terms`, grouped by list, in order of appearance. */
  find(terms: readonly string[]): Partial<Record<K, string[]>> {
    const found: Partial<Record<K, string[]>> = {};
    for (let i = 0; i < terms.length; i++) {
      const bucket = this.byFirst.get(terms[i]!);
      if (bucket === undefined) continue;
      for (const { list, phrase, parts } of bucket) {
        let ok = true;
        for (let k = 1; k < parts.length; k++) {
          if (terms[i + k] !== parts[k]) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        const hits = (found[list] ??= []);
        if (!hits.includes(phrase)) hits.push(phrase);
      }
    }
    return found;
  }
}

const MATCHER = new PhraseMatcher(PHRASE_LISTS);

// Word classes as bit flags in one Map: one lookup per word instead of five Set probes.
const OPENER = 1;
const PERSONAL = 2;
const SECOND = 4;
const PROBLEM = 8;
const URGENT = 16;
const WORD_FLAGS = new Map<string, number>();
const flag = (words: Iterable<string>, bit: number): void => {
  for (const w of words) WORD_FLAGS.set(w, (WORD_FLAGS.get(w) ?? 0) | bit);
};
flag(QUESTION_OPENERS, OPENER);
flag(PERSONAL_PRONOUNS, PERSONAL);
flag(['you', 'your', 'yours', "you're", 'u', 'ur', 'ya', 'yall', "y'all"], SECOND);
flag(PROBLEM_WORDS, PROBLEM);
flag(URGENCY_WORDS, URGENT);


/**
 * `f` (from `extractFeatures(tokens, text, {})`) as `extractFeatures(tokens, text, post)` would give it: the network's
 * own counts of mentions, hashtags and links win where they are larger. The intent model's cues read the features
 * without them, the rules with them; one pass serves both.
 */
export function withPostCounts(f: Features, post: { mentions?: readonly string[]; hashtags?: readonly string[]; urls?: readonly string[] }): Features {
  const mentions = post.mentions?.length ?? 0;
  const hashtags = post.hashtags?.length ?? 0;
  const urls = post.urls?.length ?? 0;
  if (mentions <= f.mentions && hashtags <= f.hashtags && urls <= f.urls) return f;
  return { ...f, mentions: Math.max(f.mentions, mentions), hashtags: Math.max(f.hashtags, hashtags), urls: Math.max(f.urls, urls) };
}

export function extractFeatures(
  tokens: readonly Token[],
  text: string,
  post: { mentions?: readonly string[]; hashtags?: readonly string[]; urls?: readonly string[] },
): Features {
  const terms: string[] = [];
  let words = 0;
  let mentions = 0;
  let hashtags = 0;
  let urls = 0;
  let upper = 0;
  let lower = 0;
  let questionMark = false;
  let questionOpener: string | null = null;
  let addressed = false;
  let personal = false;
  let sentenceStart = true;
  let breaking = false;
  const problem: string[] = [];
  const urgency: string[] = [];
  for (const t of tokens) {
    switch (t.kind) {
      case 'mention':
        mentions++;
        addressed = true;
        continue; // leading mentions do not end "sentence start"
      case 'url':
        urls++;
        continue;
      case 'hashtag':
        hashtags++;
        terms.push(t.norm);
        sentenceStart = false;
        continue;
      case 'punct':
        if (t.raw.includes('?')) questionMark = true;
        if (endsSentence(t.raw)) sentenceStart = true;
        continue;
      case 'word':
      case 'number': {
        if (t.kind === 'word') {
          words++;
          if (t.caps) upper++;
          else if (hasLowerCase(t.raw)) lower++;
          if (words === 1 && (t.norm === 'breaking' || t.norm === 'just') && t.caps) breaking = true;
          const flags = WORD_FLAGS.get(t.norm) ?? 0;
          if (flags !== 0) {
            if (flags & OPENER && sentenceStart && questionOpener === null) questionOpener = t.norm;
            if (flags & PERSONAL) personal = true;
            if (flags & SECOND) addressed = true;
            if (flags & PROBLEM && !problem.includes(t.norm)) problem.push(t.norm);
            if (flags & URGENT && !urgency.includes(t.norm)) urgency.push(t.norm);
          }
        }
        terms.push(t.norm);
        sentenceStart = false;
        continue;
      }
      default:
        continue;
    }
  }
  const phrases = MATCHER.find(terms);
  for (const p of phrases.urgency ?? []) if (!urgency.includes(p)) urgency.push(p);
  return {
    terms,
    phrases,
    words,
    mentions: Math.max(mentions, post.mentions?.length ?? 0),
    hashtags: Math.max(hashtags, post.hashtags?.length ?? 0),
    urls: Math.max(urls, post.urls?.length ?? 0),
    allCaps: upper >= 3 && lower === 0,
    questionMark,
    questionOpener,
    addressed,
    personal,
    problemWords: problem,
    urgency,
    repeatedChars: hasLongRun(text),
    breaking,
  };
}
