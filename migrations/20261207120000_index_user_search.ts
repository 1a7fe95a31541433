/**
 * The Organizations API's user list (issue 10): keyset paging ordered by the lower-cased email
 * (unique, U1), with prefix search on email and display name. The C collation makes one btree
 * index serve both the order and a `LIKE 'prefix%'` range (text_pattern_ops would not serve the
 * ORDER BY). Plain btree: PGlite has no pg_trgm. Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  'CREATE INDEX users_email_search ON users ((lower(email) COLLATE "C"))',
  // (name, sid): the name phase pages on the pair, and names repeat.
  'CREATE INDEX users_display_name_search ON users ((lower(display_name) COLLATE "C"), sid) WHERE display_name IS NOT NULL',
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS users_display_name_search');
  await knex.raw('DROP INDEX IF EXISTS users_email_search');
}
