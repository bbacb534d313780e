/**
 * `earshot start`: runs the product until SIGINT/SIGTERM. The first signal closes everything in order (connectors,
 * pipeline flush, outbox, server, store); a second one forces the exit at once.
 */
import { startEarshot } from '../../app/earshot.js';
import type { CliIo } from '../run.js';

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
type Sig = keyof typeof SIGNALS;

export async function startCommand(io: CliIo): Promise<void> {
  const app = await startEarshot({ env: io.env, log: (line) => io.out(line) });
  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const onSignal = (sig: Sig) => {
      if (stopping) {
        io.err(`earshot: ${sig} again, exiting without waiting`);
        process.exit(128 + SIGNALS[sig]);
      }
      stopping = true;
      io.err(`earshot: ${sig} received, shutting down (press Ctrl-C again to force)`);
      app.close().then(
        () => {
          for (const s of Object.keys(SIGNALS) as Sig[]) process.off(s, onSignal);
          io.err('earshot: stopped');
          resolve();
        },
        (err: unknown) => reject(err),
      );
    };
    for (const s of Object.keys(SIGNALS) as Sig[]) process.on(s, onSignal);
  });
}
