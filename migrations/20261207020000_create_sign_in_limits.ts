/**
 * Brute-force defences shared by every instance: sign-in back-off counters (per account and
 * client address, and per account), the table of rate-limiter-flexible's PostgreSQL store, and
 * the hashed single-use recovery codes of TOTP users. Pending second-factor challenges carry the
 * recovery codes shown at enrolment (encrypted) until the enrolment is confirmed.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `
    -- Back-off counters decided by rules/sign-in-lockout.ts under a row lock. scope 'password' is
    -- keyed by the normalised email (known or not, so unknown addresses back off alike) and a
    -- client address, or '*' for the account-wide ceiling; scope 'second_factor' by user SID and '*'.
    CREATE TABLE sign_in_backoff (
      scope text NOT NULL CONSTRAINT sign_in_backoff_scope_valid CHECK (scope IN ('password', 'second_factor')),
      subject text NOT NULL,
      client text NOT NULL,
      failures integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT sign_in_backoff_key PRIMARY KEY (scope, subject, client)
    );`,
  `
    -- rate-limiter-flexible's PostgreSQL store (created here, so the library never runs DDL).
    CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    );`,
  `
    -- Self-service recovery: ten single-use codes per TOTP user, only their SHA-256 digests.
    CREATE TABLE recovery_codes (
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      code_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      used_at timestamptz,
      CONSTRAINT recovery_codes_key PRIMARY KEY (user_sid, code_hash)
    );`,
  `
    ALTER TABLE sign_in_challenges ADD COLUMN recovery_codes_encrypted text;`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sign_in_challenges DROP COLUMN recovery_codes_encrypted');
  await knex.raw('DROP TABLE recovery_codes, rate_limits, sign_in_backoff');
}
