import { connect, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { call, login, startFixture } from './test-fixture.js';

it('closes at once with idle keep-alive sockets and sockets that never sent a request', async () => {
  const f = await startFixture();
  try {
    const cookie = await login(f.url, 'agent@example.com');
    expect((await call(f.url, 'GET', '/api/me', { cookie })).status).toBe(200);
    const port = Number(new URL(f.url).port);
    const silent: Socket[] = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<Socket>((resolve, reject) => {
            const s = connect(port, '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          }),
      ),
    );
    const closed = silent.map((s) => new Promise<void>((r) => s.once('close', () => r())));
    const started = Date.now();
    await f.app.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await Promise.all(closed);
  } finally {
    await f.close();
  }
});
