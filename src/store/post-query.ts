/** Posts with what the desk shows beside them (author, the agent who sent it): one query shape for every reader. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export function selectPostsWithAuthors(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('posts as p')
    .innerJoin('identities as i', 'i.id', 'p.identity_id')
    .leftJoin('users as u', 'u.id', 'p.sent_by')
    .selectAll('p')
    .select([
      'i.handle as author_handle',
      'i.display_name as author_display_name',
      'i.external_id as author_external_id',
      'i.followers as author_followers',
      'i.verified as author_verified',
      'u.name as sent_by_name',
    ]);
}
