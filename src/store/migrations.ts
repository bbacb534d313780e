import { sql, type Kysely, type Migration, type MigrationProvider, type ColumnDefinitionBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Versioned migrations, run in order on every start; each runs once (Kysely records them in kysely_migration). */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

function migrations(dialect: Dialect): Record<string, Migration> {
  // An auto-incrementing integer key in each dialect's own idiom.
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const real = dialect === 'postgres' ? 'double precision' : 'real';

  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('brands').addColumn('id', idType, id).addColumn('name', 'text', (c) => c.notNull().unique()).addColumn('keywords', 'text', (c) => c.notNull().defaultTo('[]')).execute();
        await db.schema
          .createTable('brand_accounts')
          .addColumn('id', idType, id)
          .addColumn('brand_id', big, (c) => c.notNull().references('brands.id'))
          .addColumn('network', 'text', (c) => c.notNull())
          .addColumn('handle', 'text', (c) => c.notNull())
          .addColumn('handle_lc', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text')
          .addUniqueConstraint('brand_accounts_network_handle', ['network', 'handle_lc'])
          .execute();
        await db.schema.createTable('customers').addColumn('id', idType, id).addColumn('display_name', 'text').addColumn('created_at', big, (c) => c.notNull()).execute();
        await db.schema
          .createTable('identities')
          .addColumn('id', idType, id)
          .addColumn('customer_id', big, (c) => c.references('customers.id'))
          .addColumn('network', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('handle', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text')
          .addColumn('followers', big)
          .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('brand_id', big)
          .addUniqueConstraint('identities_network_external_id', ['network', 'external_id'])
          .execute();
        await db.schema.createIndex('identities_customer').on('identities').column('customer_id').execute();
        await db.schema
          .createTable('conversations')
          .addColumn('id', idType, id)
          .addColumn('brand_id', big)
          .addColumn('customer_id', big, (c) => c.notNull().references('customers.id'))
          .addColumn('network', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('assignee_id', big)
          .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('intent', 'text', (c) => c.notNull())
          .addColumn('sentiment', 'text', (c) => c.notNull())
          .addColumn('preview', 'text', (c) => c.notNull())
          .addColumn('dismissed_reason', 'text')
          .addColumn('opened_at', big, (c) => c.notNull())
          .addColumn('last_inbound_at', big)
          .addColumn('last_outbound_at', big)
          .addColumn('first_response_at', big)
          .addColumn('resolved_at', big)
          .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('conversations_customer_brand').on('conversations').columns(['customer_id', 'brand_id', 'status']).execute();
        await db.schema.createIndex('conversations_queue').on('conversations').columns(['status', 'priority', 'updated_at']).execute();
        await db.schema.createIndex('conversations_updated').on('conversations').column('updated_at').execute();
        await db.schema
          .createTable('posts')
          .addColumn('id', idType, id)
          .addColumn('network', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', big)
          .addColumn('identity_id', big, (c) => c.notNull())
          .addColumn('direction', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('ingested_at', big, (c) => c.notNull())
          .addColumn('url', 'text')
          .addColumn('lang', 'text')
          .addColumn('in_reply_to_id', 'text')
          .addColumn('root_id', 'text')
          .addColumn('repost_of_id', 'text')
          .addColumn('quoted_id', 'text')
          .addColumn('is_private', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('mentions', 'text', (c) => c.notNull())
          .addColumn('hashtags', 'text', (c) => c.notNull())
          .addColumn('urls', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('sentiment', 'text', (c) => c.notNull())
          .addColumn('sentiment_score', real, (c) => c.notNull())
          .addColumn('intent', 'text', (c) => c.notNull())
          .addColumn('intent_score', real, (c) => c.notNull())
          .addColumn('needs_reply', real, (c) => c.notNull())
          .addColumn('priority', 'integer', (c) => c.notNull())
          .addColumn('language', 'text', (c) => c.notNull())
          .addColumn('reasons', 'text', (c) => c.notNull())
          .addColumn('sent_by', big)
          // The dedupe key: the same post ingested twice is stored once.
          .addUniqueConstraint('posts_network_external_id', ['network', 'external_id'])
          .execute();
        await db.schema.createIndex('posts_conversation').on('posts').columns(['conversation_id', 'created_at']).execute();
        await db.schema.createIndex('posts_in_reply_to').on('posts').columns(['network', 'in_reply_to_id']).execute();
        await db.schema.createIndex('posts_identity').on('posts').column('identity_id').execute();
        await db.schema
          .createTable('replies')
          .addColumn('id', idType, id)
          .addColumn('conversation_id', big, (c) => c.notNull())
          .addColumn('network', 'text', (c) => c.notNull())
          .addColumn('account_handle', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('in_reply_to_external_id', 'text')
          .addColumn('is_private', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .addColumn('external_id', 'text')
          .addColumn('post_id', big)
          .addColumn('created_by', big)
          .addColumn('created_at', big, (c) => c.notNull())
          .addColumn('sent_at', big)
          .addColumn('next_attempt_at', big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('replies_due').on('replies').columns(['status', 'next_attempt_at']).execute();
        await db.schema.createIndex('replies_conversation').on('replies').column('conversation_id').execute();
        await db.schema
          .createTable('quarantine')
          .addColumn('id', idType, id)
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('line', 'integer')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('sample', 'text', (c) => c.notNull())
          .addColumn('received_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('users')
          .addColumn('id', idType, id)
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('signature', 'text')
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', big, (c) => c.notNull())
          .addColumn('expires_at', big, (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('api_tokens')
          .addColumn('hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', big, (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('cursors')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', idType, id)
          .addColumn('at', big, (c) => c.notNull())
          .addColumn('user_id', big)
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text')
          .addColumn('detail', 'text')
          .execute();

        if (dialect === 'sqlite') {
          // External-content FTS5 index on post text, kept in step by triggers.
          await sql`CREATE VIRTUAL TABLE posts_fts USING fts5(text, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(db);
          await sql`CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END`.execute(db);
          await sql`CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END`.execute(db);
          await sql`CREATE TRIGGER posts_fts_au AFTER UPDATE OF text ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END`.execute(db);
        } else {
          await sql`ALTER TABLE posts ADD COLUMN text_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED`.execute(db);
          await sql`CREATE INDEX posts_text_tsv ON posts USING GIN (text_tsv)`.execute(db);
        }
      },
    },
    '0002_quarantine_once_per_record': {
      // A file replayed twice quarantines each bad record once. Records from live connectors have no line (NULL),
      // and NULLs never conflict, so every one of those is kept.
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex('quarantine_record').unique().on('quarantine').columns(['source', 'line', 'reason']).execute();
      },
    },
    '0003_label_corrections': {
      // Agents' corrections of a post's labels, one per (post, field): `earshot train --feedback` learns from them.
      // model_value keeps what the model said (the post itself shows the corrected value).
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('label_corrections')
          .addColumn('post_id', big, (c) => c.notNull().references('posts.id').onDelete('cascade'))
          .addColumn('field', 'text', (c) => c.notNull().check(sql`field IN ('intent', 'sentiment', 'needs_reply')`))
          .addColumn('model_value', 'text', (c) => c.notNull())
          .addColumn('corrected_value', 'text', (c) => c.notNull())
          .addColumn('user_id', big, (c) => c.references('users.id'))
          .addColumn('created_at', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('label_corrections_pk', ['post_id', 'field'])
          .execute();
      },
    },
    '0004_conversation_waiting_since': {
      // When the customer's first unanswered post arrived: the queue adds time waiting to priority from it. Kept by
      // the ingest aggregates; filled here for conversations stored before it existed.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('conversations').addColumn('waiting_since', big).execute();
        await sql`UPDATE conversations SET waiting_since = (
            SELECT MIN(p.created_at) FROM posts p
             WHERE p.conversation_id = conversations.id AND p.direction = 'inbound'
               AND p.created_at > COALESCE((SELECT MAX(o.created_at) FROM posts o WHERE o.conversation_id = conversations.id AND o.direction = 'outbound'), 0))`.execute(db);
      },
    },
  };
}
