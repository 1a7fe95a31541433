/**
 * Setup links (issue 11): an Administrator hands the customer's IT admin a link that walks them
 * through one part of the set-up (SSO, SCIM or domain verification) of one organization, without
 * an Orgward account. Only the SHA-256 digest of the link's secret is stored (like every bearer
 * secret); the link ends at `expires_at` or when revoked. `setup_link_steps` records what was done
 * through the link (the connection it added, the SCIM token it created, the domains it
 * registered), written in the same transaction as the change and its audit entry, so the link's
 * pages and the audit log never disagree. Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `
    CREATE TABLE setup_links (
      -- SL + 32 hex (Twilio's SID form)
      sid text PRIMARY KEY CONSTRAINT setup_links_sid_form CHECK (sid ~ '^SL[0-9a-f]{32}$'),
      org_sid text NOT NULL REFERENCES organizations(sid),
      kind text NOT NULL CONSTRAINT setup_links_kind CHECK (kind IN ('sso', 'scim', 'domain')),
      token_hash text NOT NULL CONSTRAINT setup_links_token_hash_unique UNIQUE,
      -- the user who created it (US…), an API client (api:OQ…) or 'operator'
      created_by text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_by text,
      last_used_at timestamptz,
      -- the identity provider the IT admin chose (rules/setup-links.ts lists them per kind)
      idp text CONSTRAINT setup_links_idp CHECK (idp IS NULL OR idp IN ('okta', 'entra', 'google', 'saml', 'oidc', 'other')),
      -- SSO links: the id the connection gets, chosen when the IdP is chosen, so the values the IdP
      -- needs (entity ID, ACS URL, redirect URI) are known before the IdP's own values are
      connection_id uuid,
      CONSTRAINT setup_links_connection_for_sso CHECK (connection_id IS NULL OR kind = 'sso'),
      CONSTRAINT setup_links_expiry_after_creation CHECK (expires_at > created_at)
    );`,
  `
    CREATE INDEX setup_links_org ON setup_links (org_sid, created_at);`,
  `
    CREATE TABLE setup_link_steps (
      id bigserial PRIMARY KEY,
      link_sid text NOT NULL REFERENCES setup_links(sid),
      org_sid text NOT NULL REFERENCES organizations(sid),
      -- the audit action of the step (sso.connection_added, scim.token_created, domain.added, …)
      action text NOT NULL,
      target text,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE INDEX setup_link_steps_link ON setup_link_steps (link_sid, id);`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS setup_link_steps');
  await knex.raw('DROP TABLE IF EXISTS setup_links');
}
