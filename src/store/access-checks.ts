/**
 * R5 inputs for the authorization check API, loaded in as few round trips as a batch allows: the
 * users (with membership), the accounts, the users' account role assignments and the catalogue,
 * each one indexed query (no cache: a revoke is seen by the next check on every instance).
 */
import type { Knex } from 'knex';
import type { AccountRoleAssignment } from '../rules/account-roles.js';
import type { RoleSnapshot } from '../rules/role-catalogue.js';
import type { AccountSnapshot, MemberSnapshot } from '../rules/types.js';

export interface AccessCheckInputs {
  readonly users: ReadonlyMap<string, MemberSnapshot>;
  readonly accounts: ReadonlyMap<string, AccountSnapshot & { readonly name: string }>;
  /** By user SID: the user's account role assignments (direct and SCIM). */
  readonly assignments: ReadonlyMap<string, readonly AccountRoleAssignment[]>;
  readonly catalogue: readonly RoleSnapshot[];
}

export function accessCheckStore(db: Knex | Knex.Transaction) {
  async function load(userSids: readonly string[], accounts: { sids?: readonly string[]; orgSid?: string }): Promise<AccessCheckInputs> {
    const accountQuery = accounts.orgSid !== undefined
      // The list form: every account of the organization (subaccounts included, R4).
      ? db.raw('SELECT sid, name, org_sid, management, owner_sid, parent_sid, plan, status, hipaa FROM accounts WHERE org_sid = ? ORDER BY sid', [accounts.orgSid])
      : db.raw('SELECT sid, name, org_sid, management, owner_sid, parent_sid, plan, status, hipaa FROM accounts WHERE sid = ANY(?)', [[...(accounts.sids ?? [])]]);
    const [users, accountRows, assignments, roles] = await Promise.all([
      db.raw(`SELECT u.sid, u.email, u.status, m.org_sid, m.role FROM users u LEFT JOIN memberships m ON m.user_sid = u.sid WHERE u.sid = ANY(?)`, [[...userSids]]),
      accountQuery,
      db.raw('SELECT sid, user_sid, account_sid, role_sid, source FROM role_assignments WHERE user_sid = ANY(?)', [[...userSids]]),
      db.raw('SELECT sid, name, kind, scope_type, permissions, org_role FROM roles WHERE scope_type = ?', ['account']),
    ]);
    const userMap = new Map<string, MemberSnapshot>();
    for (const r of users.rows as Record<string, any>[]) userMap.set(r.sid, { userSid: r.sid, email: r.email, status: r.status, orgSid: r.org_sid ?? null, role: r.role ?? null });
    const accountMap = new Map<string, AccountSnapshot & { name: string }>();
    for (const r of accountRows.rows as Record<string, any>[]) {
      accountMap.set(r.sid, { sid: r.sid, name: r.name, orgSid: r.org_sid, management: r.management, ownerSid: r.owner_sid, parentSid: r.parent_sid, plan: r.plan, status: r.status, hipaa: r.hipaa });
    }
    const byUser = new Map<string, AccountRoleAssignment[]>();
    for (const r of assignments.rows as Record<string, any>[]) {
      const list = byUser.get(r.user_sid) ?? [];
      list.push({ sid: r.sid, accountSid: r.account_sid, roleSid: r.role_sid, source: r.source });
      byUser.set(r.user_sid, list);
    }
    const catalogue = (roles.rows as Record<string, any>[]).map((r): RoleSnapshot => ({
      sid: r.sid, name: r.name, kind: r.kind, scopeType: r.scope_type, permissions: r.permissions ?? [], orgRole: r.org_role,
    }));
    return { users: userMap, accounts: accountMap, assignments: byUser, catalogue };
  }
  return { load };
}
