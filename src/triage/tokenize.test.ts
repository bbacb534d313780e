import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

const kinds = (s: string): string[] => tokenize(s).map((t) => `${t.kind}:${t.norm}`);

describe('tokenize', () => {
  it('recognises handles, hashtags and URLs', () => {
    expect(kinds('@Acme see https://acme.com/x?y=1 #Outage')).toEqual(['mention:acme', 'word:see', 'url:https://acme.com/x?y=1', 'hashtag:outage']);
  });

  it('keeps Bluesky and Mastodon handles whole', () => {
    expect(kinds('@acme.bsky.social @help@mastodon.social')).toEqual(['mention:acme.bsky.social', 'mention:help@mastodon.social']);
  });

  it('recognises emoticons but not inside URLs or times', () => {
    expect(kinds('great :) bad :( meh :/ love <3 ok :-D')).toEqual([
      'word:great', 'emoticon::)', 'word:bad', 'emoticon::(', 'word:meh', 'emoticon::/', 'word:love', 'emoticon:<3', 'word:ok', 'emoticon::d',
    ]);
    expect(kinds('at 12:30 http://x.co').map((k) => k.split(':')[0])).toEqual(['word', 'number', 'url']);
  });

  it('recognises emoji, including modified and joined ones', () => {
    const t = tokenize('ok 👍🏽 😡 ❤️ 👨‍👩‍👧');
    expect(t.map((x) => x.kind)).toEqual(['word', 'emoji', 'emoji', 'emoji', 'emoji']);
    expect(t[1]?.norm).toBe('👍');
    expect(t[3]?.norm).toBe('❤');
  });

  it('squeezes elongation and flags it', () => {
    const [t] = tokenize('sooooo');
    expect(t?.norm).toBe('soo');
    expect(t?.elongated).toBe(true);
    expect(tokenize('good')[0]?.elongated).toBe(false);
  });

  it('lower-cases and flags ALL CAPS', () => {
    const t = tokenize('This is NEVER OK I');
    expect(t.map((x) => x.norm)).toEqual(['this', 'is', 'never', 'ok', 'i']);
    expect(t.map((x) => x.caps)).toEqual([false, false, true, true, false]);
  });

  it('negates the following words until punctuation', () => {
    const t = tokenize("I'm not happy with it. Good now");
    expect(t.filter((x) => x.negated).map((x) => x.norm)).toEqual(['happy', 'with', 'it']);
    expect(tokenize("don't like it")[1]?.negated).toBe(true);
    expect(tokenize('cannot recommend')[1]?.negated).toBe(true);
    expect(tokenize('never, ever again').filter((x) => x.negated)).toHaveLength(0);
    expect(tokenize('not bad but awful').find((x) => x.norm === 'awful')?.negated).toBe(false);
  });

  it('is total on hostile input', () => {
    for (const s of ['', ' ', '\u200F\u202E\u2066', '\uD800', '😀'.repeat(1000), 'a'.repeat(100_000), '::::(((((<<<3']) {
      expect(() => tokenize(s)).not.toThrow();
    }
    expect(tokenize('\u200Fhello\u202C')).toHaveLength(1);
  });
});
