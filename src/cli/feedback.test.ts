import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../core/errors.js';
import type { NormalizedPost } from '../core/index.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { author, testPost } from '../testing/posts.js';
import { describeWithSharedData } from '../testing/shared-data.js';
import { REPO_ROOT } from '../triage/model/shared-dir.js';
import type { EvalFeedbackResult } from './commands/eval-feedback.js';
import { earshot } from './testing.js';

function post(i: number, text: string): NormalizedPost {
  return testPost(text, { externalId: `fb-${i}`, author: author(`cust-${i}`, `cust${i}`), createdAt: 1_700_000_000_000 + i });
}

const TEXTS = [
  '@acme my package never arrived and nobody answers',
  '@acme how do I change the card on my account?',
  '@acme I can grow your followers fast, dm me',
  '@acme love the new update, thank you',
  '@acme please refund order 5521',
  '@acme you should add a dark mode',
  '@acme the app logs me out every hour',
  '@acme lol same',
  '@acme is the store open on sunday?',
  '@acme BREAKING: acme opens a new store downtown',
];

describe('earshot train --feedback and eval --feedback', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-feedback-'));
    const store = await SqliteStore.open(path.join(dir, 'earshot.db'));
    await store.upsertBrand({ name: 'Acme', keywords: [] });
    await store.ingest(
      TEXTS.map((t, i) => ({
        post: post(i, t),
        triage: { language: 'en', sentiment: 'neutral', sentimentScore: 0.6, intent: 'question', intentScore: 0.6, needsReply: 0.7, priority: 40, reasons: [] },
      })),
    );
    const ids = store.raw.prepare('SELECT id FROM posts ORDER BY id').pluck().all() as number[];
    await store.correctLabels(ids[0]!, { intent: 'complaint', sentiment: 'negative' }, null);
    await store.correctLabels(ids[2]!, { intent: 'sales_pitch', needsReply: false }, null);
    await store.correctLabels(ids[3]!, { intent: 'praise', sentiment: 'positive', needsReply: false }, null);
    await store.correctLabels(ids[4]!, { intent: 'request' }, null);
    await store.correctLabels(ids[5]!, { intent: 'idea' }, null);
    await store.correctLabels(ids[7]!, { intent: 'chatter', needsReply: false }, null);
    await store.correctLabels(ids[9]!, { intent: 'news', needsReply: false }, null);
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('train --feedback without a database says where it looked (not_found), writing nothing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'earshot-feedback-none-'));
    try {
      const r = await earshot(['train', '--feedback', '--out', path.join(empty, 'models')], { EARSHOT_DATA_DIR: empty });
      expect(r.code).toBe(exitCodeFor('not_found'));
      expect(r.stderr).toMatch(/^earshot: no Earshot database at .*earshot\.db/);
      expect(r.stdout).toBe('');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 30_000);

  it('eval --feedback needs --model-dir', async () => {
    const r = await earshot(['eval', '--feedback'], { EARSHOT_DATA_DIR: dir });
    expect(r.code).toBe(exitCodeFor('bad_request'));
    expect(r.stderr).toContain('--feedback needs --model-dir DIR');
  }, 30_000);

  describeWithSharedData('with the shared data', () => {
    it('eval --feedback --json compares two model sets on the test sets and the held-out corrections', async () => {
      const models = path.join(REPO_ROOT, 'models');
      const r = await earshot(['eval', '--feedback', '--model-dir', models, '--json'], { EARSHOT_DATA_DIR: dir }, 180_000);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as EvalFeedbackResult;
      expect(out.correctedPosts).toBe(7);
      expect(out.holdoutPercent).toBe(20);
      expect(out.before.standard.sentimentTest.n).toBe(12_284);
      expect(out.before.standard.intentTest.n).toBeGreaterThan(400);
      // The same models on both sides: the same numbers.
      expect(out.after.standard).toEqual(out.before.standard);
      expect(out.before.heldOut.posts + out.before.trained.posts).toBeLessThanOrEqual(7);
      expect(out.before.trained.intent.n + out.before.heldOut.intent.n).toBe(7);
    }, 200_000);
  });
});
