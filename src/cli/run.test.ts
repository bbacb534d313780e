import { describe, expect, it } from 'vitest';
import { ConfigError, EarshotError, NotFoundError, exitCodeFor } from '../core/errors.js';
import { describeFailure, run, type CliIo } from './run.js';

function memoryIo(): CliIo & { errText: string } {
  const io = {
    errText: '',
    out: () => {},
    err: (t: string) => void (io.errText += `${t}\n`),
    errIsTTY: false,
    errStream: process.stderr,
    env: {},
  };
  return io;
}

describe('CLI failures', () => {
  it('maps typed errors through exitCodeFor and prints `earshot: <message>`', async () => {
    const io = memoryIo();
    expect(await run(async () => Promise.reject(new NotFoundError('user a@b.c')), io)).toBe(4);
    expect(io.errText).toBe('earshot: user a@b.c not found\n');
    expect(await run(async () => Promise.reject(new ConfigError('PORT', 'must be a whole number')), memoryIo())).toBe(exitCodeFor('config_invalid'));
    expect(await run(async () => {}, memoryIo())).toBe(0);
  });

  it('turns common system errors into plain messages and everything unknown into 70 with its stack', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/x/y.jsonl' });
    expect(describeFailure(enoent)).toMatchObject({ exitCode: exitCodeFor('not_found'), message: '/x/y.jsonl: no such file or directory' });
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 4600 });
    expect(describeFailure(inUse)).toMatchObject({ exitCode: exitCodeFor('unavailable'), message: 'port 4600 is already in use (set PORT to another one)' });
    const bug = describeFailure(new TypeError('x is undefined'));
    expect(bug.exitCode).toBe(70);
    expect(bug.message).toBe('internal error: x is undefined');
    expect(bug.stack).toContain('TypeError');
    expect(describeFailure(new EarshotError('conflict', 'taken')).exitCode).toBe(exitCodeFor('conflict'));
  });
});
