/**
 * SCIM provisioning (C1-C5): bearer tokens per organization, the SCIM attributes IdPs send for
 * users (kept out of the core users table), groups with their members in a table of their own
 * (set-based PATCH at any group size), group mappings to roles and grants, and the role each
 * member holds through those mappings. Runs on PostgreSQL and PGlite (one statement per entry).
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `
    -- C1: a token reaches one organization; only its SHA-256 digest is stored; several may be live.
    CREATE TABLE scim_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      token_hash text NOT NULL CONSTRAINT scim_tokens_hash_unique UNIQUE,
      description text CONSTRAINT scim_tokens_description_length CHECK (description IS NULL OR length(description) <= 200),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );`,
  `
    CREATE INDEX scim_tokens_org ON scim_tokens (org_sid, created_at);`,
  `
    -- SCIM lists page through an organization's members in user_sid order (a stable order).
    CREATE INDEX scim_memberships_org_user ON memberships (org_sid, user_sid);`,
  `
    -- C2: what the IdP sent for a member, beyond the core columns of users (email, names, status).
    CREATE TABLE scim_users (
      org_sid text NOT NULL REFERENCES organizations(sid),
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      user_name text NOT NULL CONSTRAINT scim_users_user_name_length CHECK (length(user_name) BETWEEN 1 AND 1024),
      external_id text CONSTRAINT scim_users_external_id_length CHECK (external_id IS NULL OR length(external_id) <= 1024),
      attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT scim_users_pk PRIMARY KEY (org_sid, user_sid)
    );`,
  `
    -- RFC 7643 §4.1: userName is unique within the organization, compared case-insensitively.
    CREATE UNIQUE INDEX scim_users_user_name_unique ON scim_users (org_sid, lower(user_name));`,
  `
    CREATE INDEX scim_users_external_id ON scim_users (org_sid, external_id) WHERE external_id IS NOT NULL;`,
  `
    CREATE TABLE scim_groups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      display_name text NOT NULL CONSTRAINT scim_groups_display_name_length CHECK (length(display_name) BETWEEN 1 AND 1024),
      external_id text CONSTRAINT scim_groups_external_id_length CHECK (external_id IS NULL OR length(external_id) <= 1024),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT scim_groups_org_id UNIQUE (org_sid, id)
    );`,
  `
    -- C5: mappings name a group by displayName, so it is unique within the organization.
    CREATE UNIQUE INDEX scim_groups_display_name_unique ON scim_groups (org_sid, lower(display_name));`,
  `
    CREATE INDEX scim_groups_external_id ON scim_groups (org_sid, external_id) WHERE external_id IS NOT NULL;`,
  `
    -- One row per member: PATCH adds and removes rows, never rewrites the whole group.
    CREATE TABLE scim_group_members (
      org_sid text NOT NULL,
      group_id uuid NOT NULL,
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT scim_group_members_pk PRIMARY KEY (group_id, user_sid),
      -- C1: a group holds members of its own organization only (rows are inserted from memberships)
      CONSTRAINT scim_group_members_group FOREIGN KEY (org_sid, group_id) REFERENCES scim_groups (org_sid, id) ON DELETE CASCADE
    );`,
  `
    CREATE INDEX scim_group_members_user ON scim_group_members (user_sid, org_sid);`,
  `
    -- C5: a group (by displayName or externalId, before or after the IdP pushes it) → role and grants.
    CREATE TABLE scim_group_mappings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_sid text NOT NULL REFERENCES organizations(sid),
      group_ref text NOT NULL CONSTRAINT scim_group_mappings_ref_length CHECK (length(group_ref) BETWEEN 1 AND 1024),
      -- C5: never 'owner'
      role text CONSTRAINT scim_group_mappings_role_valid CHECK (role IS NULL OR role IN ('admin', 'standard')),
      account_sids text[] NOT NULL DEFAULT '{}',
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE UNIQUE INDEX scim_group_mappings_ref_unique ON scim_group_mappings (org_sid, lower(group_ref));`,
  `
    -- C5: the role group mappings currently give a member; without a row, groups give no role and
    -- the member's role is left as an administrator set it.
    CREATE TABLE scim_member_roles (
      org_sid text NOT NULL REFERENCES organizations(sid),
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      role text NOT NULL CONSTRAINT scim_member_roles_role_valid CHECK (role IN ('admin', 'standard')),
      CONSTRAINT scim_member_roles_pk PRIMARY KEY (org_sid, user_sid)
    );`,
  `
    -- C4, M3: when a membership ends or moves to another organization, the person leaves that
    -- organization's SCIM view: their SCIM attributes, group memberships and group role go, and
    -- the groups they left get a new version (ETag). Whatever path removed them.
    CREATE FUNCTION scim_membership_ended() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.org_sid IS DISTINCT FROM NEW.org_sid THEN
        WITH gone AS (
          DELETE FROM scim_group_members WHERE org_sid = OLD.org_sid AND user_sid = OLD.user_sid RETURNING group_id
        )
        UPDATE scim_groups SET version = version + 1, updated_at = now() WHERE id IN (SELECT group_id FROM gone);
        DELETE FROM scim_member_roles WHERE org_sid = OLD.org_sid AND user_sid = OLD.user_sid;
        DELETE FROM scim_users WHERE org_sid = OLD.org_sid AND user_sid = OLD.user_sid;
      END IF;
      RETURN NULL;
    END $$;`,
  `
    CREATE TRIGGER scim_membership_ended AFTER DELETE OR UPDATE OF org_sid ON memberships
      FOR EACH ROW EXECUTE FUNCTION scim_membership_ended();`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS scim_membership_ended ON memberships');
  await knex.raw('DROP FUNCTION IF EXISTS scim_membership_ended()');
  await knex.raw('DROP TABLE IF EXISTS scim_member_roles, scim_group_mappings, scim_group_members, scim_groups, scim_users, scim_tokens');
  await knex.raw('DROP INDEX IF EXISTS scim_memberships_org_user');
}
