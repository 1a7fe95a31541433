/**
 * The Organizations API (issue 10): API clients and operator clients (OAuth 2.0 client
 * credentials; only the secret's SHA-256 digest is stored), the OAuth server's shared state
 * (oidc-provider's adapter rows, so every instance sees the same grants and replay records), and
 * Idempotency-Key records shared by all instances, and the time SSO enforcement began per domain
 * (S7). Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `
    -- client_id is OQ + 32 hex (Twilio's OAuth app SID form). An organization client has an org and
    -- a role; an operator client has neither (it acts as the operator, like the CLI).
    CREATE TABLE api_clients (
      client_id text PRIMARY KEY CONSTRAINT api_clients_id_form CHECK (client_id ~ '^OQ[0-9a-f]{32}$'),
      kind text NOT NULL CONSTRAINT api_clients_kind CHECK (kind IN ('organization', 'operator')),
      org_sid text REFERENCES organizations(sid),
      role text CONSTRAINT api_clients_role CHECK (role IS NULL OR role IN ('admin', 'read-only')),
      name text CONSTRAINT api_clients_name_length CHECK (name IS NULL OR length(name) <= 200),
      secret_hash text NOT NULL,
      -- the user who created it (US…), or 'operator'
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      CONSTRAINT api_clients_kind_shape CHECK (
        (kind = 'organization' AND org_sid IS NOT NULL AND role IS NOT NULL)
        OR (kind = 'operator' AND org_sid IS NULL AND role IS NULL))
    );`,
  `
    CREATE INDEX api_clients_org ON api_clients (org_sid, created_at) WHERE org_sid IS NOT NULL;`,
  `
    -- oidc-provider's shared state (its adapter interface): one row per model and id.
    CREATE TABLE oidc_payloads (
      model text NOT NULL,
      id text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      CONSTRAINT oidc_payloads_pk PRIMARY KEY (model, id)
    );`,
  `
    CREATE INDEX oidc_payloads_grant ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL;`,
  `
    CREATE INDEX oidc_payloads_expiry ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;`,
  `
    -- Idempotency-Key: the first result of a mutation, per caller and key, shared by instances.
    CREATE TABLE idempotency_keys (
      caller text NOT NULL,
      key text NOT NULL CONSTRAINT idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 255),
      request_hash text NOT NULL,
      status integer,
      response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT idempotency_keys_pk PRIMARY KEY (caller, key)
    );`,
  `
    -- S7: API clients created before SSO enforcement of their creator's domain stop working. The
    -- time enforcement was switched on is kept by the database itself, whichever path switches it.
    ALTER TABLE domains ADD COLUMN sso_enforced_at timestamptz;`,
  `
    UPDATE domains SET sso_enforced_at = now() WHERE sso_enforced;`,
  `
    CREATE FUNCTION domains_sso_enforced_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.sso_enforced AND (TG_OP = 'INSERT' OR NOT OLD.sso_enforced) THEN
        NEW.sso_enforced_at := now();
      ELSIF NOT NEW.sso_enforced THEN
        NEW.sso_enforced_at := NULL;
      END IF;
      RETURN NEW;
    END $$;`,
  `
    CREATE TRIGGER domains_sso_enforced_at BEFORE INSERT OR UPDATE OF sso_enforced ON domains
      FOR EACH ROW EXECUTE FUNCTION domains_sso_enforced_at();`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS idempotency_keys');
  await knex.raw('DROP TABLE IF EXISTS oidc_payloads');
  await knex.raw('DROP TABLE IF EXISTS api_clients');
  await knex.raw('DROP TRIGGER IF EXISTS domains_sso_enforced_at ON domains');
  await knex.raw('DROP FUNCTION IF EXISTS domains_sso_enforced_at()');
  await knex.raw('ALTER TABLE domains DROP COLUMN IF EXISTS sso_enforced_at');
}
