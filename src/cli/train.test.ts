import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../core/errors.js';
import { TRAINERS } from './commands/train.js';
import { earshot } from './testing.js';

describe('earshot train and eval without the shared data', () => {
  it('fail with not_found and say what is missing, writing nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'earshot-train-'));
    try {
      const env = { EARSHOT_SHARED_DATA: path.join(dir, 'no-such-dir') };
      const train = await earshot(['train', '--out', path.join(dir, 'models')], env);
      expect(train.code).toBe(exitCodeFor('not_found'));
      expect(train.stderr).toMatch(/^earshot: sentiment training data not found in .*no-such-dir: semeval2017_task4A_english/);
      expect(train.stdout).toBe('');
      const evaluation = await earshot(['eval', '--json'], env);
      expect(evaluation.code).toBe(exitCodeFor('not_found'));
      expect(evaluation.stderr).toMatch(/^earshot: evaluation data not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('lists one trainer per committed model', () => {
    expect(TRAINERS.map((t) => t.file)).toContain('sentiment.bin');
  });
});
