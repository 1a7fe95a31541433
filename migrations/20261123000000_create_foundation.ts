/**
 * The foundation schema: organizations, users and memberships, accounts and grants, domains,
 * invitations, one-time tokens, sessions, second factors, merge requests, mail outbox, audit log.
 * Runs unchanged on PostgreSQL and PGlite: no extensions, lower(...) indexes instead of citext.
 * Named constraints back the integrity rules of DOMAIN.md so that a race cannot break them.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `
    CREATE TABLE organizations (
      sid text PRIMARY KEY CONSTRAINT organizations_sid_format CHECK (sid ~ '^OR[0-9a-f]{32}$'),
      name text NOT NULL CONSTRAINT organizations_name_length CHECK (length(name) BETWEEN 1 AND 200),
      -- O5: operators may raise it per organization
      account_limit integer NOT NULL DEFAULT 10 CONSTRAINT organizations_account_limit_positive CHECK (account_limit >= 0),
      bulk_import_enabled boolean NOT NULL DEFAULT false,          -- B1
      baa_executed_at timestamptz,                                 -- H1
      merged_into_sid text REFERENCES organizations(sid),          -- O4: an organization ends only by merge
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE TABLE users (
      sid text PRIMARY KEY CONSTRAINT users_sid_format CHECK (sid ~ '^US[0-9a-f]{32}$'),
      email text NOT NULL CONSTRAINT users_email_length CHECK (length(email) BETWEEN 3 AND 320),
      display_name text,
      given_name text,
      family_name text,
      status text NOT NULL DEFAULT 'active' CONSTRAINT users_status_valid CHECK (status IN ('active', 'suspended')),
      password_hash text,
      -- U3: bumping it invalidates every session issued before
      password_changed_at timestamptz,
      -- U4: the user must enrol a second factor at the next sign-in
      second_factor_required boolean NOT NULL DEFAULT true,
      failed_sign_ins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    -- U1: identity is the email address, compared case-insensitively
    CREATE UNIQUE INDEX users_email_unique ON users (lower(email));`,
  `
    CREATE TABLE memberships (
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      org_sid text NOT NULL REFERENCES organizations(sid),
      role text NOT NULL CONSTRAINT memberships_role_valid CHECK (role IN ('owner', 'admin', 'standard')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- U1: a user belongs to at most one organization at a time
      CONSTRAINT memberships_one_org_per_user PRIMARY KEY (user_sid)
    );`,
  `
    CREATE INDEX memberships_org ON memberships (org_sid, role);`,
  `
    -- O2: at most one Owner per organization (at least one is kept by the deferred trigger below)
    CREATE UNIQUE INDEX memberships_one_owner_per_org ON memberships (org_sid) WHERE role = 'owner';`,
  `
    CREATE TABLE accounts (
      sid text PRIMARY KEY CONSTRAINT accounts_sid_format CHECK (sid ~ '^AC[0-9a-f]{32}$'),
      name text NOT NULL CONSTRAINT accounts_name_length CHECK (length(name) BETWEEN 1 AND 64),
      usage text NOT NULL CONSTRAINT accounts_usage_valid CHECK (usage IN ('twilio', 'flex')),
      plan text NOT NULL DEFAULT 'trial' CONSTRAINT accounts_plan_valid CHECK (plan IN ('trial', 'upgraded')),
      status text NOT NULL DEFAULT 'active' CONSTRAINT accounts_status_valid CHECK (status IN ('active', 'suspended', 'closed')),
      owner_sid text NOT NULL REFERENCES users(sid),
      parent_sid text REFERENCES accounts(sid),                    -- A7: subaccounts
      org_sid text REFERENCES organizations(sid),
      management text CONSTRAINT accounts_management_valid CHECK (management IN ('managed', 'independent', 'pending')),
      hipaa boolean NOT NULL DEFAULT false,                        -- H2
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- A1: an account in an organization is managed, independent or pending; outside one it is neither
      CONSTRAINT accounts_management_with_org CHECK ((org_sid IS NULL) = (management IS NULL)),
      CONSTRAINT accounts_no_self_parent CHECK (parent_sid IS NULL OR parent_sid <> sid)
    );`,
  `
    CREATE INDEX accounts_org ON accounts (org_sid) WHERE org_sid IS NOT NULL;`,
  `
    CREATE INDEX accounts_owner ON accounts (owner_sid);`,
  `
    CREATE INDEX accounts_parent ON accounts (parent_sid) WHERE parent_sid IS NOT NULL;`,
  `
    CREATE TABLE account_grants (
      org_sid text NOT NULL REFERENCES organizations(sid),
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      account_sid text NOT NULL REFERENCES accounts(sid),
      -- 'direct' grants are given by administrators; 'scim' grants are recomputed from SCIM groups (C5)
      source text NOT NULL DEFAULT 'direct' CONSTRAINT account_grants_source_valid CHECK (source IN ('direct', 'scim')),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT account_grants_pk PRIMARY KEY (user_sid, account_sid, source)
    );`,
  `
    CREATE INDEX account_grants_org ON account_grants (org_sid, user_sid);`,
  `
    CREATE TABLE domains (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      name text NOT NULL CONSTRAINT domains_name_normalised CHECK (name = lower(name) AND name !~ '^www\\.' AND name !~ '\\.$'),
      txt_token text NOT NULL,
      verified_at timestamptz,
      policy text NOT NULL DEFAULT 'restricted' CONSTRAINT domains_policy_valid CHECK (policy IN ('restricted', 'auto_enrollment', 'blocked')),
      sso_enforced boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT domains_enforced_only_when_verified CHECK (NOT sso_enforced OR verified_at IS NOT NULL),
      CONSTRAINT domains_once_per_org UNIQUE (org_sid, name)
    );`,
  `
    -- D4: a domain is verified by at most one organization
    CREATE UNIQUE INDEX domains_one_verifying_org ON domains (lower(name)) WHERE verified_at IS NOT NULL;`,
  `
    CREATE TABLE invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      email text NOT NULL,
      role text NOT NULL CONSTRAINT invitations_role_valid CHECK (role IN ('admin', 'standard')),
      token_hash text NOT NULL CONSTRAINT invitations_token_unique UNIQUE,
      invited_by text,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE UNIQUE INDEX invitations_one_pending_per_email ON invitations (org_sid, lower(email))
      WHERE accepted_at IS NULL AND revoked_at IS NULL;`,
  `
    CREATE INDEX invitations_email ON invitations (lower(email));`,
  `
    -- Single-use links sent by mail (password reset U3, account import confirmation A3, merge acceptance M1).
    CREATE TABLE one_time_tokens (
      token_hash text PRIMARY KEY,
      purpose text NOT NULL CONSTRAINT one_time_tokens_purpose_valid CHECK (purpose IN ('password_reset', 'account_import', 'merge')),
      subject text NOT NULL,
      org_sid text REFERENCES organizations(sid),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE INDEX one_time_tokens_subject ON one_time_tokens (purpose, subject);`,
  `
    CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      method text NOT NULL CONSTRAINT sessions_method_valid CHECK (method IN ('password', 'saml', 'oidc')),
      connection_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text
    );`,
  `
    CREATE INDEX sessions_user ON sessions (user_sid) WHERE revoked_at IS NULL;`,
  `
    CREATE TABLE second_factors (
      user_sid text PRIMARY KEY REFERENCES users(sid) ON DELETE CASCADE,
      kind text NOT NULL DEFAULT 'totp' CONSTRAINT second_factors_kind_valid CHECK (kind IN ('totp')),
      secret_encrypted text NOT NULL,
      confirmed_at timestamptz,
      last_used_step bigint,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE TABLE merge_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      prime_org_sid text NOT NULL REFERENCES organizations(sid),
      candidate_owner_email text NOT NULL,
      invited_by text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CONSTRAINT merge_requests_status_valid CHECK (status IN ('pending', 'accepted', 'revoked')),
      candidate_org_sid text REFERENCES organizations(sid),
      created_at timestamptz NOT NULL DEFAULT now(),
      decided_at timestamptz
    );`,
  `
    CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      recipient text NOT NULL,
      subject text NOT NULL,
      body_text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    );`,
  `
    CREATE INDEX mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL;`,
  `
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      org_sid text NOT NULL REFERENCES organizations(sid),
      actor text NOT NULL,
      action text NOT NULL,
      target text,
      before jsonb,
      after jsonb,
      request_id text,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE INDEX audit_log_org ON audit_log (org_sid, id);`,
  `
    -- O2: every organization that has members has exactly one Owner, checked at commit so that
    -- a hand-over can demote and promote inside one transaction.
    CREATE FUNCTION memberships_owner_present() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      org text := COALESCE(NEW.org_sid, OLD.org_sid);
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.org_sid IS DISTINCT FROM NEW.org_sid THEN
        IF EXISTS (SELECT 1 FROM memberships WHERE org_sid = OLD.org_sid)
           AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_sid = OLD.org_sid AND role = 'owner') THEN
          RAISE EXCEPTION 'organization % has no owner', OLD.org_sid USING ERRCODE = '23514', CONSTRAINT = 'memberships_owner_required';
        END IF;
      END IF;
      IF EXISTS (SELECT 1 FROM memberships WHERE org_sid = org)
         AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_sid = org AND role = 'owner') THEN
        RAISE EXCEPTION 'organization % has no owner', org USING ERRCODE = '23514', CONSTRAINT = 'memberships_owner_required';
      END IF;
      RETURN NULL;
    END $$;`,
  `
    CREATE CONSTRAINT TRIGGER memberships_owner_required
      AFTER INSERT OR UPDATE OR DELETE ON memberships
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION memberships_owner_present();`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP TABLE audit_log, mail_outbox, merge_requests, second_factors, sessions, one_time_tokens,
    invitations, domains, account_grants, accounts, memberships, users, organizations CASCADE`);
  await knex.raw('DROP FUNCTION IF EXISTS memberships_owner_present()');
}
