import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildBrandIndex, type BrandIndex, type IngestOutcome, type NormalizedPost, type TriagedPost } from '../../core/index.js';
import { toFts5 } from '../fts-query.js';
import { KyselyStore } from '../kysely-store.js';
import { migrationProvider } from '../migrations.js';
import type { Database as Schema } from '../schema.js';
import { SqliteIngester } from './ingest.js';

/** The embedded default store: one SQLite file in WAL mode, FTS5 for search. */
export class SqliteStore extends KyselyStore {
  readonly dialect = 'sqlite' as const;
  private brandIndex: BrandIndex = buildBrandIndex([], []);
  // Prepared after migrations, since its statements name the tables.
  private ingesterInstance: SqliteIngester | null = null;

  private constructor(
    readonly file: string,
    readonly raw: Database.Database,
    db: Kysely<Schema>,
  ) {
    super(db);
  }

  /** Opens (creating when needed) the database file and runs pending migrations. */
  static async open(file: string): Promise<SqliteStore> {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last transactions.
    raw.pragma('synchronous = NORMAL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('foreign_keys = ON');
    raw.pragma('cache_size = -65536');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
    const store = new SqliteStore(file, raw, db);
    await store.migrate();
    await store.reloadBrands();
    return store;
  }

  async migrate(): Promise<void> {
    const { error, results } = await new Migrator({ db: this.db, provider: migrationProvider('sqlite') }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error');
      throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async reloadBrands(): Promise<void> {
    this.brandIndex = buildBrandIndex(await this.listBrands(), await this.listBrandAccounts());
  }

  override async upsertBrand(b: { name: string; keywords: string[] }) {
    const r = await super.upsertBrand(b);
    await this.reloadBrands();
    return r;
  }

  override async upsertBrandAccount(a: Parameters<KyselyStore['upsertBrandAccount']>[0]) {
    const r = await super.upsertBrandAccount(a);
    await this.reloadBrands();
    return r;
  }

  async ingest(batch: TriagedPost[]): Promise<IngestOutcome> {
    if (batch.length === 0) return { stored: 0, duplicates: 0, conversationsCreated: 0, events: [] };
    this.ingesterInstance ??= new SqliteIngester(this.raw, () => this.brandIndex, (p) => this.registerBrandAccountSync(p));
    return this.ingesterInstance.ingest(batch, Date.now());
  }

  /** A source that states direction (TWCS) names a brand account nobody configured: register it as its own brand. */
  private registerBrandAccountSync(p: NormalizedPost): void {
    const name = p.author.handle;
    this.raw.prepare("INSERT INTO brands (name, keywords) VALUES (?, '[]') ON CONFLICT(name) DO NOTHING").run(name);
    const brandId = this.raw.prepare('SELECT id FROM brands WHERE name = ?').pluck().get(name) as number;
    this.raw
      .prepare('INSERT INTO brand_accounts (brand_id, network, handle, handle_lc, external_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT(network, handle_lc) DO NOTHING')
      .run(brandId, p.network, p.author.handle, p.author.handle.toLowerCase(), p.author.externalId);
    const brands = (this.raw.prepare('SELECT id, name, keywords FROM brands').all() as Array<{ id: number; name: string; keywords: string }>).map((b) => ({
      id: b.id,
      name: b.name,
      keywords: JSON.parse(b.keywords) as string[],
    }));
    const accounts = (this.raw.prepare('SELECT id, brand_id, network, handle, external_id FROM brand_accounts').all() as Array<Record<string, unknown>>).map((a) => ({
      id: a.id as number,
      brandId: a.brand_id as number,
      network: a.network as NormalizedPost['network'],
      handle: a.handle as string,
      externalId: a.external_id as string | null,
    }));
    this.brandIndex = buildBrandIndex(brands, accounts);
  }

  protected fullTextPostIds(q: string) {
    const match = toFts5(q);
    return match === null ? null : sql<number>`(SELECT rowid FROM posts_fts WHERE posts_fts MATCH ${match})`;
  }

  /** Consistent online copy through SQLite's backup API (safe while the store is being written). */
  async backup(to: string): Promise<void> {
    await this.raw.backup(to);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
