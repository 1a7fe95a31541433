/**
 * R5 inputs for the authorization check API, loaded in as few round trips as a batch allows: the
 * users (with membership), the accounts, the users' account role assignments and the catalogue,
 * in one round trip of indexed subqueries (no cache: a revoke is seen by the next check on every
 * instance).
 */
import type { Knex } from 'knex';
import type { AccountRoleAssignment } from '../rules/account-roles.js';
import type { RoleSnapshot } from '../rules/role-catalogue.js';
import type { AccountSnapshot, MemberSnapshot } from '../rules/types.js';
import { rawQuery } from './scim-sql.js';

export interface AccessCheckInputs {
  readonly users: ReadonlyMap<string, MemberSnapshot>;
  readonly accounts: ReadonlyMap<string, AccountSnapshot & { readonly name: string }>;
  /** By user SID: the user's account role assignments (direct and SCIM). */
  readonly assignments: ReadonlyMap<string, readonly AccountRoleAssignment[]>;
  readonly catalogue: readonly RoleSnapshot[];
}

export function accessCheckStore(db: Knex | Knex.Transaction) {
  // A prepared statement on PostgreSQL: planning its four subqueries cost more than running them.
  const raw = rawQuery(db);
  async function load(userSids: readonly string[], accounts: { sids?: readonly string[]; orgSid?: string }): Promise<AccessCheckInputs> {
    // One round trip: the four inputs as JSON arrays (a check's cost is mostly round trips).
    const accountWhere = accounts.orgSid !== undefined ? 'org_sid = ?' : 'sid = ANY(?)';
    const accountKey = accounts.orgSid !== undefined ? accounts.orgSid : [...(accounts.sids ?? [])];
    const row = (await raw(`SELECT
        (SELECT coalesce(json_agg(json_build_object('sid', u.sid, 'email', u.email, 'status', u.status, 'org_sid', m.org_sid, 'role', m.role)), '[]')
           FROM users u LEFT JOIN memberships m ON m.user_sid = u.sid WHERE u.sid = ANY(?)) AS users,
        (SELECT coalesce(json_agg(json_build_object('sid', sid, 'name', name, 'org_sid', org_sid, 'management', management, 'owner_sid', owner_sid,
                 'parent_sid', parent_sid, 'plan', plan, 'status', status, 'hipaa', hipaa) ORDER BY sid), '[]')
           FROM accounts WHERE ${accountWhere}) AS accounts,
        (SELECT coalesce(json_agg(json_build_object('sid', sid, 'user_sid', user_sid, 'account_sid', account_sid, 'role_sid', role_sid, 'source', source)), '[]')
           FROM role_assignments WHERE user_sid = ANY(?)) AS assignments,
        (SELECT coalesce(json_agg(json_build_object('sid', sid, 'name', name, 'kind', kind, 'scope_type', scope_type, 'permissions', permissions, 'org_role', org_role)), '[]')
           FROM roles WHERE scope_type = 'account') AS roles`, [[...userSids], accountKey, [...userSids]])).rows[0] as Record<string, unknown>;
    const parse = (v: unknown): Record<string, any>[] => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, any>[];
    const userMap = new Map<string, MemberSnapshot>();
    for (const r of parse(row.users)) userMap.set(r.sid, { userSid: r.sid, email: r.email, status: r.status, orgSid: r.org_sid ?? null, role: r.role ?? null });
    const accountMap = new Map<string, AccountSnapshot & { name: string }>();
    for (const r of parse(row.accounts)) {
      accountMap.set(r.sid, { sid: r.sid, name: r.name, orgSid: r.org_sid, management: r.management, ownerSid: r.owner_sid, parentSid: r.parent_sid, plan: r.plan, status: r.status, hipaa: r.hipaa });
    }
    const byUser = new Map<string, AccountRoleAssignment[]>();
    for (const r of parse(row.assignments)) {
      const list = byUser.get(r.user_sid) ?? [];
      list.push({ sid: r.sid, accountSid: r.account_sid, roleSid: r.role_sid, source: r.source });
      byUser.set(r.user_sid, list);
    }
    const catalogue = parse(row.roles).map((r): RoleSnapshot => ({
      sid: r.sid, name: r.name, kind: r.kind, scopeType: r.scope_type, permissions: r.permissions ?? [], orgRole: r.org_role,
    }));
    return { users: userMap, accounts: accountMap, assignments: byUser, catalogue };
  }
  return { load };
}
