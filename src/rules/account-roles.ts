/**
 * Who holds which role on an account, and whether they may use a permission there.
 *
 * Rules: R2 (the Owner and Administrators hold the account Administrator role on every managed
 * account without an assignment; on an independent account everyone, Owner included, holds only
 * assigned roles), R3 (Standard Users hold exactly their assignments, direct or through SCIM groups;
 * the union of the permissions applies), R4 (no assignment names a subaccount; a role on an
 * account applies to its subaccounts), R5 (one decision for every caller: a suspended user, a closed
 * or suspended account, a user outside the organization get nothing: `forbidden`), R1 (the account
 * Administrator holds every permission).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { ACCOUNT_ADMINISTRATOR_ROLE_SID, isPermission, type RoleSnapshot } from './role-catalogue.js';
import type { AccountSnapshot, MemberSnapshot } from './types.js';

/** One assignment of a role on an account (direct or from SCIM groups: both count, R3). */
export interface AccountRoleAssignment {
  readonly accountSid: string;
  readonly roleSid: string;
  /** The assignment's SID ('IY…') when it is a row; named in an access check's reason. */
  readonly sid?: string;
  /** R3: 'direct' (an administrator) or 'scim' (a SCIM group mapping, C5). */
  readonly source?: 'direct' | 'scim';
}

/** The account roles a user holds on one account and the permissions they add up to. */
export interface EffectiveAccountRoles {
  /** Role SIDs, sorted; empty when the user holds nothing there. */
  readonly roleSids: readonly string[];
  /** R1: true when the account Administrator role is among them (every permission). */
  readonly allPermissions: boolean;
  /** R3: the union of the roles' permission strings, sorted. */
  readonly permissions: readonly string[];
}

const NOTHING: EffectiveAccountRoles = { roleSids: [], allPermissions: false, permissions: [] };

/**
 * R2-R5: the account roles `user` holds on `account`. Nothing for a suspended user, a user outside
 * the account's organization, a pending import (not the organization's yet, A1), or a closed or
 * suspended account (R5).
 */
export function effectiveAccountRoles(
  user: MemberSnapshot,
  account: AccountSnapshot,
  assignments: readonly AccountRoleAssignment[],
  catalogue: readonly RoleSnapshot[],
): EffectiveAccountRoles {
  if (user.status !== 'active' || user.orgSid === null || user.role === null) return NOTHING;
  if (account.orgSid !== user.orgSid || account.status !== 'active') return NOTHING;
  if (account.management !== 'managed' && account.management !== 'independent') return NOTHING;
  // R4: a role on the parent account applies to its subaccounts; assignments never name a subaccount.
  const holder = account.parentSid ?? account.sid;
  const held = new Set(assignments.filter((a) => a.accountSid === holder).map((a) => a.roleSid));
  // R2: Owner and Administrators are account Administrators of every managed account, not of independent ones.
  if (account.management === 'managed' && (user.role === 'owner' || user.role === 'admin')) held.add(ACCOUNT_ADMINISTRATOR_ROLE_SID);
  const roles = catalogue.filter((r) => r.scopeType === 'account' && held.has(r.sid));
  return {
    roleSids: roles.map((r) => r.sid).sort(),
    allPermissions: roles.some((r) => r.sid === ACCOUNT_ADMINISTRATOR_ROLE_SID),
    // R3: several roles on one account add up.
    permissions: [...new Set(roles.flatMap((r) => r.permissions))].sort(),
  };
}

/** Where the role that allows a permission comes from (R2: the organization role; R3: an assignment). */
export type GrantSource = 'direct' | 'scim' | 'organization_role';

/** The assignment that allowed a permission: the first, in a fixed order, that holds it. */
export interface PermissionGrant {
  readonly roleSid: string;
  readonly roleName: string;
  /** The account the role is held on: the account itself or, for a subaccount, its parent (R4). */
  readonly scope: string;
  readonly source: GrantSource;
  /** The assignment's SID ('IY…'); null for R2's implicit account Administrator role. */
  readonly assignmentSid: string | null;
}

/** Why a permission was refused, as a stable reason code. */
export type PermissionDenial =
  | 'invalid_permission' | 'user_suspended' | 'user_outside_organization' | 'account_outside_organization'
  | 'account_pending' | 'account_inactive' | 'no_role_holds_permission';

/** Result of {@link explainAccountPermission}: the decision and the rule behind it. */
export type PermissionExplanation =
  | { readonly kind: 'allow'; readonly rule: 'R1' | 'R2' | 'R3'; readonly grant: PermissionGrant }
  | { readonly kind: 'reject'; readonly rule: 'R1' | 'R3' | 'R5'; readonly reason: PermissionDenial; readonly code: 'forbidden' | 'invalid_input'; readonly message: string };

const denied = (rule: 'R1' | 'R3' | 'R5', reason: PermissionDenial, message: string): PermissionExplanation =>
  ({ kind: 'reject', rule, reason, code: reason === 'invalid_permission' ? 'invalid_input' : 'forbidden', message });

// Which grant to name when several allow: R2's implicit role first, then direct, then SCIM.
const SOURCE_ORDER: Record<GrantSource, number> = { organization_role: 0, direct: 1, scim: 2 };

/**
 * R1-R5 with the reason: whether `user` may use `permission` on `account` and, when allowed, which
 * role held where and from which source allowed it. {@link decideAccountPermission} is this
 * function without the reason, so the console, the API, tokens and the check API share one rule.
 */
export function explainAccountPermission(
  user: MemberSnapshot,
  account: AccountSnapshot,
  permission: string,
  assignments: readonly AccountRoleAssignment[],
  catalogue: readonly RoleSnapshot[],
): PermissionExplanation {
  if (!isPermission(permission)) return denied('R1', 'invalid_permission', 'A permission looks like resource:action in lower case (messages:send).');
  if (user.status !== 'active') return denied('R5', 'user_suspended', `User ${user.userSid} is suspended: a suspended user holds no permission.`);
  if (user.orgSid === null || user.role === null || account.orgSid !== user.orgSid) {
    return denied('R5', user.orgSid === null ? 'user_outside_organization' : 'account_outside_organization', `Account ${account.sid} is not in the organization of user ${user.userSid}.`);
  }
  if (account.management !== 'managed' && account.management !== 'independent') return denied('R5', 'account_pending', `Account ${account.sid} is a pending import, not yet the organization's (A1).`);
  if (account.status !== 'active') return denied('R5', 'account_inactive', `Account ${account.sid} is ${account.status}: nobody holds a permission on it.`);
  const holder = account.parentSid ?? account.sid;
  const candidates: { roleSid: string; source: GrantSource; assignmentSid: string | null }[] = assignments
    .filter((a) => a.accountSid === holder)
    .map((a) => ({ roleSid: a.roleSid, source: a.source ?? 'direct', assignmentSid: a.sid ?? null }));
  if (account.management === 'managed' && (user.role === 'owner' || user.role === 'admin')) {
    candidates.push({ roleSid: ACCOUNT_ADMINISTRATOR_ROLE_SID, source: 'organization_role', assignmentSid: null });
  }
  const roles = new Map(catalogue.filter((r) => r.scopeType === 'account').map((r) => [r.sid, r]));
  const granting = candidates
    .filter((c) => { const role = roles.get(c.roleSid); return role !== undefined && (role.sid === ACCOUNT_ADMINISTRATOR_ROLE_SID || role.permissions.includes(permission)); })
    .sort((x, y) => SOURCE_ORDER[x.source] - SOURCE_ORDER[y.source] || (x.assignmentSid ?? '').localeCompare(y.assignmentSid ?? ''));
  const first = granting[0];
  if (first === undefined) {
    return denied('R3', 'no_role_holds_permission', `You may not use ${permission} on account ${account.sid}; an Owner or Administrator of the organization can assign you a role that holds it.`);
  }
  const role = roles.get(first.roleSid)!;
  return {
    kind: 'allow', rule: first.source === 'organization_role' ? 'R2' : role.sid === ACCOUNT_ADMINISTRATOR_ROLE_SID ? 'R1' : 'R3',
    grant: { roleSid: role.sid, roleName: role.name, scope: holder, source: first.source, assignmentSid: first.assignmentSid },
  };
}

/** Result of {@link decideAccountPermission}. */
export type AccountPermissionDecision = Allow | Rejection<'forbidden' | 'invalid_input'>;

/**
 * R5: the one decision whether `user` may use `permission` on `account`, for the API, the console,
 * issued tokens and the authorization check alike ({@link explainAccountPermission} without the
 * reason). `assignments` are the user's (any account); `catalogue` the roles they may name.
 */
export function decideAccountPermission(
  user: MemberSnapshot,
  account: AccountSnapshot,
  permission: string,
  assignments: readonly AccountRoleAssignment[],
  catalogue: readonly RoleSnapshot[],
): AccountPermissionDecision {
  const explained = explainAccountPermission(user, account, permission, assignments, catalogue);
  return explained.kind === 'allow' ? allow() : reject(explained.code, explained.message);
}
