/**
 * Members of an organization: list, roles (O2, O3), the Owner hand-over (O2), removal (C4, U6),
 * suspension (C3) and account grants (O3: Standard Users reach only the accounts granted to them;
 * A7: never a subaccount).
 */
import { DomainError } from '../errors.js';
import { decideAccountGrant } from '../rules/account-grants.js';
import { decideRoleChange, planOwnerHandover } from '../rules/ownership.js';
import { ROLES, type Role } from '../rules/types.js';
import type { Actor, Member } from '../types.js';
import { accountSnapshot } from './account-support.js';
import { audit, authorize, authorizedWithoutReading, fail, organizationNotFound, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';
import { actingSnapshot, checkActOnUser, lockUser } from './member-checks.js';
import { removeMember, setMemberStatus, type RemovedMember, type StatusChange } from './member-changes.js';
import { bringOwnerAccountsIn } from './owner-accounts.js';
import type { LiveSession } from '../store/sessions.js';
import type { MemberCursor, MemberSearch } from '../store/users.js';

export { removeMember, setMemberStatus } from './member-changes.js';
export type { RemovedMember, StatusChange } from './member-changes.js';

/** A member with the accounts granted to them directly or through SCIM groups. */
export interface MemberView extends Member {
  readonly grantedAccountSids: readonly string[];
}

/** How a member signs in (issue 10 user view): never a secret, only whether each method is set. */
export interface SignInMethods {
  readonly password: boolean;
  readonly secondFactor: boolean;
  /** U4: a second factor must be enrolled at the next sign-in. */
  readonly secondFactorRequired: boolean;
  readonly sso: readonly { readonly connectionId: string | null; readonly issuer: string; readonly lastSignInAt: Date | null }[];
}

/** A member with grants and sign-in methods. */
export interface MemberDetail extends MemberView {
  readonly signIn: SignInMethods;
}

/** A page of members and where the next and previous ones start (keyset paging). */
export interface MemberPage {
  readonly members: readonly Member[];
  readonly next: MemberCursor | null;
  /** Search with `before` this for the previous page; null on the first page. */
  readonly previous: MemberCursor | null;
}

/** createMembersService: roles, hand-over, removal, suspension, grants (O2, O3, U6, C3, C4). */
export function createMembersService(deps: ServiceDeps) {
  const { store, clock } = deps;

  /** One member and their grants; a member may always look at themselves (O3: others need view_users). */
  async function getMember(actor: Actor, orgSid: string, userSid: string): Promise<MemberView> {
    const self = actor.kind === 'user' && actor.userSid === userSid;
    await authorize(store.read, actor, orgSid, self ? 'view_organization' : 'view_users');
    const member = typeof userSid === 'string' ? await store.read.users.get(userSid) : undefined;
    if (!member || member.orgSid !== orgSid) throw new DomainError('not_found', 'There is no such user in this organization.');
    return { ...member, grantedAccountSids: await store.read.accounts.grantsOf(orgSid, member.sid) };
  }

  return {
    /** O3: the organization's members; for those who manage users. */
    async list(actor: Actor, orgSid: string, options: { limit?: number; offset?: number } = {}): Promise<Member[]> {
      await authorize(store.read, actor, orgSid, 'manage_users');
      const limit = Math.min(Math.max(Math.trunc(Number(options.limit ?? 1000)) || 1000, 1), 1000);
      const offset = Math.max(Math.trunc(Number(options.offset ?? 0)) || 0, 0);
      return store.read.users.listByOrg(orgSid, { limit, offset });
    },

    /**
     * O3: one page of the organization's members for those who see its users (Owner,
     * Administrators, API clients incl. read-only): email or display-name prefix, exact SID, role
     * and status filters, keyset paging. The limit is bounded here, whatever the caller asks.
     */
    async search(actor: Actor, orgSid: string, query: Omit<MemberSearch, 'limit'> & { limit?: number }): Promise<MemberPage> {
      // The page's statement also reports the organization: an API client needs no other query.
      if (!authorizedWithoutReading(actor, orgSid, 'view_users')) await authorize(store.read, actor, orgSid, 'view_users');
      const limit = Math.min(Math.max(Math.trunc(Number(query.limit ?? 50)) || 50, 1), 1000);
      const page = await store.read.users.searchMembers(orgSid, { ...query, limit });
      if (!page.orgFound) throw organizationNotFound(orgSid);
      return { members: page.members, next: page.next, previous: page.previous };
    },

    /** A member's live Orgward sessions, newest first (at most `limit`); who may see the member may see them. */
    async sessions(actor: Actor, orgSid: string, userSid: string, limit = 50): Promise<LiveSession[]> {
      const member = await getMember(actor, orgSid, userSid);
      return store.read.sessions.listLive(member.sid, clock.now(), limit);
    },

    /** One member with grants and sign-in methods (never a secret); a member may look at themselves. */
    async detail(actor: Actor, orgSid: string, userSid: string): Promise<MemberDetail> {
      const view = await getMember(actor, orgSid, userSid);
      const [credentials, factor, identities] = await Promise.all([
        store.read.users.credentials(view.sid), store.read.signInFactors.getFactor(view.sid), store.read.ssoIdentities.listByUser(view.sid),
      ]);
      return {
        ...view,
        signIn: {
          password: Boolean(credentials?.password_hash), secondFactor: factor !== undefined, secondFactorRequired: view.secondFactorRequired,
          sso: identities.filter((i) => i.orgSid === orgSid).map((i) => ({ connectionId: i.connectionId, issuer: i.issuer, lastSignInAt: i.lastSignInAt })),
        },
      };
    },

    /** One member and their grants; a member may always look at themselves. */
    get: getMember,

    /** O2, O3: sets a member's role to admin or standard. The Owner's role changes only by hand-over. */
    async changeRole(actor: Actor, orgSid: string, userSid: string, role: Role, check?: (locked: Member) => void): Promise<Member> {
      if (!ROLES.includes(role)) throw new DomainError('invalid_input', 'Choose a role: admin or standard.');
      return store.transaction(async (repos) => {
        const { member } = await authorize(repos, actor, orgSid, 'manage_users');
        const target = await lockUser(repos, userSid);
        // The caller's precondition (If-Match), under the row lock the change takes.
        if (target.orgSid === orgSid) check?.(target);
        const decision = decideRoleChange(actingSnapshot(actor, member, orgSid), snapshotOf(target), role);
        if (decision.kind === 'reject') fail(decision);
        if (decision.kind === 'unchanged') return target;
        await repos.users.setRole(target.sid, orgSid, decision.to);
        await audit(repos, actor, { orgSid, action: 'user.role_changed', target: target.sid, before: { role: target.role }, after: { role: decision.to } });
        return (await repos.users.get(target.sid))!;
      });
    },

    /**
     * O2: the Owner hands the Owner role to another active member; the former Owner becomes
     * Administrator in the same transaction (the deferred trigger checks one Owner at commit).
     * A4: the new Owner's accounts outside the organization, or independent in it, join as
     * managed accounts; account_limit_reached when they do not fit (O5).
     */
    async handOverOwnership(actor: Actor, orgSid: string, newOwnerSid: string): Promise<{ ownerSid: string; formerOwnerSid: string; accountsJoined: readonly string[] }> {
      if (actor.kind !== 'user') throw new DomainError('owner_required', 'Only the Owner of the organization can hand over the Owner role.');
      return store.transaction(async (repos) => {
        // The organization row lock serialises hand-overs (a second one sees the new Owner) and holds the O5 count.
        const { org } = await authorize(repos, actor, orgSid, 'view_organization', {}, true);
        const current = await lockUser(repos, actor.userSid);
        const target = await lockUser(repos, newOwnerSid);
        const plan = planOwnerHandover(snapshotOf(current), snapshotOf(target));
        if (plan.kind === 'reject') fail(plan);
        // Demote first: the unique index allows one Owner at any moment, the trigger requires one at commit.
        await repos.users.setRole(plan.formerOwnerSid, orgSid, plan.formerOwnerBecomes);
        await repos.users.setRole(plan.newOwnerSid, orgSid, 'owner');
        await audit(repos, actor, { orgSid, action: 'organization.owner_changed', target: orgSid, before: { ownerSid: plan.formerOwnerSid }, after: { ownerSid: plan.newOwnerSid, formerOwnerRole: plan.formerOwnerBecomes } });
        // A4: the new Owner's accounts join the organization as managed accounts (refused past the O5 limit).
        const joined = await bringOwnerAccountsIn(repos, actor, org, plan.newOwnerSid, 'owner_handover');
        return { ownerSid: plan.newOwnerSid, formerOwnerSid: plan.formerOwnerSid, accountsJoined: joined.accountSids };
      });
    },

    /** C4, U6: removes a member (never the Owner); see {@link removeMember}. */
    async remove(actor: Actor, orgSid: string, userSid: string): Promise<RemovedMember> {
      return store.transaction((repos) => removeMember(repos, actor, orgSid, userSid, clock.now()));
    },

    /** C3: suspends or restores a member; see {@link setMemberStatus}. */
    async setStatus(actor: Actor, orgSid: string, userSid: string, status: 'active' | 'suspended', check?: (locked: Member) => void): Promise<StatusChange> {
      return store.transaction((repos) => setMemberStatus(repos, actor, orgSid, userSid, status, clock.now(), check));
    },

    /** C3: suspends a member: sessions end at once, sign-in is refused. The Owner cannot be suspended. */
    async suspend(actor: Actor, orgSid: string, userSid: string): Promise<StatusChange> {
      return store.transaction((repos) => setMemberStatus(repos, actor, orgSid, userSid, 'suspended', clock.now()));
    },

    /** C3: restores a suspended member. */
    async restore(actor: Actor, orgSid: string, userSid: string): Promise<StatusChange> {
      return store.transaction((repos) => setMemberStatus(repos, actor, orgSid, userSid, 'active', clock.now()));
    },

    /** O3: grants a member access to one of the organization's accounts. */
    async grantAccount(actor: Actor, orgSid: string, userSid: string, accountSid: string): Promise<{ changed: boolean }> {
      return store.transaction(async (repos) => {
        const { member } = await authorize(repos, actor, orgSid, 'manage_users');
        const target = await lockUser(repos, userSid);
        checkActOnUser(actingSnapshot(actor, member, orgSid), target);
        const account = typeof accountSid === 'string' ? await repos.accounts.get(accountSid) : undefined;
        // A1, A7: the rule decides which accounts can be granted (never a subaccount).
        const grantable = decideAccountGrant(account ? accountSnapshot(account) : null, orgSid);
        if (grantable.kind === 'reject') fail(grantable);
        if ((await repos.accounts.grantsBySource(orgSid, target.sid, 'direct')).includes(accountSid)) return { changed: false };
        await repos.accounts.grant(orgSid, target.sid, accountSid, 'direct');
        await audit(repos, actor, { orgSid, action: 'account.granted', target: target.sid, after: { accountSid } });
        return { changed: true };
      });
    },

    /** O3: withdraws a direct grant (grants from SCIM groups follow the groups, C5). */
    async revokeAccount(actor: Actor, orgSid: string, userSid: string, accountSid: string): Promise<{ changed: boolean }> {
      return store.transaction(async (repos) => {
        const { member } = await authorize(repos, actor, orgSid, 'manage_users');
        const target = await lockUser(repos, userSid);
        checkActOnUser(actingSnapshot(actor, member, orgSid), target);
        // Checked first: on PGlite a DELETE does not report how many rows it removed.
        if (!(await repos.accounts.grantsBySource(orgSid, target.sid, 'direct')).includes(accountSid)) return { changed: false };
        await repos.accounts.revoke(orgSid, target.sid, accountSid, 'direct');
        await audit(repos, actor, { orgSid, action: 'account.grant_revoked', target: target.sid, before: { accountSid } });
        return { changed: true };
      });
    },
  };
}

/** The members service object. */
export type MembersService = ReturnType<typeof createMembersService>;
