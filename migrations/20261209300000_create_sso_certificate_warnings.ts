/**
 * Issue 13, `sso_connection.certificate_expiring`: the record that a SAML connection's IdP signing
 * certificate was warned about, so that the housekeeping check (jobs/housekeeping-checks.ts) warns
 * once per connection and certificate, not at every run. The row is written in the transaction
 * that writes the warning's event; it goes with its connection. Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sso_certificate_warnings (
      connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
      org_sid text NOT NULL,
      -- the certificate's SHA-256 fingerprint, as the API shows it (fingerprint_sha256)
      fingerprint text NOT NULL,
      not_after timestamptz NOT NULL,
      warned_at timestamptz NOT NULL,
      -- once per connection and certificate
      CONSTRAINT sso_certificate_warnings_once PRIMARY KEY (connection_id, fingerprint)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS sso_certificate_warnings');
}
