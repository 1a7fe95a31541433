/**
 * Housekeeping (issue 12): the indexes the sweeper (jobs/sweeper.ts) scans by, so each batch is an
 * index range read instead of a scan of a table that grows with traffic; the per-organization
 * audit-log retention (NULL: kept for ever, the default); and the lease that lets one instance at
 * a time sweep. Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  'CREATE INDEX sessions_expiry ON sessions (expires_at)',
  'CREATE INDEX one_time_tokens_expiry ON one_time_tokens (expires_at)',
  'CREATE INDEX signup_verifications_expiry ON signup_verifications (expires_at)',
  'CREATE INDEX sso_test_tickets_expiry ON sso_test_tickets (expires_at)',
  'CREATE INDEX sign_in_challenges_expiry ON sign_in_challenges (expires_at)',
  // Sent messages (their body is already gone, see 20261207030000) are removed after a retention.
  'CREATE INDEX mail_outbox_sent ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL',
  'CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)',
  'CREATE INDEX sign_in_backoff_updated ON sign_in_backoff (updated_at)',
  'CREATE INDEX rate_limits_expire ON rate_limits (expire) WHERE expire IS NOT NULL',
  // The metrics listener counts failed imports at every scrape.
  "CREATE INDEX user_import_jobs_failed ON user_import_jobs (created_at) WHERE status = 'failed'",
  // audit_log_org_time (org_sid, created_at, id) already serves the per-organization retention.
  `
    -- L1 retention: audit entries older than this many days are removed by the sweeper; NULL keeps them for ever.
    ALTER TABLE organizations ADD COLUMN audit_retention_days integer
      CONSTRAINT organizations_audit_retention_days_valid CHECK (audit_retention_days IS NULL OR audit_retention_days BETWEEN 1 AND 36500)`,
  `
    -- One sweeper at a time across instances: the holder of an unexpired lease sweeps, the others skip.
    -- A lease row rather than a session advisory lock: see jobs/sweeper.ts.
    CREATE TABLE sweeper_leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS sweeper_leases');
  await knex.raw('ALTER TABLE organizations DROP COLUMN IF EXISTS audit_retention_days');
  for (const index of ['sessions_expiry', 'one_time_tokens_expiry', 'signup_verifications_expiry', 'sso_test_tickets_expiry',
    'sign_in_challenges_expiry', 'mail_outbox_sent', 'idempotency_keys_created', 'sign_in_backoff_updated', 'rate_limits_expire', 'user_import_jobs_failed']) {
    await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  }
}
