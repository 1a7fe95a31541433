/**
 * The product's apps as OpenID Connect clients (issue 13): registered apps (only the secret's
 * SHA-256 digest is stored), the provider's signing keys (sealed with the secret key, rotated by
 * `orgward oidc rotate-keys`; a retired key stays published until the tokens it signed expire),
 * and the back-channel logout notices waiting for delivery (written in the transaction that ends
 * a user's sessions). Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `
    -- client_id is AP + 32 hex. A public app (PKCE, no secret) has no secret_hash.
    CREATE TABLE oidc_apps (
      client_id text PRIMARY KEY CONSTRAINT oidc_apps_id_form CHECK (client_id ~ '^AP[0-9a-f]{32}$'),
      name text NOT NULL CONSTRAINT oidc_apps_name_length CHECK (length(name) BETWEEN 1 AND 200),
      redirect_uris jsonb NOT NULL,
      public boolean NOT NULL,
      secret_hash text,
      backchannel_logout_uri text,
      -- registered by the operator: skips the consent screen
      first_party boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT oidc_apps_secret_shape CHECK ((public AND secret_hash IS NULL) OR (NOT public AND secret_hash IS NOT NULL))
    );`,
  `
    -- The newest key not retired signs; retired keys are published until publish_until.
    CREATE TABLE oidc_signing_keys (
      kid text PRIMARY KEY,
      jwk_encrypted text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      publish_until timestamptz
    );`,
  `
    -- One logout token to send to one app for one user; delivered by any instance (SKIP LOCKED).
    CREATE TABLE oidc_logout_notices (
      id bigserial PRIMARY KEY,
      client_id text NOT NULL,
      user_sid text NOT NULL,
      reason text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      last_status integer
    );`,
  `
    CREATE INDEX oidc_logout_notices_due ON oidc_logout_notices (next_attempt_at) WHERE delivered_at IS NULL;`,
  `
    -- Ending a user's sessions finds the provider's rows of that user (sessions, grants, tokens).
    CREATE INDEX oidc_payloads_account ON oidc_payloads ((payload->>'accountId')) WHERE payload ? 'accountId';`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement.replace(/\?/g, '\\?'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS oidc_payloads_account');
  await knex.raw('DROP TABLE IF EXISTS oidc_logout_notices');
  await knex.raw('DROP TABLE IF EXISTS oidc_signing_keys');
  await knex.raw('DROP TABLE IF EXISTS oidc_apps');
}
