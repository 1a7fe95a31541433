/**
 * SSO logins bound to the browser and to the signed-in Owner (S1, S6, S8): a SAML request records
 * the digest of the browser cookie set when the browser was sent to the IdP (checked at the ACS,
 * as OIDC transactions already are), and a test sign-in started by the Owner in a password
 * session records who may link the tested identity to themselves.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `
    -- Null for rows written before this migration (they expire within minutes) and never otherwise.
    ALTER TABLE sso_saml_requests ADD COLUMN browser_hash text;`,
  `
    -- S6: the Owner who started this test sign-in in a password + second-factor session, or null.
    ALTER TABLE sso_saml_requests ADD COLUMN link_user_sid text REFERENCES users(sid) ON DELETE CASCADE;`,
  `
    ALTER TABLE sso_oidc_transactions ADD COLUMN link_user_sid text REFERENCES users(sid) ON DELETE CASCADE;`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sso_oidc_transactions DROP COLUMN link_user_sid');
  await knex.raw('ALTER TABLE sso_saml_requests DROP COLUMN link_user_sid');
  await knex.raw('ALTER TABLE sso_saml_requests DROP COLUMN browser_hash');
}
