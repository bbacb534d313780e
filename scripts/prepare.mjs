// Runs after `npm install` / `npm ci` in this folder: builds the web desk once so that `npm start` is quick.
// A failed desk build must not fail the install: `earshot start` builds it again when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../node_modules/vite/package.json', import.meta.url))) process.exit(0);
const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
  stdio: 'inherit',
  cwd: new URL('..', import.meta.url),
});
if (r.status !== 0) console.warn('earshot: the web desk did not build now; `npm start` will try again.');
