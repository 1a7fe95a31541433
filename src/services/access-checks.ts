/**
 * The authorization check API (R5): may this user use this permission on this account, and why.
 * The decision is explainAccountPermission, the rule behind decideAccountPermission, so the
 * console, the API, issued tokens and this check cannot disagree. No cache: each check reads the
 * current assignments, so a revoke on any instance is seen by the next check on every instance.
 *
 * Who may ask: the operator (the product's back end) about anyone; an organization's API clients
 * (admin or read-only) and its Owner and Administrators about their own organization's users and
 * accounts; anything of another organization is 404 (U6).
 */
import { DomainError } from '../errors.js';
import { explainAccountPermission, type PermissionExplanation } from '../rules/account-roles.js';
import { isSid } from '../rules/sids.js';
import type { AccessCheckInputs } from '../store/access-checks.js';
import type { Actor } from '../types.js';
import { authorize } from './context.js';
import type { ServiceDeps } from './index.js';

/** The most checks one batch may carry. */
export const MAX_ACCESS_CHECKS = 1000;

export interface AccessCheck {
  readonly user: string;
  readonly account: string;
  readonly permission: string;
}

/** The reason of an answer: the rule, and when allowed the assignment that granted it. */
export interface AccessReason {
  readonly rule: string;
  readonly code: string;
  readonly message: string;
  readonly grant?: { readonly role: string; readonly roleName: string; readonly scope: string; readonly source: string; readonly assignment: string | null };
}

export interface AccessCheckResult extends AccessCheck {
  readonly allowed: boolean;
  readonly reason: AccessReason;
}

const unknown = (rule: string, code: string, message: string): AccessReason => ({ rule, code, message });

function reasonOf(e: PermissionExplanation): AccessReason {
  if (e.kind === 'reject') return { rule: e.rule, code: e.reason, message: e.message };
  const g = e.grant;
  const from = g.source === 'organization_role' ? 'the organization role (Owner or Administrator)' : g.source === 'scim' ? 'a SCIM group mapping' : 'a direct assignment';
  return {
    rule: e.rule, code: 'granted', message: `${g.roleName} on ${g.scope}, from ${from}.`,
    grant: { role: g.roleSid, roleName: g.roleName, scope: g.scope, source: g.source, assignment: g.assignmentSid },
  };
}

export function createAccessChecksService(deps: ServiceDeps) {
  const { store } = deps;
  const repos = store.read;

  /** U6: an organization's callers ask only about their organization; the operator about any. */
  async function callerOrg(actor: Actor): Promise<string | null> {
    switch (actor.kind) {
      case 'operator':
      case 'system':
        return null;
      case 'api_client':
        await authorize(repos, actor, actor.orgSid, 'view_users');
        return actor.orgSid;
      case 'user': {
        const me = await repos.users.get(actor.userSid);
        if (!me?.orgSid) throw new DomainError('forbidden', 'Only an organization\'s Owner, Administrators and API clients check access.');
        await authorize(repos, actor, me.orgSid, 'view_users');
        return me.orgSid;
      }
      default:
        throw new DomainError('forbidden', 'A SCIM token does not check access.');
    }
  }

  function answer(inputs: AccessCheckInputs, check: AccessCheck, orgSid: string | null): AccessCheckResult {
    const user = inputs.users.get(check.user);
    const account = inputs.accounts.get(check.account);
    // U6: an organization's caller learns nothing about other organizations' users or accounts.
    if (orgSid !== null && (user?.orgSid !== orgSid)) throw new DomainError('not_found', `No user ${check.user} in this organization.`);
    if (orgSid !== null && account?.orgSid !== orgSid) throw new DomainError('not_found', `No account ${check.account} in this organization.`);
    if (!user) return { ...check, allowed: false, reason: unknown('R5', 'unknown_user', `There is no user ${check.user}.`) };
    if (!account) return { ...check, allowed: false, reason: unknown('R5', 'unknown_account', `There is no account ${check.account}.`) };
    const explained = explainAccountPermission(user, account, check.permission, inputs.assignments.get(user.userSid) ?? [], inputs.catalogue);
    return { ...check, allowed: explained.kind === 'allow', reason: reasonOf(explained) };
  }

  function checkShape(c: AccessCheck): void {
    if (!isSid('US', c.user)) throw new DomainError('invalid_input', `"user" is a user SID (US…), not ${JSON.stringify(c.user)}.`);
    if (!isSid('AC', c.account)) throw new DomainError('invalid_input', `"account" is an account SID (AC…), not ${JSON.stringify(c.account)}.`);
  }

  return {
    /** R5 for each check, in order (at most {@link MAX_ACCESS_CHECKS}). */
    async check(actor: Actor, checks: readonly AccessCheck[]): Promise<AccessCheckResult[]> {
      if (checks.length > MAX_ACCESS_CHECKS) throw new DomainError('invalid_input', `A batch holds at most ${MAX_ACCESS_CHECKS} checks; split it.`);
      checks.forEach(checkShape);
      const orgSid = await callerOrg(actor);
      const inputs = await store.read.accessChecks.load([...new Set(checks.map((c) => c.user))], { sids: [...new Set(checks.map((c) => c.account))] });
      return checks.map((c) => answer(inputs, c, orgSid));
    },

    /** The list form: every account of the user's organization where R5 allows `permission`, with the grant. */
    async accounts(actor: Actor, userSid: string, permission: string): Promise<{ account: string; name: string; reason: AccessReason }[]> {
      checkShape({ user: userSid, account: `AC${'0'.repeat(32)}`, permission });
      const orgSid = await callerOrg(actor);
      const user = await repos.users.get(userSid);
      if (!user || (orgSid !== null && user.orgSid !== orgSid)) throw new DomainError('not_found', `No user ${userSid}${orgSid === null ? '' : ' in this organization'}.`);
      if (user.orgSid === null) return [];
      const inputs = await store.read.accessChecks.load([userSid], { orgSid: user.orgSid });
      const allowed: { account: string; name: string; reason: AccessReason }[] = [];
      for (const account of inputs.accounts.values()) {
        const result = answer(inputs, { user: userSid, account: account.sid, permission }, orgSid);
        if (result.reason.code === 'invalid_permission') throw new DomainError('invalid_input', result.reason.message);
        if (result.allowed) allowed.push({ account: account.sid, name: account.name, reason: result.reason });
      }
      return allowed;
    },
  };
}
