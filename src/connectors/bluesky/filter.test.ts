import { describe, expect, it } from 'vitest';
import { buildBrandIndex } from '../../core/index.js';
import { brandEventFilter } from './filter.js';

const BRAND = 'did:plc:brandbrandbrandbrandbran';
const idx = buildBrandIndex([{ id: 1, name: 'Acme', keywords: ['acmee'] }], [{ id: 1, brandId: 1, network: 'bluesky', handle: 'acme.bsky.social', externalId: BRAND }]);
const keep = brandEventFilter(() => idx);

const post = (did: string, record: Record<string, unknown>, operation = 'create') => ({
  did,
  time_us: 1_783_175_888_000_000,
  kind: 'commit',
  commit: { rev: 'r', operation, collection: 'app.bsky.feed.post', rkey: '3mmabcdefgh22', cid: 'bafyx', record: { $type: 'app.bsky.feed.post', createdAt: '2026-07-04T12:00:00Z', ...record } },
});
const CUSTOMER = 'did:plc:customercustomercustomer';
const ref = (did: string) => ({ uri: `at://${did}/app.bsky.feed.post/3mmzzzzzzzz22`, cid: 'bafyz' });

describe('brandEventFilter', () => {
  it('keeps what concerns the brand', () => {
    expect(keep(post(CUSTOMER, { text: 'hi @acme.bsky.social', facets: [{ index: { byteStart: 3, byteEnd: 20 }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: BRAND }] }] }))).toBe(true);
    expect(keep(post(CUSTOMER, { text: 'still broken', reply: { root: ref(BRAND), parent: ref(BRAND) } }))).toBe(true);
    expect(keep(post(CUSTOMER, { text: 'me too', reply: { root: ref(BRAND), parent: ref('did:plc:someoneelseeeeeeeeeeeeee') } }))).toBe(true);
    expect(keep(post(CUSTOMER, { text: 'my Acme order never came' }))).toBe(true);
    expect(keep(post(CUSTOMER, { text: 'acmee is down again' }))).toBe(true);
    expect(keep(post(BRAND, { text: 'we are on it' }))).toBe(true);
  });

  it('keeps deletes and what the normalizer rejects; drops the rest', () => {
    expect(keep({ did: CUSTOMER, time_us: 1, kind: 'commit', commit: { rev: 'r', operation: 'delete', collection: 'app.bsky.feed.post', rkey: '3mmabcdefgh22' } })).toBe(true);
    expect(keep({ did: CUSTOMER, time_us: 1, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: '3mmabcdefgh22' } })).toBe(true);
    expect(keep(post(CUSTOMER, { text: 'lunch was great' }))).toBe(false);
    expect(keep(post(CUSTOMER, { text: 'reply elsewhere', reply: { root: ref(CUSTOMER), parent: ref(CUSTOMER) } }))).toBe(false);
    expect(keep({ did: CUSTOMER, time_us: 1, kind: 'identity', identity: { did: CUSTOMER, handle: 'c.bsky.social', seq: 1, time: '2026-07-04T12:00:00Z' } })).toBe(false);
  });
});
