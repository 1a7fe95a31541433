/**
 * The last test sign-in of each SSO connection (S1, issue 10): its outcome, when it ran and the
 * attributes the IdP sent (issuer, subject, email, names), so an administrator can read why a test
 * failed without the server log. One row per connection, replaced by each test; it goes with the
 * connection. Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sso_test_results (
      connection_id uuid PRIMARY KEY REFERENCES sso_connections(id) ON DELETE CASCADE,
      org_sid text NOT NULL REFERENCES organizations(sid),
      outcome text NOT NULL CONSTRAINT sso_test_results_outcome CHECK (outcome IN ('succeeded', 'failed')),
      -- the refusal's stable code and message when the test failed
      error_code text,
      error_message text CONSTRAINT sso_test_results_message_length CHECK (error_message IS NULL OR length(error_message) <= 2000),
      attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
      tested_at timestamptz NOT NULL
    );`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS sso_test_results');
}
