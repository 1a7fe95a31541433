/**
 * Roles on accounts (issue 10, DOMAIN.md R1-R5, C5 extended): a catalogue of roles with stable
 * `IX…` SIDs and the role assignments (`IY…`) that replace account grants. Every existing grant
 * becomes an assignment of the built-in Developer role (a grant without a role is Developer), and
 * every SCIM group mapping's accounts become (account, Developer) pairs. `account_grants` is
 * dropped: assignments are the one source of truth for who holds what on an account.
 */
import type { Knex } from 'knex';

/**
 * Built-in roles. SIDs are derived from the scope and the name ('IX' + the first 32 hex digits of
 * sha256('orgward:role:<scope>:<name>')), so every installation has the same SIDs;
 * src/rules/role-catalogue.ts lists the same values and a test checks the derivation.
 */
const BUILT_IN: readonly [sid: string, name: string, scope: 'account' | 'organization', orgRole: string | null][] = [
  ['IXffcc8443569ff69df6ff9140a7c52517', 'Administrator', 'account', null],
  ['IX64216e518eba883b40506bd4e5494ba8', 'Developer', 'account', null],
  ['IXfd3e7d36750933b65c34b80e0038192f', 'Billing Manager', 'account', null],
  ['IXea7ee6b875c396f4eb5e03a32dc6d8d6', 'Support', 'account', null],
  ['IXe6cc7f216b0cee7ac140e7c0d6c093cf', 'Read-only', 'account', null],
  ['IX6d8b5a5b914d1bf2af0a7f086080ed87', 'Administrator', 'organization', 'admin'],
  ['IX11c01cae56d91b2c6fc1e386edba7d17', 'Standard User', 'organization', 'standard'],
];
const DEVELOPER = 'IX64216e518eba883b40506bd4e5494ba8';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `
    -- R1: the role catalogue. Account roles are named sets of permission strings; the two
    -- organization roles stand for memberships.role (O3; the Owner is never assignable, O2).
    CREATE TABLE roles (
      sid text PRIMARY KEY CONSTRAINT roles_sid_format CHECK (sid ~ '^IX[0-9a-f]{32}$'),
      name text NOT NULL CONSTRAINT roles_name_length CHECK (length(name) BETWEEN 1 AND 64),
      kind text NOT NULL CONSTRAINT roles_kind_valid CHECK (kind IN ('built_in', 'custom')),
      scope_type text NOT NULL CONSTRAINT roles_scope_type_valid CHECK (scope_type IN ('account', 'organization')),
      permissions text[] NOT NULL DEFAULT '{}',
      -- the membership role an organization role gives; custom roles are account roles only
      org_role text CONSTRAINT roles_org_role_valid CHECK (org_role IN ('admin', 'standard')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT roles_org_role_with_scope CHECK ((scope_type = 'organization') = (org_role IS NOT NULL)),
      CONSTRAINT roles_custom_on_accounts CHECK (kind = 'built_in' OR scope_type = 'account')
    );`,
  `
    CREATE UNIQUE INDEX roles_name_unique ON roles (scope_type, lower(name));`,
  `
    INSERT INTO roles (sid, name, kind, scope_type, org_role)
    SELECT v.sid, v.name, 'built_in', v.scope, v.org_role
    FROM jsonb_to_recordset(CAST('${JSON.stringify(BUILT_IN.map(([sid, name, scope, orgRole]) => ({ sid, name, scope, org_role: orgRole })))}' AS jsonb))
      AS v(sid text, name text, scope text, org_role text);`,
  `
    -- R1, R3: who holds which account role, directly or through SCIM group mappings (C5).
    -- Organization roles are not rows here: memberships.role is their one source of truth.
    CREATE TABLE role_assignments (
      sid text PRIMARY KEY DEFAULT ('IY' || replace(CAST(gen_random_uuid() AS text), '-', ''))
        CONSTRAINT role_assignments_sid_format CHECK (sid ~ '^IY[0-9a-f]{32}$'),
      org_sid text NOT NULL REFERENCES organizations(sid),
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      account_sid text NOT NULL REFERENCES accounts(sid),
      role_sid text NOT NULL REFERENCES roles(sid),
      -- 'direct' assignments are made by administrators; 'scim' ones are recomputed from SCIM groups (C5)
      source text NOT NULL DEFAULT 'direct' CONSTRAINT role_assignments_source_valid CHECK (source IN ('direct', 'scim')),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT role_assignments_one_per_source UNIQUE (user_sid, account_sid, role_sid, source)
    );`,
  `
    CREATE INDEX role_assignments_org ON role_assignments (org_sid, user_sid);`,
  `
    CREATE INDEX role_assignments_account ON role_assignments (account_sid);`,
  `
    -- R4, A7: no assignment names a subaccount, and only account roles are assigned on accounts.
    CREATE FUNCTION role_assignments_checked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM accounts WHERE sid = NEW.account_sid AND parent_sid IS NOT NULL) THEN
        RAISE EXCEPTION 'a role assignment names subaccount %', NEW.account_sid
          USING ERRCODE = 'check_violation', CONSTRAINT = 'role_assignments_no_subaccount';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM roles WHERE sid = NEW.role_sid AND scope_type = 'account') THEN
        RAISE EXCEPTION 'role % is not an account role', NEW.role_sid
          USING ERRCODE = 'check_violation', CONSTRAINT = 'role_assignments_account_role';
      END IF;
      RETURN NEW;
    END $$;`,
  `
    CREATE TRIGGER role_assignments_checked BEFORE INSERT OR UPDATE OF account_sid, role_sid ON role_assignments
      FOR EACH ROW EXECUTE FUNCTION role_assignments_checked();`,
  `
    -- Existing grants become Developer assignments; a grant that named a subaccount (R4) moves to
    -- its parent, which reaches the subaccount.
    INSERT INTO role_assignments (org_sid, user_sid, account_sid, role_sid, source, created_at)
    SELECT g.org_sid, g.user_sid, COALESCE(a.parent_sid, g.account_sid), '${DEVELOPER}', g.source, min(g.created_at)
    FROM account_grants g JOIN accounts a ON a.sid = g.account_sid
    GROUP BY g.org_sid, g.user_sid, COALESCE(a.parent_sid, g.account_sid), g.source
    ON CONFLICT DO NOTHING;`,
  `
    DROP TABLE account_grants;`,
  `
    -- C5: a mapping gives (account, role) pairs: account_role_sids[i] is the role on account_sids[i].
    ALTER TABLE scim_group_mappings ADD COLUMN account_role_sids text[] NOT NULL DEFAULT '{}';`,
  `
    UPDATE scim_group_mappings SET account_role_sids = array_fill(CAST('${DEVELOPER}' AS text), ARRAY[cardinality(account_sids)]);`,
  `
    ALTER TABLE scim_group_mappings ADD CONSTRAINT scim_group_mappings_pairs
      CHECK (cardinality(account_sids) = cardinality(account_role_sids));`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE account_grants (
      org_sid text NOT NULL REFERENCES organizations(sid),
      user_sid text NOT NULL REFERENCES users(sid) ON DELETE CASCADE,
      account_sid text NOT NULL REFERENCES accounts(sid),
      source text NOT NULL DEFAULT 'direct' CONSTRAINT account_grants_source_valid CHECK (source IN ('direct', 'scim')),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT account_grants_pk PRIMARY KEY (user_sid, account_sid, source)
    )`);
  await knex.raw('CREATE INDEX account_grants_org ON account_grants (org_sid, user_sid)');
  await knex.raw(`INSERT INTO account_grants (org_sid, user_sid, account_sid, source, created_at)
    SELECT org_sid, user_sid, account_sid, source, min(created_at) FROM role_assignments GROUP BY 1, 2, 3, 4`);
  await knex.raw('ALTER TABLE scim_group_mappings DROP CONSTRAINT scim_group_mappings_pairs');
  await knex.raw('ALTER TABLE scim_group_mappings DROP COLUMN account_role_sids');
  await knex.raw('DROP TABLE role_assignments');
  await knex.raw('DROP FUNCTION role_assignments_checked()');
  await knex.raw('DROP TABLE roles');
}
