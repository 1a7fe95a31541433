/**
 * Single sign-on and sign-in state: SSO connections (S1), SSO identities keyed by organization,
 * issuer and subject (S6), the SAML request cache and assertion-ID replay cache (S3, S8), OIDC
 * login transactions, test sign-in tickets, password sign-in challenges awaiting a second factor
 * (U4). Every single-use row is consumed with one atomic statement, so several instances behind
 * a load balancer agree on who used it first.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `
    CREATE TABLE sso_connections (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      protocol text NOT NULL CONSTRAINT sso_connections_protocol_valid CHECK (protocol IN ('saml', 'oidc')),
      enabled boolean NOT NULL DEFAULT true,
      -- SAML: the IdP's entity ID, SSO URL and signing certificates (PEM, several for rotation)
      idp_entity_id text,
      sso_url text,
      idp_certificates jsonb,
      allow_idp_initiated boolean NOT NULL DEFAULT false,       -- S8: off by default
      allow_sha1 boolean NOT NULL DEFAULT false,
      -- SAML: our SP key pair for this connection (private key encrypted at rest)
      sp_private_key_encrypted text,
      sp_certificate text,
      -- OIDC: issuer (discovered lazily), client credentials (secret encrypted at rest)
      issuer text,
      client_id text,
      client_secret_encrypted text,
      -- Test setups only: a plain-http issuer on a loopback address
      allow_http_issuer boolean NOT NULL DEFAULT false,
      -- S1: when a test sign-in last succeeded
      tested_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT sso_connections_saml_complete CHECK (protocol <> 'saml'
        OR (idp_entity_id IS NOT NULL AND sso_url IS NOT NULL AND idp_certificates IS NOT NULL AND sp_certificate IS NOT NULL)),
      CONSTRAINT sso_connections_oidc_complete CHECK (protocol <> 'oidc'
        OR (issuer IS NOT NULL AND client_id IS NOT NULL AND client_secret_encrypted IS NOT NULL))
    );`,
  `
    CREATE INDEX sso_connections_org ON sso_connections (org_sid, created_at);`,
  `
    -- S6: an SSO identity is keyed by (organization, IdP issuer, subject), never by email.
    CREATE TABLE sso_identities (
      org_sid text NOT NULL REFERENCES organizations(sid),
      issuer text NOT NULL,
      subject text NOT NULL,
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      connection_id uuid REFERENCES sso_connections(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_sign_in_at timestamptz,
      CONSTRAINT sso_identities_key PRIMARY KEY (org_sid, issuer, subject)
    );`,
  `
    -- S6: one identity per user and issuer; a second subject for the same person is refused.
    CREATE UNIQUE INDEX sso_identities_one_per_issuer ON sso_identities (user_sid, issuer);`,
  `
    -- S3: AuthnRequests we issued; a response's InResponseTo must consume one (DELETE ... RETURNING).
    CREATE TABLE sso_saml_requests (
      id text PRIMARY KEY,
      connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
      purpose text NOT NULL CONSTRAINT sso_saml_requests_purpose_valid CHECK (purpose IN ('sign_in', 'test')),
      relay_state text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );`,
  `
    CREATE INDEX sso_saml_requests_expiry ON sso_saml_requests (expires_at);`,
  `
    -- S3, S8: assertion IDs seen on any instance (INSERT ... ON CONFLICT DO NOTHING decides the winner).
    CREATE TABLE sso_assertion_ids (
      connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
      assertion_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT sso_assertion_ids_key PRIMARY KEY (connection_id, assertion_id)
    );`,
  `
    CREATE INDEX sso_assertion_ids_expiry ON sso_assertion_ids (expires_at);`,
  `
    -- OIDC login transactions: keyed by the digest of state, bound to the browser and the connection.
    CREATE TABLE sso_oidc_transactions (
      state_hash text PRIMARY KEY,
      connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
      org_sid text NOT NULL REFERENCES organizations(sid),
      browser_hash text NOT NULL,
      purpose text NOT NULL CONSTRAINT sso_oidc_transactions_purpose_valid CHECK (purpose IN ('sign_in', 'test')),
      nonce text NOT NULL,
      code_verifier_encrypted text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );`,
  `
    CREATE INDEX sso_oidc_transactions_expiry ON sso_oidc_transactions (expires_at);`,
  `
    -- S1: single-use links that start a test sign-in with one connection.
    CREATE TABLE sso_test_tickets (
      token_hash text PRIMARY KEY,
      connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
      org_sid text NOT NULL REFERENCES organizations(sid),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );`,
  `
    -- A password that was right, waiting for the second factor (U4): verify or enrol TOTP.
    CREATE TABLE sign_in_challenges (
      id_hash text PRIMARY KEY,
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      kind text NOT NULL CONSTRAINT sign_in_challenges_kind_valid CHECK (kind IN ('totp', 'totp_enrol')),
      secret_encrypted text,
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      CONSTRAINT sign_in_challenges_enrol_has_secret CHECK (kind <> 'totp_enrol' OR secret_encrypted IS NOT NULL)
    );`,
  `
    CREATE INDEX sign_in_challenges_user ON sign_in_challenges (user_sid);`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP TABLE sign_in_challenges, sso_test_tickets, sso_oidc_transactions, sso_assertion_ids,
    sso_saml_requests, sso_identities, sso_connections CASCADE`);
}
