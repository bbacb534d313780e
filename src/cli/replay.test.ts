import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../core/errors.js';
import { describeWithSharedData, sharedPath } from '../testing/shared-data.js';
import type { ReplaySummary } from './commands/replay.js';
import { earshot } from './testing.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'earshot-cli-'));
}

describeWithSharedData('earshot replay on the real TWCS sample', () => {
  let dir: string;
  beforeAll(() => void (dir = tempDir()));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores 2,550 posts the first time and nothing the second, and says so', async () => {
    const env = { EARSHOT_DATA_DIR: dir };
    const file = sharedPath('twcs_dev_half.csv');
    const first = await earshot(['replay', '--json', file], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const s = JSON.parse(first.stdout) as ReplaySummary;
    expect(s).toMatchObject({ files: 1, stored: 2550, duplicates: 0, quarantined: 0, nothingNew: false });
    expect(s.conversationsCreated).toBeGreaterThan(0);

    const second = await earshot(['replay', file], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^ {2}stored +0$/m);
    expect(second.stdout).toMatch(/^ {2}duplicates +2,550$/m);
    expect(second.stdout).toContain('nothing new: all 2,550 posts were already stored');
  }, 60_000);
});

describe('earshot replay on a file with bad records', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = tempDir();
    file = path.join(dir, 'mixed.jsonl');
    const tweet = (id: string, text: unknown) => ({
      data: { id, text, author_id: '42', created_at: '2026-03-02T08:00:00.000Z', conversation_id: id, lang: 'en' },
      includes: { users: [{ id: '42', username: 'jess_w', name: 'Jess' }] },
    });
    const line = (v: unknown) => Buffer.from(`${JSON.stringify(v)}\n`);
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('{"data":{"id":"1790000000000000001","text":"@nimbusmobile no sig\n'), // cut off mid-write
        line(tweet('1790000000000000002', 12345)), // text is a number
        Buffer.from([...Buffer.from('{"data":{"id":"1790000000000000003","text":"caf'), 0xe9, 0x20, 0xff, ...Buffer.from('"}}\n')]), // Latin-1, not UTF-8
        line(tweet('1790000000000000004', 'x'.repeat(1100 * 1024))), // over 1 MiB
        line(tweet('1790000000000000005', '@nimbusmobile no signal in Leeds since 8am, please help')),
      ]),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the good line, quarantines the four bad ones with their reasons, exits 0, and `earshot quarantine` lists them', async () => {
    const env = { EARSHOT_DATA_DIR: path.join(dir, 'data') };
    const r = await earshot(['replay', file], env);
    expect(r.code).toBe(0);
    // The store has no brand accounts: the replay says what that means for threading, and nothing else goes wrong.
    expect(r.stderr).toMatch(/^earshot: note: no brand accounts are configured/);
    expect(r.stderr.match(/^earshot: /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^ {2}stored +1$/m);
    expect(r.stdout).toMatch(/^ {2}quarantined +4$/m);
    expect(r.stdout).toContain('quarantined, by reason:');
    for (const reason of ['invalid JSON', 'invalid UTF-8', 'line longer than 1 MiB', 'text is a number']) expect(r.stdout).toContain(reason);
    expect(r.stdout).toContain('earshot quarantine');

    const q = await earshot(['quarantine'], env);
    expect(q.code).toBe(0);
    expect(q.stdout).toContain('4 quarantined records');
    const entries = q.stdout.split('\n').filter((l) => /^\S+:\d+ {2}/.test(l));
    expect(entries).toHaveLength(4);
    const at = (n: number) => entries.find((l) => l.includes(`mixed.jsonl:${n} `)) ?? '';
    expect(at(1)).toContain('invalid JSON');
    expect(at(2)).toMatch(/text is a number/);
    expect(at(3)).toContain('invalid UTF-8');
    expect(at(4)).toContain('line longer than 1 MiB');
    // Samples are one line of at most 120 characters.
    const samples = q.stdout.split('\n').filter((l) => l.startsWith('    '));
    expect(samples).toHaveLength(4);
    for (const s of samples) expect([...s.trim()].length).toBeLessThanOrEqual(120);

    const limited = await earshot(['quarantine', '--limit', '1'], env);
    expect(limited.stdout).toContain('1 of 4 quarantined records');
  }, 60_000);

  it('fails clearly on a missing file, an unknown format and a file with nothing readable', async () => {
    const env = { EARSHOT_DATA_DIR: path.join(dir, 'data2') };
    const missing = await earshot(['replay', path.join(dir, 'nope.jsonl')], env);
    expect(missing.code).toBe(exitCodeFor('not_found'));
    expect(missing.stderr).toMatch(/^earshot: file .*nope\.jsonl not found$/m);

    const format = await earshot(['replay', '--format', 'csv', file], env);
    expect(format.code).toBe(exitCodeFor('bad_request'));
    expect(format.stderr).toContain('Allowed choices are');

    const junk = path.join(dir, 'junk.jsonl');
    writeFileSync(junk, 'not json\n{"also": "not a post"\n');
    const bad = await earshot(['replay', junk], env);
    expect(bad.code).toBe(exitCodeFor('validation_failed'));
    expect(bad.stdout).toMatch(/^ {2}quarantined +2$/m);
    expect(bad.stderr).toContain('earshot: nothing could be read: all 2 records');
  }, 60_000);
});
