/**
 * The Organizations API's user list (issue 10), per organization: the search keys of each member
 * (lower-cased email and display name, C collation, exactly what users_email_search and
 * users_display_name_search held) are copied onto the membership row, so one btree per key,
 * led by org_sid, serves the organization, the prefix range and the order. Before, a search read
 * every user of every organization in the prefix range and looked up each one's membership to
 * keep those of the one organization (80 index entries and 80 membership lookups for a page of
 * 50 here; thousands for a small organization in a large database).
 *
 * Triggers keep the copy exact: a membership takes its user's keys when it is written; a change of
 * a user's email or display name rewrites the keys of their membership (U1: at most one).
 * `orgward_prefix_end(p)` is the least string above every string that starts with `p` (C order:
 * code point order), so a prefix is an index range `>= p AND < orgward_prefix_end(p)` that a
 * prepared statement's generic plan can use (a LIKE pattern only becomes a range when the planner
 * sees the constant). NULL when there is none (p made only of U+10FFFF). Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `CREATE FUNCTION orgward_prefix_end(p text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE c int;
    BEGIN
      WHILE p <> '' LOOP
        c := ascii(right(p, 1));
        IF c < 1114111 THEN
          -- The next code point; surrogates are not characters (U+D7FF is followed by U+E000).
          RETURN left(p, -1) || chr(CASE WHEN c = 55295 THEN 57344 ELSE c + 1 END);
        END IF;
        p := left(p, -1);
      END LOOP;
      RETURN NULL;
    END $$`,
  'ALTER TABLE memberships ADD COLUMN email_key text COLLATE "C", ADD COLUMN name_key text COLLATE "C"',
  'UPDATE memberships m SET email_key = lower(u.email), name_key = lower(u.display_name) FROM users u WHERE u.sid = m.user_sid',
  `CREATE FUNCTION memberships_search_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT lower(u.email), lower(u.display_name) INTO NEW.email_key, NEW.name_key FROM users u WHERE u.sid = NEW.user_sid;
      RETURN NEW;
    END $$`,
  `CREATE TRIGGER memberships_search_keys BEFORE INSERT OR UPDATE OF user_sid ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_search_keys()`,
  `CREATE FUNCTION users_search_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE memberships SET email_key = lower(NEW.email), name_key = lower(NEW.display_name) WHERE user_sid = NEW.sid;
      RETURN NULL;
    END $$`,
  `CREATE TRIGGER users_search_keys AFTER UPDATE OF email, display_name ON users FOR EACH ROW
    WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION users_search_keys()`,
  'CREATE INDEX memberships_email_search ON memberships (org_sid, email_key)',
  'CREATE INDEX memberships_name_search ON memberships (org_sid, name_key, user_sid) WHERE name_key IS NOT NULL',
  // Nothing else orders or ranges users by these keys.
  'DROP INDEX users_email_search',
  'DROP INDEX users_display_name_search',
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX users_email_search ON users ((lower(email) COLLATE "C"))');
  await knex.raw('CREATE INDEX users_display_name_search ON users ((lower(display_name) COLLATE "C"), sid) WHERE display_name IS NOT NULL');
  await knex.raw('DROP TRIGGER IF EXISTS users_search_keys ON users');
  await knex.raw('DROP FUNCTION IF EXISTS users_search_keys()');
  await knex.raw('DROP TRIGGER IF EXISTS memberships_search_keys ON memberships');
  await knex.raw('DROP FUNCTION IF EXISTS memberships_search_keys()');
  await knex.raw('DROP INDEX IF EXISTS memberships_name_search');
  await knex.raw('DROP INDEX IF EXISTS memberships_email_search');
  await knex.raw('ALTER TABLE memberships DROP COLUMN IF EXISTS email_key, DROP COLUMN IF EXISTS name_key');
  await knex.raw('DROP FUNCTION IF EXISTS orgward_prefix_end(text)');
}
