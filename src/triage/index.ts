export { createClassifier, createLexiconClassifier, textPost, sentimentOf, priorityOf, needsReplyOf, MAX_TEXT, POSITIVE_AT, NEGATIVE_AT } from './classifier.js';
export type { ClassifierInput, ClassifierOptions } from './classifier.js';
export { tokenize, isNegator, NEGATORS } from './tokenize.js';
export type { Token, TokenKind } from './tokenize.js';
export { scoreSentiment, wordValence, symbolValence } from './lexicon.js';
export type { SentimentScore, SentimentHit } from './lexicon.js';
export { detectLanguage, normaliseLangTag } from './language.js';
