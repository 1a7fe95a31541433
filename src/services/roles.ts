/**
 * The role catalogue (R1) and what a user may do on an account (R2-R5). The operator defines custom
 * account roles and sets the permissions of the built-in ones (never the account Administrator's:
 * it holds every permission); members read the catalogue. `effectivePermissions` and
 * `checkPermission` are the one way the API, the console and issued tokens ask R5.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors.js';
import { decideAccountPermission, effectiveAccountRoles, type EffectiveAccountRoles } from '../rules/account-roles.js';
import { decideCustomRole, decideRolePermissions, isRoleSid } from '../rules/role-catalogue.js';
import { decideOperatorOnly } from '../rules/operator.js';
import type { RoleHolder } from '../store/role-assignments.js';
import type { RoleRecord } from '../store/roles.js';
import type { Repos } from '../store/index.js';
import { actorLabel, type Actor } from '../types.js';
import { accountSnapshot } from './account-support.js';
import { authorize, fail, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';

export type { RoleRecord } from '../store/roles.js';

const NOTHING: EffectiveAccountRoles = { roleSids: [], allPermissions: false, permissions: [] };

/** R2-R5 for `userSid` on `accountSid`, read from `repos` (no authorisation: callers decide who may ask). */
export async function loadEffectiveRoles(repos: Repos, userSid: string, accountSid: string): Promise<{ roles: EffectiveAccountRoles; decide(permission: string): ReturnType<typeof decideAccountPermission> }> {
  const user = typeof userSid === 'string' ? await repos.users.get(userSid) : undefined;
  const account = typeof accountSid === 'string' ? await repos.accounts.get(accountSid) : undefined;
  // R5: an unknown user or account, or a user outside every organization, holds nothing.
  if (!user || !account || user.orgSid === null) {
    return { roles: NOTHING, decide: () => ({ kind: 'reject', code: 'forbidden', message: 'You may not use this account.' }) };
  }
  const [assignments, catalogue] = await Promise.all([repos.roleAssignments.list(user.orgSid, { userSid: user.sid }), repos.roles.list()]);
  const member = snapshotOf(user);
  const snapshot = accountSnapshot(account);
  return {
    roles: effectiveAccountRoles(member, snapshot, assignments, catalogue),
    decide: (permission: string) => decideAccountPermission(member, snapshot, permission, assignments, catalogue),
  };
}

export function createRolesService(deps: ServiceDeps) {
  const { store } = deps;

  /** Members may ask about themselves; the Owner and Administrators about members of their organization. */
  async function mayAsk(repos: Repos, actor: Actor, userSid: string): Promise<void> {
    if (actor.kind === 'operator' || actor.kind === 'system') return;
    if (actor.kind === 'user' && actor.userSid === userSid) return;
    const user = typeof userSid === 'string' ? await repos.users.get(userSid) : undefined;
    if (!user || user.orgSid === null || (actor.kind === 'scim' && actor.orgSid !== user.orgSid)) throw new DomainError('not_found', 'There is no such user in this organization.');
    if (actor.kind === 'scim') throw new DomainError('forbidden', 'A SCIM token does not read permissions.');
    await authorize(repos, actor, user.orgSid, 'manage_users');
  }

  return {
    /** R1: the catalogue. Operators see it as is; a member sees it through their organization (`orgSid`). */
    async list(actor: Actor, orgSid?: string): Promise<RoleRecord[]> {
      if (orgSid !== undefined) await authorize(store.read, actor, orgSid, 'view_organization');
      else { const d = decideOperatorOnly(actor.kind, 'read the role catalogue without naming an organization'); if (d.kind === 'reject') fail(d); }
      return store.read.roles.list();
    },

    /** R1: the operator defines a custom account role; recorded in every organization's audit log (L1). */
    /**
     * R1, O1: how many people hold each role of the catalogue in the organization: organization
     * roles count members, account roles the people with an assignment (direct or from SCIM groups).
     */
    async holderCounts(actor: Actor, orgSid: string): Promise<Map<string, number>> {
      await authorize(store.read, actor, orgSid, 'view_users');
      const [catalogue, byRole, byAccountRole] = await Promise.all([
        store.read.roles.list(), store.read.users.countByRole(orgSid), store.read.roleAssignments.holderCounts(orgSid),
      ]);
      return new Map(catalogue.map((r) => [r.sid, r.orgRole !== null ? byRole.get(r.orgRole) ?? 0 : byAccountRole.get(r.sid) ?? 0]));
    },

    /** R1: who holds an account role, on which account and from where (keyset page by assignment SID). */
    async holders(actor: Actor, orgSid: string, roleSid: string, options: { after?: string; limit: number }): Promise<{ role: RoleRecord; holders: RoleHolder[]; next: string | null }> {
      await authorize(store.read, actor, orgSid, 'view_users');
      const role = isRoleSid(roleSid) ? (await store.read.roles.list()).find((r) => r.sid === roleSid) : undefined;
      if (!role) throw new DomainError('not_found', `There is no role ${roleSid.slice(0, 40)}; the Roles page lists them.`);
      const after = options.after !== undefined && /^IY[0-9a-f]{32}$/.test(options.after) ? options.after : '';
      const holders = role.scopeType === 'account' ? await store.read.roleAssignments.holders(orgSid, role.sid, { afterSid: after, limit: options.limit + 1 }) : [];
      return { role, holders: holders.slice(0, options.limit), next: holders.length > options.limit ? holders[options.limit - 1]!.sid : null };
    },

    async create(actor: Actor, input: { name: string; permissions: readonly string[] }): Promise<RoleRecord> {
      const gate = decideOperatorOnly(actor.kind, 'define roles (orgward role create)');
      if (gate.kind === 'reject') fail(gate);
      return store.transaction(async (repos) => {
        const decision = decideCustomRole(input?.name, input?.permissions, await repos.roles.list());
        if (decision.kind === 'reject') fail(decision);
        // The unique index on (scope, lower(name)) backs the name check against a concurrent create.
        const role = await repos.roles.insertCustom({ sid: `IX${randomBytes(16).toString('hex')}`, name: decision.name, permissions: decision.permissions });
        await repos.roles.auditEveryOrg({ actor: actorLabel(actor), action: 'role.created', target: role.sid, before: null, after: { name: role.name, permissions: role.permissions }, requestId: actor.requestId ?? null });
        return role;
      });
    },

    /** R1: the operator sets a role's permissions (not the account Administrator's); decided again under the role's row lock. */
    async setPermissions(actor: Actor, roleSid: string, permissions: readonly string[]): Promise<RoleRecord> {
      const gate = decideOperatorOnly(actor.kind, "set roles' permissions (orgward role set)");
      if (gate.kind === 'reject') fail(gate);
      return store.transaction(async (repos) => {
        const role = isRoleSid(roleSid) ? await repos.roles.lock(roleSid) : undefined;
        const decision = decideRolePermissions(role ?? null, permissions);
        if (decision.kind === 'reject') fail(decision);
        if (decision.kind === 'unchanged') return role!;
        const updated = await repos.roles.setPermissions(role!.sid, decision.permissions);
        await repos.roles.auditEveryOrg({ actor: actorLabel(actor), action: 'role.permissions_changed', target: role!.sid, before: { permissions: role!.permissions }, after: { permissions: updated.permissions }, requestId: actor.requestId ?? null });
        return updated;
      });
    },

    /** R2-R5: the account roles `userSid` holds on `accountSid` and the permissions they add up to. */
    async effectivePermissions(actor: Actor, userSid: string, accountSid: string): Promise<EffectiveAccountRoles> {
      await mayAsk(store.read, actor, userSid);
      return (await loadEffectiveRoles(store.read, userSid, accountSid)).roles;
    },

    /** R5: throws `forbidden` unless `userSid` may use `permission` on `accountSid`. */
    async checkPermission(actor: Actor, userSid: string, accountSid: string, permission: string): Promise<void> {
      await mayAsk(store.read, actor, userSid);
      const decision = (await loadEffectiveRoles(store.read, userSid, accountSid)).decide(permission);
      if (decision.kind === 'reject') fail(decision);
    },
  };
}
