/**
 * What the pages behind mailed links need (issue 9, section 5): sign-up email verification (O1, D6),
 * the merge invitee's "decline" (M1), and where a pending account import came from, so that an
 * owner who declines it (A3) gets the account back as it was.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `
    -- Self sign-up starts from the email: a single-use link proves the mailbox before a user exists.
    CREATE TABLE signup_verifications (
      token_hash text PRIMARY KEY,
      email text NOT NULL CONSTRAINT signup_verifications_email_length CHECK (length(email) BETWEEN 3 AND 320),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE INDEX signup_verifications_email ON signup_verifications (lower(email));`,
  `
    -- M1: the Candidate's Owner may decline a merge invitation.
    ALTER TABLE merge_requests DROP CONSTRAINT merge_requests_status_valid;`,
  `
    ALTER TABLE merge_requests ADD CONSTRAINT merge_requests_status_valid
      CHECK (status IN ('pending', 'accepted', 'revoked', 'declined'));`,
  `
    -- A3: an account waiting for its owner's confirmation, and its management before the request
    -- (NULL: outside every organization; 'independent': an independent account of the organization).
    CREATE TABLE account_import_requests (
      account_sid text PRIMARY KEY REFERENCES accounts(sid) ON DELETE CASCADE,
      org_sid text NOT NULL REFERENCES organizations(sid),
      previous_management text CONSTRAINT account_import_requests_previous_valid CHECK (previous_management IN ('independent')),
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE account_import_requests, signup_verifications');
  await knex.raw("UPDATE merge_requests SET status = 'revoked' WHERE status = 'declined'");
  await knex.raw('ALTER TABLE merge_requests DROP CONSTRAINT merge_requests_status_valid');
  await knex.raw("ALTER TABLE merge_requests ADD CONSTRAINT merge_requests_status_valid CHECK (status IN ('pending', 'accepted', 'revoked'))");
}
