import { describe, expect, it } from 'vitest';
import { checkLength, postLength } from './reply-length.js';

describe('reply length per network', () => {
  it('X: weighted length (URLs 23, emoji and CJK 2)', () => {
    expect(postLength('x', 'a'.repeat(280))).toBe(280);
    expect(postLength('x', `see https://example.com/${'a'.repeat(100)}`)).toBe(4 + 23);
    expect(postLength('x', '日本')).toBe(4);
    expect(checkLength('x', 'a'.repeat(281))).toEqual({ ok: false, length: 281, limit: 280, unit: 'weighted' });
  });

  it('Bluesky: graphemes', () => {
    expect(postLength('bluesky', '👨‍👩‍👧é')).toBe(2);
    expect(checkLength('bluesky', '🇫🇷'.repeat(300)).ok).toBe(true);
    expect(checkLength('bluesky', 'a'.repeat(301))).toMatchObject({ ok: false, limit: 300, unit: 'graphemes' });
  });

  it('Mastodon: code points, links as 23, remote mentions by user name only', () => {
    expect(postLength('mastodon', '😀'.repeat(3))).toBe(3);
    expect(postLength('mastodon', `https://example.com/${'a'.repeat(200)}`)).toBe(23);
    expect(postLength('mastodon', '@carol@mastodon.social hi')).toBe('@carol hi'.length);
    expect(checkLength('mastodon', 'a'.repeat(500)).ok).toBe(true);
    expect(checkLength('mastodon', 'a'.repeat(501))).toMatchObject({ ok: false, limit: 500, unit: 'characters' });
  });
});
