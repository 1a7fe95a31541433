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

/** Result of {@link decideAccountPermission}. */
export type AccountPermissionDecision = Allow | Rejection<'forbidden' | 'invalid_input'>;

/**
 * R5: the one decision whether `user` may use `permission` on `account`, for the API, the console,
 * issued tokens and the authorization check alike. `assignments` are the user's (any account);
 * `catalogue` the roles they may name.
 */
export function decideAccountPermission(
  user: MemberSnapshot,
  account: AccountSnapshot,
  permission: string,
  assignments: readonly AccountRoleAssignment[],
  catalogue: readonly RoleSnapshot[],
): AccountPermissionDecision {
  if (!isPermission(permission)) return reject('invalid_input', 'A permission looks like resource:action in lower case (messages:send).');
  const roles = effectiveAccountRoles(user, account, assignments, catalogue);
  if (roles.allPermissions || roles.permissions.includes(permission)) return allow();
  return reject('forbidden', `You may not use ${permission} on account ${account.sid}; an Owner or Administrator of the organization can assign you a role that holds it.`);
}
