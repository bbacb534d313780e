/**
 * Cheap language guess from function words. Good enough to route a post to the right agent or to skip the English
 * lexicon; a network's own `lang` tag wins when it has one.
 */
import type { Token } from './tokenize.js';

// Function words that are frequent in one language and rare in the others of the list. Shared ones
// ("a", "de", "en", "la") are left out on purpose so they do not tip the vote.
const FUNCTION_WORDS: ReadonlyArray<readonly [string, ReadonlySet<string>]> = [
  ['en', new Set(['the', 'and', 'is', 'are', 'was', 'to', 'of', 'in', 'it', 'my', 'i', "i'm", 'you', 'your', 'for', 'with', 'this', 'that', 'have', 'has', 'not', 'be', 'on', 'at', 'what', 'how', 'why', 'when', 'do', 'does', "don't", 'can', 'just', 'me', 'we', 'they', 'been', 'will', 'from', 'an', 'or', 'so', 'but', 'if', 'get', 'all', 'up'])],
  ['es', new Set(['el', 'los', 'las', 'y', 'es', 'que', 'del', 'por', 'para', 'con', 'una', 'mi', 'pero', 'muy', 'está', 'esta', 'como', 'qué', 'no', 'lo', 'se', 'hay', 'tengo', 'gracias', 'hola', 'ya', 'su', 'al', 'sin', 'también', 'porque'])],
  ['fr', new Set(['le', 'les', 'et', 'est', 'une', 'je', 'pas', 'du', 'des', 'pour', 'avec', 'mon', 'ma', 'mes', 'vous', 'nous', 'qui', 'sur', 'ce', 'cette', 'mais', 'très', 'merci', 'bonjour', 'depuis', 'toujours', "c'est", "j'ai", 'aux', 'il', 'elle', 'au'])],
  ['de', new Set(['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'mit', 'für', 'ein', 'eine', 'auf', 'mein', 'meine', 'sie', 'wir', 'den', 'dem', 'zu', 'auch', 'noch', 'schon', 'danke', 'seit', 'aber', 'sehr', 'wie', 'was', 'warum', 'kein', 'keine', 'bitte'])],
  ['pt', new Set(['o', 'os', 'as', 'e', 'é', 'um', 'uma', 'não', 'do', 'da', 'dos', 'das', 'para', 'com', 'meu', 'minha', 'você', 'vocês', 'mas', 'muito', 'obrigado', 'obrigada', 'está', 'isso', 'nao', 'pra', 'tá', 'ainda', 'já', 'quando'])],
  ['it', new Set(['il', 'gli', 'e', 'è', 'che', 'non', 'di', 'per', 'con', 'mio', 'mia', 'sono', 'ma', 'molto', 'grazie', 'anche', 'della', 'del', 'questo', 'questa', 'perché', 'ancora', 'ho', 'una', 'un', 'lo', 'ci', 'come', 'più', 'buongiorno'])],
  ['nl', new Set(['de', 'het', 'een', 'en', 'is', 'niet', 'ik', 'mijn', 'met', 'voor', 'van', 'op', 'dat', 'die', 'jullie', 'maar', 'nog', 'ook', 'al', 'wel', 'bedankt', 'waarom', 'geen', 'heb', 'zijn', 'naar', 'je', 'er', 'dank', 'wat'])],
];

/** word → bit set of the languages (indexes into FUNCTION_WORDS) it is a function word of: one lookup per word. */
const WORD_LANGS = new Map<string, number>();
FUNCTION_WORDS.forEach(([, words], i) => {
  for (const w of words) WORD_LANGS.set(w, (WORD_LANGS.get(w) ?? 0) | (1 << i));
});

const ISO_639_1 = /^([a-z]{2})(?:[-_][a-z0-9]{2,8})*$/i;

/** ISO 639-1 code from a network's tag ("en", "pt-BR"), or null when the tag is absent or not of that shape. */
export function normaliseLangTag(lang: string | null | undefined): string | null {
  if (!lang) return null;
  const m = ISO_639_1.exec(lang.trim());
  return m?.[1] ? m[1].toLowerCase() : null;
}

export interface LanguageGuess {
  language: string;
  /** Share of words that are function words of the chosen language (0 when `und` or taken from the tag). */
  coverage: number;
  fromTag: boolean;
}

/**
 * The language with the most function-word hits wins when it covers at least a sixth of the words and beats the
 * runner-up. `lexiconHits` lets an English post with no function words at all ("worst service ever") count as
 * English when the English sentiment lexicon recognised some of it.
 */
export function detectLanguage(tokens: readonly Token[], tag: string | null | undefined, lexiconHits: number): LanguageGuess {
  const fromTag = normaliseLangTag(tag);
  if (fromTag !== null) return { language: fromTag, coverage: 0, fromTag: true };
  let words = 0;
  const counts = new Array<number>(FUNCTION_WORDS.length).fill(0);
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    words++;
    const mask = WORD_LANGS.get(t.norm);
    if (mask === undefined) continue;
    for (let i = 0; i < FUNCTION_WORDS.length; i++) if (mask & (1 << i)) counts[i]! += 1;
  }
  let best = -1;
  let bestCount = 0;
  let second = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > bestCount) {
      second = bestCount;
      bestCount = c;
      best = i;
    } else if (c > second) {
      second = c;
    }
  }
  if (best >= 0 && bestCount > second && bestCount * 6 >= words) {
    return { language: FUNCTION_WORDS[best]![0], coverage: bestCount / Math.max(1, words), fromTag: false };
  }
  if (bestCount === 0 && lexiconHits > 0) return { language: 'en', coverage: 0, fromTag: false };
  return { language: 'und', coverage: 0, fromTag: false };
}
