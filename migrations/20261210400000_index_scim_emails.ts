/**
 * Issue 14: Entra matches users by `emails[type eq "work"].value eq "…"`, which compiled to an
 * EXISTS over every member's emails JSON (a scan of the organization: 80 lookups/s at 8,000
 * users). scim_email_keys() lists a SCIM row's email values lower-cased (emails.value is not
 * case-exact, RFC 7643 §4.1.2); its GIN index lets the filter start from the few members that
 * hold the address (store/scim-attributes.ts), the exact EXISTS then decides. PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION scim_email_keys(attributes jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(lower(e ->> 'value')) FILTER (WHERE e ->> 'value' IS NOT NULL), '{}')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(attributes -> 'emails') = 'array' THEN attributes -> 'emails' ELSE '[]'::jsonb END) AS e
  $$`);
  // fastupdate off: a fresh sync's rows would otherwise wait in the pending list, which every
  // lookup reads through until the next vacuum (0.6 ms per lookup after 8,000 creations).
  await knex.raw('CREATE INDEX scim_users_email_keys ON scim_users USING gin (scim_email_keys(attributes)) WITH (fastupdate = off)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS scim_users_email_keys');
  await knex.raw('DROP FUNCTION IF EXISTS scim_email_keys(jsonb)');
}
