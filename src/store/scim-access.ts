/**
 * C5: group mappings (a group, by displayName or externalId → a role and (account, role) pairs) and what
 * recomputing a member's effective access reads and writes. Reads and writes are set-based: one
 * statement for any number of members.
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';
import type { AssignableRole, Role } from '../rules/types.js';
import type { AccountRoleAssignment } from '../rules/account-roles.js';
import { AUDIT_LOG, type NewAuditEntry } from './audit-log.js';

export const SCIM_GROUP_MAPPINGS = 'scim_group_mappings';
export const SCIM_MEMBER_ROLES = 'scim_member_roles';

export interface GroupMappingRecord {
  readonly id: string;
  readonly groupRef: string;
  readonly role: AssignableRole | null;
  /** The accounts the mapping names (each once per role). */
  readonly accountSids: readonly string[];
  /** C5: the (account, role) pairs the mapping gives. */
  readonly accountRoles: readonly AccountRoleAssignment[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What recomputing one member's access needs. */
export interface AccessInput {
  readonly userSid: string;
  readonly email: string;
  readonly role: Role;
  /** The role group mappings gave the member at the last recompute; null when they gave none. */
  readonly mappedRole: AssignableRole | null;
  /** The member's current account roles from SCIM groups. */
  readonly scimRoles: readonly AccountRoleAssignment[];
  readonly groups: readonly { readonly displayName: string; readonly externalId: string | null }[];
}

/** A member's new access: `role` null leaves the role alone. */
export interface AccessChange {
  readonly userSid: string;
  readonly role: AssignableRole | null;
  readonly mappedRole: AssignableRole | null;
  readonly accountRoles: readonly AccountRoleAssignment[];
}

interface MappingRow {
  id: string; group_ref: string; role: AssignableRole | null; account_sids: string[]; account_role_sids: string[]; created_at: Date; updated_at: Date;
}

const mapMapping = (r: MappingRow): GroupMappingRecord => {
  const accountRoles = (r.account_sids ?? []).map((accountSid, i) => ({ accountSid, roleSid: r.account_role_sids[i]! }));
  return {
    id: r.id, groupRef: r.group_ref, role: r.role, accountSids: [...new Set(r.account_sids ?? [])].sort(), accountRoles,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
};

// 'AC…:IX…' ↔ pair, for set-based reads of a member's SCIM roles.
const parsePair = (pair: string): AccountRoleAssignment => ({ accountSid: pair.slice(0, 34), roleSid: pair.slice(35) });

export function scimAccessStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  return {
    async listMappings(orgSid: string): Promise<GroupMappingRecord[]> {
      const rows = (await raw(`SELECT * FROM scim_group_mappings WHERE org_sid = ? ORDER BY lower(group_ref)`, [orgSid])).rows as MappingRow[];
      return rows.map(mapMapping);
    },

    async saveMapping(orgSid: string, m: { groupRef: string; role: AssignableRole | null; accountRoles: readonly AccountRoleAssignment[]; createdBy: string }): Promise<GroupMappingRecord> {
      const row = (await raw(`INSERT INTO scim_group_mappings (org_sid, group_ref, role, account_sids, account_role_sids, created_by)
        VALUES (?, ?, ?, CAST(? AS text[]), CAST(? AS text[]), ?)
        ON CONFLICT (org_sid, lower(group_ref)) DO UPDATE SET group_ref = excluded.group_ref, role = excluded.role,
          account_sids = excluded.account_sids, account_role_sids = excluded.account_role_sids, updated_at = now()
        RETURNING *`, [orgSid, m.groupRef, m.role, m.accountRoles.map((a) => a.accountSid), m.accountRoles.map((a) => a.roleSid), m.createdBy])).rows[0] as MappingRow;
      return mapMapping(row);
    },

    async deleteMapping(orgSid: string, groupRef: string): Promise<GroupMappingRecord | undefined> {
      const row = (await raw(`DELETE FROM scim_group_mappings WHERE org_sid = ? AND lower(group_ref) = lower(?) RETURNING *`,
        [orgSid, groupRef])).rows[0] as MappingRow | undefined;
      return row && mapMapping(row);
    },

    /** A1, O3: the accounts among `accountSids` that can be granted in the organization (managed or independent, not closed). */
    async grantableAccounts(orgSid: string, accountSids: readonly string[]): Promise<string[]> {
      const rows = (await raw(`SELECT sid FROM accounts WHERE org_sid = ? AND sid = ANY(CAST(? AS text[]))
        AND management IN ('managed', 'independent') AND status <> 'closed' ORDER BY sid`, [orgSid, [...accountSids]])).rows as { sid: string }[];
      return rows.map((r) => r.sid);
    },

    /** The members among `userSids` with their role, mapped role, account roles from SCIM groups and groups. */
    async inputs(orgSid: string, userSids: readonly string[]): Promise<AccessInput[]> {
      if (userSids.length === 0) return [];
      const rows = (await raw(`SELECT t.user_sid, u.email, m.role, r.role AS mapped_role,
          COALESCE((SELECT array_agg(ra.account_sid || ':' || ra.role_sid ORDER BY ra.account_sid, ra.role_sid) FROM role_assignments ra
            WHERE ra.org_sid = m.org_sid AND ra.user_sid = t.user_sid AND ra.source = 'scim'), '{}') AS scim_roles,
          COALESCE((SELECT json_agg(json_build_object('displayName', g.display_name, 'externalId', g.external_id))
            FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id
            WHERE gm.org_sid = m.org_sid AND gm.user_sid = t.user_sid), '[]'::json) AS groups
        FROM (SELECT DISTINCT unnest(CAST(? AS text[])) AS user_sid) t
        JOIN memberships m ON m.user_sid = t.user_sid AND m.org_sid = ?
        JOIN users u ON u.sid = t.user_sid
        LEFT JOIN scim_member_roles r ON r.org_sid = m.org_sid AND r.user_sid = t.user_sid
        ORDER BY t.user_sid`, [[...userSids], orgSid])).rows as {
        user_sid: string; email: string; role: Role; mapped_role: AssignableRole | null; scim_roles: string[]; groups: AccessInput['groups'] | string;
      }[];
      return rows.map((r) => ({
        userSid: r.user_sid, email: r.email, role: r.role, mappedRole: r.mapped_role, scimRoles: (r.scim_roles ?? []).map(parsePair),
        groups: typeof r.groups === 'string' ? JSON.parse(r.groups) : r.groups,
      }));
    },

    /** Writes new access for the members in `changes` (the Owner's role is never touched, O2). */
    async apply(orgSid: string, changes: readonly AccessChange[]): Promise<void> {
      if (changes.length === 0) return;
      const users = changes.map((c) => c.userSid);
      const roleChanges = changes.filter((c) => c.role !== null);
      if (roleChanges.length > 0) {
        await raw(`UPDATE memberships m SET role = v.role, updated_at = now()
          FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS v(user_sid, role)
          WHERE m.user_sid = v.user_sid AND m.org_sid = ? AND m.role <> 'owner' AND m.role <> v.role`,
        [roleChanges.map((c) => c.userSid), roleChanges.map((c) => c.role), orgSid]);
      }
      await raw(`DELETE FROM scim_member_roles WHERE org_sid = ? AND user_sid = ANY(CAST(? AS text[]))`, [orgSid, users]);
      const mapped = changes.filter((c) => c.mappedRole !== null);
      if (mapped.length > 0) {
        await raw(`INSERT INTO scim_member_roles (org_sid, user_sid, role) SELECT ?, v.user_sid, v.role
          FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS v(user_sid, role)`,
        [orgSid, mapped.map((c) => c.userSid), mapped.map((c) => c.mappedRole)]);
      }
      const triples = changes.flatMap((c) => c.accountRoles.map((a) => [c.userSid, a.accountSid, a.roleSid] as const));
      const columns = [triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2])];
      await raw(`DELETE FROM role_assignments g WHERE g.org_sid = ? AND g.source = 'scim' AND g.user_sid = ANY(CAST(? AS text[]))
        AND NOT EXISTS (SELECT 1 FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) AS v(user_sid, account_sid, role_sid)
          WHERE v.user_sid = g.user_sid AND v.account_sid = g.account_sid AND v.role_sid = g.role_sid)`,
      [orgSid, users, ...columns]);
      if (triples.length > 0) {
        // R4: never a subaccount (the mapping was checked; an account may have changed since).
        await raw(`INSERT INTO role_assignments (org_sid, user_sid, account_sid, role_sid, source)
          SELECT ?, v.user_sid, v.account_sid, v.role_sid, 'scim'
          FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) AS v(user_sid, account_sid, role_sid)
          JOIN accounts a ON a.sid = v.account_sid AND a.org_sid = ? AND a.management IN ('managed', 'independent') AND a.status <> 'closed'
            AND a.parent_sid IS NULL
          JOIN roles r ON r.sid = v.role_sid AND r.scope_type = 'account'
          ON CONFLICT DO NOTHING`, [orgSid, ...columns, orgSid]);
      }
    },

    /** L1 for many members at once (one statement), e.g. when a mapping changes a large group's access. */
    async appendAudit(entries: readonly NewAuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const rows = entries.map((e) => ({
        org_sid: e.orgSid, actor: e.actor, action: e.action, target: e.target,
        before: e.before ?? null, after: e.after ?? null, request_id: e.requestId ?? null,
      }));
      await raw(`INSERT INTO ${AUDIT_LOG} (org_sid, actor, action, target, before, after, request_id)
        SELECT org_sid, actor, action, target, before, after, request_id
        FROM jsonb_to_recordset(CAST(? AS jsonb)) AS x(org_sid text, actor text, action text, target text, before jsonb, after jsonb, request_id text)`,
      [JSON.stringify(rows)]);
    },
  };
}
