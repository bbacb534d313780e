/** Opening the configured store for one command, and closing it whatever happens. */
import { existsSync } from 'node:fs';
import { loadConfig, type Config } from '../app/config.js';
import { EarshotError } from '../core/errors.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { CliIo } from './run.js';

export interface OpenOptions {
  /** Create the database when there is none (replay); otherwise a missing database is an error (nothing to list). */
  create: boolean;
}

export async function withStore<T>(io: CliIo, opts: OpenOptions, fn: (store: SqliteStore, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  if (!opts.create && !existsSync(config.databaseFile)) {
    throw new EarshotError(
      'not_found',
      `no Earshot database at ${config.databaseFile} (set EARSHOT_DATA_DIR to the data directory, or run \`earshot start\` or \`earshot replay\` first)`,
    );
  }
  const store = await SqliteStore.open(config.databaseFile);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
