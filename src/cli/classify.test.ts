import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../core/errors.js';
import { classifyCommand, parseLine } from './commands/classify.js';
import type { CliIo } from './run.js';
import { earshot } from './testing.js';

type Out = Record<string, unknown>;
const parse = (stdout: string): Out[] => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Out);

const io: CliIo = { out: () => {}, err: () => {}, errIsTTY: false, errStream: process.stderr, env: {} };

describe('earshot classify (child process)', () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(path.join(tmpdir(), 'earshot-classify-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('classifies plain text lines from a file, one object per line', async () => {
    const file = path.join(dir, 'posts.txt');
    writeFileSync(file, '@acme my internet has been down for 3 days, worst service ever\r\n@acme how do I change my plan?\nthanks @acme, fixed in minutes!\n');
    const r = await earshot(['classify', file], {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = parse(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ line: 1, sentiment: 'negative', intent: 'complaint', language: 'en' });
    expect(out[0]!.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^negative: "worst"/)]));
    expect(out[1]).toMatchObject({ line: 2, intent: 'question' });
    expect(out[2]).toMatchObject({ line: 3, sentiment: 'positive', intent: 'praise' });
    for (const o of out) {
      for (const k of ['sentiment', 'sentiment_score', 'intent', 'needs_reply', 'priority', 'language', 'reasons']) expect(o).toHaveProperty(k);
      expect(o.needs_reply).toBeGreaterThanOrEqual(0);
      expect(o.needs_reply).toBeLessThanOrEqual(1);
    }
  }, 30_000);

  it('reads JSONL, echoes ids, and reports blank and broken lines without stopping', async () => {
    const file = path.join(dir, 'posts.jsonl');
    const lines = [
      JSON.stringify({ id: 'a1', text: '@acme please refund my order #123' }),
      '',
      '{"text": "unterminated',
      JSON.stringify({ id: 2, body: 'no text field' }),
      JSON.stringify({ text: 42 }),
      '   ',
      JSON.stringify({ id: 3, text: 'Hola, mi internet no funciona desde ayer y nadie me ayuda, es muy malo' }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await earshot(['classify', file], {});
    expect(r.code).toBe(0);
    const out = parse(r.stdout);
    expect(out).toHaveLength(7);
    expect(out[0]).toMatchObject({ line: 1, id: 'a1', intent: 'request' });
    expect(out[1]).toEqual({ line: 2, error: 'blank line' });
    expect(out[2]).toMatchObject({ line: 3, error: expect.stringMatching(/^invalid JSON/) });
    expect(out[3]).toEqual({ line: 4, error: 'no string "text" field' });
    expect(out[4]).toEqual({ line: 5, error: 'no string "text" field' });
    expect(out[5]).toEqual({ line: 6, error: 'blank line' });
    expect(out[6]).toMatchObject({ line: 7, id: 3, language: 'es' });
  }, 30_000);

  it('reads stdin when no file is given', async () => {
    const r = await earshot(['classify'], {}, 30_000, 'my parcel :(\n{"text":"new phone day 😍🎉"}\n{oops}\nno newline at the end');
    expect(r.code).toBe(0);
    const out = parse(r.stdout);
    expect(out.map((o) => o.sentiment ?? o.error)).toEqual(['negative', 'positive', expect.stringMatching(/^invalid JSON/), expect.stringMatching(/^(negative|neutral|positive)$/)]);
    expect(out[3]).toMatchObject({ intent: 'chatter' });
    expect(out.map((o) => o.line)).toEqual([1, 2, 3, 4]);
  }, 30_000);

  it('fails with not_found for a missing file', async () => {
    const r = await earshot(['classify', path.join(dir, 'missing.txt')], {});
    expect(r.code).toBe(exitCodeFor('not_found'));
    expect(r.stderr).toMatch(/^earshot: .*missing\.txt: no such file or directory/);
    expect(r.stdout).toBe('');
  }, 30_000);
});

describe('earshot classify (in process)', () => {
  it('tells text from JSON', () => {
    expect(parseLine('hello')).toEqual({ text: 'hello', lang: null });
    expect(parseLine('{"text":"hi","lang":"fr","id":9}')).toEqual({ text: 'hi', lang: 'fr', id: 9 });
    expect(parseLine('{"text":null}')).toEqual({ error: 'no string "text" field' });
    expect(parseLine('{"a":1')).toMatchObject({ error: expect.stringMatching(/^invalid JSON/) });
    expect(parseLine('\t')).toEqual({ error: 'blank line' });
  });

  it('waits for a slow reader instead of buffering the whole output', async () => {
    const lines = 20_000;
    const input = new PassThrough();
    let maxBuffered = 0;
    let received = 0;
    const output = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.toString('utf8').split('\n').length - 1;
        setTimeout(done, 1);
      },
    });
    const sample = setInterval(() => (maxBuffered = Math.max(maxBuffered, output.writableLength)), 1);
    const run = classifyCommand(undefined, { input, output }, io);
    for (let i = 0; i < lines; i++) input.write(i % 100 === 99 ? '{broken\n' : `@acme my internet is down again ${i}\n`);
    input.end();
    const summary = await run;
    clearInterval(sample);
    await new Promise<void>((resolve) => output.end(resolve));
    expect(summary).toEqual({ lines, errors: lines / 100 });
    expect(received).toBe(lines);
    // At most one chunk (64 KB) past the high-water mark is ever queued.
    expect(maxBuffered).toBeLessThan(16 * 1024 + 70 * 1024);
  }, 60_000);
});
