/**
 * C4 (every organization with members has exactly one Owner): the deferred owner check
 * (memberships_owner_required, 20261123000000_create_foundation.ts) ran after EVERY update of a
 * membership, and so at the commit of every rename: a new display name or email is copied into the
 * member's search keys (users_search_keys → memberships.email_key, name_key), which queued the
 * check and its two queries for an organization whose owners cannot have changed. Only an insert, a
 * delete, or an update of the organization or role (or of the row's user) can leave an organization
 * without its Owner, so the check now fires for those alone. Issue 14: Okta's PUT of a new family
 * name paid for it on every request. Same function, same deferral; runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER memberships_owner_required ON memberships');
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER memberships_owner_required
      AFTER INSERT OR DELETE OR UPDATE OF org_sid, role, user_sid ON memberships
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION memberships_owner_present()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER memberships_owner_required ON memberships');
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER memberships_owner_required
      AFTER INSERT OR UPDATE OR DELETE ON memberships
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION memberships_owner_present()`);
}
