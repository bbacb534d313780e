/**
 * Where ../shared/data (the public training and evaluation sets) is: `EARSHOT_SHARED_DATA`, else `../shared/data`
 * beside the checkout. One rule for `earshot train` / `earshot eval`, the training scripts and the tests.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file (src/triage/model/ → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The shared data directory for an environment (default: the process's). */
export function sharedDataDir(env: Record<string, string | undefined> = process.env): string {
  return env.EARSHOT_SHARED_DATA ?? path.resolve(REPO_ROOT, '../shared/data');
}

/** The files of `parts` (relative to `dir`) that are missing. */
export function missingShared(dir: string, parts: readonly string[]): string[] {
  return parts.filter((p) => !existsSync(path.join(dir, p)));
}
