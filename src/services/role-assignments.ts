/**
 * Role assignments (R1-R4, O2, O3, U6, L1), the shape of the Organizations API's RoleAssignments:
 * a role for an identity at a scope. Account roles (scope `AC…`) are rows of role_assignments;
 * the organization roles Administrator and Standard User (scope `OR…`) are the member's
 * membership role (its one source of truth), shown with a SID derived from (organization, user,
 * role) and changed through the same rule as `members.changeRole` (never to or from Owner, O2).
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../errors.js';
import { decideAccountGrant } from '../rules/account-grants.js';
import { BUILT_IN_ROLE_SIDS, isRoleSid } from '../rules/role-catalogue.js';
import { decideAssignmentQuery, decideRoleForScope, decideScope, type AssignmentScope } from '../rules/role-assignments.js';
import { isSid } from '../rules/sids.js';
import type { AssignableRole } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { RoleAssignmentRecord } from '../store/role-assignments.js';
import type { Actor, Member } from '../types.js';
import { accountSnapshot } from './account-support.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';
import { createMembersService } from './members.js';
import { actingSnapshot, checkActOnUser, lockUser } from './member-checks.js';

/** One assignment as the API shows it. */
export interface RoleAssignmentView {
  /** 'IY' + 32 hex. */
  readonly sid: string;
  readonly orgSid: string;
  /** The user ('US…'). */
  readonly identity: string;
  /** The organization ('OR…') or an account ('AC…'). */
  readonly scope: string;
  readonly roleSid: string;
  /** 'direct' (an administrator), 'scim' (group mappings, C5) or 'membership' (the organization role). */
  readonly source: 'direct' | 'scim' | 'membership';
  readonly createdAt: Date | null;
}

/** What a client asks to assign. */
export interface NewRoleAssignment {
  readonly roleSid: string;
  readonly scope: string;
  readonly identity: string;
}

const ORG_ROLE_SIDS: Record<AssignableRole, string> = {
  admin: BUILT_IN_ROLE_SIDS.organization.Administrator,
  standard: BUILT_IN_ROLE_SIDS.organization['Standard User'],
};

// A stable SID for the organization role a member holds (it is not a row: memberships.role is).
const orgAssignmentSid = (orgSid: string, userSid: string, roleSid: string) =>
  `IY${createHash('sha256').update(`orgward:org-role:${orgSid}:${userSid}:${roleSid}`).digest('hex').slice(0, 32)}`;

const fromRecord = (r: RoleAssignmentRecord): RoleAssignmentView => ({
  sid: r.sid, orgSid: r.orgSid, identity: r.userSid, scope: r.accountSid, roleSid: r.roleSid, source: r.source, createdAt: r.createdAt,
});

/** O2: the Owner holds no assignable organization role, so shows none. */
const fromMember = (orgSid: string, m: Member): RoleAssignmentView[] => {
  if (m.role !== 'admin' && m.role !== 'standard') return [];
  const roleSid = ORG_ROLE_SIDS[m.role];
  return [{ sid: orgAssignmentSid(orgSid, m.sid, roleSid), orgSid, identity: m.sid, scope: orgSid, roleSid, source: 'membership', createdAt: null }];
};

const noSuchAssignment = () => new DomainError('not_found', 'There is no such role assignment in this organization.');

/** The cursor of a page's first item: a page before it ends just before that item. */
const firstCursor = (items: readonly RoleAssignmentView[]): string | null => {
  const first = items[0];
  if (first === undefined) return null;
  return first.source === 'membership' ? `org:${first.identity}` : `account:${first.sid}`;
};

/** Where a page starts: after a user SID among the organization roles, or after an assignment SID among the account roles. */
function parseCursor(after: string | undefined): { phase: 'org' | 'account'; after: string } {
  if (after === undefined) return { phase: 'org', after: '' };
  const match = /^(org|account):((?:US|IY)[0-9a-f]{32})?$/.exec(after);
  if (!match) throw new DomainError('invalid_input', 'PageToken is not one this API issued; follow meta.next_page_url or leave it out for the first page.');
  return { phase: match[1] as 'org' | 'account', after: match[2] ?? '' };
}

function scopeOf(scope: unknown, orgSid: string): AssignmentScope {
  const decision = decideScope(scope, orgSid);
  if (decision.kind === 'reject') fail(decision);
  return decision.scope;
}

export function createRoleAssignmentsService(deps: ServiceDeps) {
  const { store } = deps;
  const members = createMembersService(deps);

  async function orgRoleAssignments(repos: Repos, orgSid: string, identity: string | undefined): Promise<RoleAssignmentView[]> {
    if (identity === undefined) {
      // Every member, by keyset (a single listByOrg call stops at 1,000).
      const all: RoleAssignmentView[] = [];
      let after = '';
      for (;;) {
        const batch = await repos.users.pageByOrgRoles(orgSid, ['admin', 'standard'], { afterSid: after, limit: 1000 });
        all.push(...batch.flatMap((m) => fromMember(orgSid, m)));
        if (batch.length < 1000) return all;
        after = batch[batch.length - 1]!.sid;
      }
    }
    const member = await repos.users.get(identity);
    return member && member.orgSid === orgSid ? fromMember(orgSid, member) : [];
  }

  /** O3, U6: who may ask, and the filter checked (at least one of identity and scope). */
  async function checkedQuery(repos: Repos, actor: Actor, orgSid: string, filter: { identity?: string; scope?: string }) {
    const { member } = await authorize(repos, actor, orgSid, 'view_organization');
    const allowed = decideAssignmentQuery(member ? snapshotOf(member) : null, filter.identity, filter.scope);
    if (allowed.kind === 'reject') fail(allowed);
    if (filter.identity !== undefined && !isSid('US', filter.identity)) throw new DomainError('invalid_input', 'Identity is a user SID (US…).');
    const scope = filter.scope === undefined ? undefined : scopeOf(filter.scope, orgSid);
    return { identity: filter.identity, scope };
  }

  return {
    /**
     * O3, U6: one page of {@link list}, by keyset so it stays correct at any size: first the
     * organization roles (by user SID), then the account roles (by assignment SID). `after` is the
     * `next` of the previous page (opaque to callers), omitted for the first page.
     */
    async page(actor: Actor, orgSid: string, filter: { identity?: string; scope?: string }, options: { limit: number; after?: string; before?: string }): Promise<{ items: RoleAssignmentView[]; next: string | null; first: string | null }> {
      const repos = store.read;
      const { identity, scope } = await checkedQuery(repos, actor, orgSid, filter);
      const limit = options.limit;
      if (options.before !== undefined) {
        // The page before `before` (Twilio's previous_page_url), read backwards: account roles, then organization roles.
        const cursor = parseCursor(options.before);
        const reversed: RoleAssignmentView[] = [];
        if (scope?.kind !== 'organization' && cursor.phase === 'account') {
          const rows = await repos.roleAssignments.pageBefore(orgSid, { ...(identity !== undefined && { userSid: identity }), ...(scope?.kind === 'account' && { accountSid: scope.accountSid }) },
            { beforeSid: cursor.after, limit });
          reversed.push(...rows.map(fromRecord));
        }
        if (scope?.kind !== 'account' && reversed.length < limit) {
          const beforeSid = cursor.phase === 'org' ? cursor.after : null;
          let members: Member[];
          if (identity === undefined) members = await repos.users.pageByOrgRolesBefore(orgSid, ['admin', 'standard'], { beforeSid, limit: limit - reversed.length });
          else {
            const member = await repos.users.get(identity);
            members = member && member.orgSid === orgSid && (beforeSid === null || member.sid < beforeSid) ? [member] : [];
          }
          reversed.push(...members.flatMap((m) => fromMember(orgSid, m)));
        }
        const items = reversed.reverse();
        const last = items[items.length - 1];
        const next = last === undefined ? null : last.source === 'membership' ? `org:${last.identity}` : `account:${last.sid}`;
        return { items, next, first: firstCursor(items) };
      }
      const cursor = parseCursor(options.after);
      const items: RoleAssignmentView[] = [];
      if (scope?.kind !== 'account' && cursor.phase === 'org') {
        let members: Member[];
        if (identity === undefined) members = await repos.users.pageByOrgRoles(orgSid, ['admin', 'standard'], { afterSid: cursor.after, limit: limit + 1 });
        else {
          const member = await repos.users.get(identity);
          members = member && member.orgSid === orgSid && member.sid > cursor.after ? [member] : [];
        }
        const views = members.flatMap((m) => fromMember(orgSid, m));
        if (views.length > limit) return { items: views.slice(0, limit), next: `org:${views[limit - 1]!.identity}`, first: firstCursor(views) };
        items.push(...views);
      }
      if (scope?.kind !== 'organization') {
        const remaining = limit - items.length;
        const rows = await repos.roleAssignments.page(orgSid, { ...(identity !== undefined && { userSid: identity }), ...(scope?.kind === 'account' && { accountSid: scope.accountSid }) },
          { afterSid: cursor.phase === 'account' ? cursor.after : '', limit: remaining + 1 });
        const views = rows.map(fromRecord);
        if (views.length > remaining) {
          const taken = views.slice(0, remaining);
          // An empty key starts the account roles from their first row.
          return { items: [...items, ...taken], next: `account:${taken.length > 0 ? taken[taken.length - 1]!.sid : ''}`, first: firstCursor([...items, ...taken]) };
        }
        items.push(...views);
      }
      return { items, next: null, first: firstCursor(items) };
    },

    /**
     * O3, U6: the organization's assignments for an identity and/or a scope (at least one). The
     * Owner and Administrators read any; a Standard User only their own.
     */
    async list(actor: Actor, orgSid: string, filter: { identity?: string; scope?: string }): Promise<RoleAssignmentView[]> {
      const repos = store.read;
      const { identity, scope } = await checkedQuery(repos, actor, orgSid, filter);
      const accountRows = scope?.kind === 'organization' ? []
        : (await repos.roleAssignments.list(orgSid, { ...(identity !== undefined && { userSid: identity }), ...(scope?.kind === 'account' && { accountSid: scope.accountSid }) })).map(fromRecord);
      const orgRows = scope?.kind === 'account' ? [] : await orgRoleAssignments(repos, orgSid, identity);
      return [...orgRows, ...accountRows];
    },

    /**
     * R1, R4, O2, O3, U6: assigns a role. At an account: an account role, on an open top-level
     * account of the organization, decided again under the account's row lock; audited (L1). At the
     * organization: Administrator or Standard User becomes the member's role (`owner_required` for
     * the Owner, O2).
     */
    async create(actor: Actor, orgSid: string, input: NewRoleAssignment): Promise<RoleAssignmentView> {
      const scope = scopeOf(input?.scope, orgSid);
      if (!isRoleSid(input?.roleSid)) throw new DomainError('invalid_input', 'role_sid is a role SID (IX…); GET /Roles lists them.');
      if (!isSid('US', input?.identity)) throw new DomainError('invalid_input', 'identity is a user SID (US…).');
      const role = (await store.read.roles.get(input.roleSid)) ?? null;
      const fits = decideRoleForScope(role, scope);
      if (fits.kind === 'reject') fail(fits);
      if (scope.kind === 'organization') {
        // The members service decides (O2, O3, U6) and audits under the user's row lock.
        const changed = await members.changeRole(actor, orgSid, input.identity, role!.orgRole!);
        if (changed.orgSid !== orgSid) throw new DomainError('not_found', 'There is no such user in this organization.');
        return fromMember(orgSid, changed)[0]!;
      }
      return store.transaction(async (repos) => {
        const { member } = await authorize(repos, actor, orgSid, 'manage_users');
        const target = await lockUser(repos, input.identity);
        checkActOnUser(actingSnapshot(actor, member, orgSid), target);
        // A1, A7, R4: decided under the account's row lock (the database refuses a subaccount too).
        const account = await repos.accounts.lock(scope.accountSid);
        const grantable = decideAccountGrant(account ? accountSnapshot(account) : null, orgSid);
        if (grantable.kind === 'reject') fail(grantable);
        if (await repos.roleAssignments.find(orgSid, target.sid, scope.accountSid, role!.sid, 'direct')) {
          throw new DomainError('role_assignment_exists', `${target.email} already holds ${role!.name} on ${scope.accountSid}.`);
        }
        const created = await repos.roleAssignments.insert({ orgSid, userSid: target.sid, accountSid: scope.accountSid, roleSid: role!.sid });
        await audit(repos, actor, { orgSid, action: 'role_assignment.created', target: target.sid, after: { sid: created.sid, scope: created.accountSid, roleSid: created.roleSid, roleName: role!.name } });
        return fromRecord(created);
      });
    },

    /**
     * O3, U6: removes a direct account role assignment, checked again under its row lock. Roles from
     * SCIM groups follow the groups (C5); a member always holds one organization role (assign the
     * other one to change it).
     */
    async delete(actor: Actor, orgSid: string, sid: string): Promise<RoleAssignmentView> {
      if (typeof sid !== 'string' || !/^IY[0-9a-f]{32}$/.test(sid)) throw new DomainError('invalid_input', 'A role assignment SID is IY followed by 32 hex digits.');
      return store.transaction(async (repos) => {
        const { member } = await authorize(repos, actor, orgSid, 'manage_users');
        const seen = await repos.roleAssignments.get(orgSid, sid);
        if (!seen) throw noSuchAssignment();
        const target = await lockUser(repos, seen.userSid);
        checkActOnUser(actingSnapshot(actor, member, orgSid), target);
        const locked = await repos.roleAssignments.lock(orgSid, sid);
        if (!locked) throw noSuchAssignment();
        if (locked.source === 'scim') {
          throw new DomainError('scim_read_only', 'This role comes from a SCIM group mapping; change the mapping (orgward scim-group map) or the group in your identity provider.');
        }
        await repos.roleAssignments.delete(orgSid, sid);
        await audit(repos, actor, { orgSid, action: 'role_assignment.deleted', target: locked.userSid, before: { sid, scope: locked.accountSid, roleSid: locked.roleSid } });
        return fromRecord(locked);
      });
    },
  };
}
