/**
 * What each role may do, and on whom.
 *
 * Rules: O3 (Owner: everything; Administrator: users, accounts, settings, domains, SSO, SCIM,
 * import, merge; Standard User: only granted accounts), O2 (only the Owner hands over the Owner
 * role), A5 (any managed user may create an account), U2 (an account's owner may use it),
 * A7 (a parent account reaches its subaccounts), U6 (administrators act only on managed users of
 * their own organization).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import type { AccountSnapshot, MemberSnapshot, Role } from './types.js';

/** The closed list of things a member may try to do. */
export const ACTIONS = [
  'view_organization',
  'access_account',
  'create_account',
  'manage_users',
  'manage_accounts',
  'manage_settings',
  'manage_domains',
  'view_domains',
  'manage_sso',
  'manage_scim',
  'manage_hipaa',
  'bulk_import',
  'merge',
  'view_audit',
  'transfer_ownership_of_org',
  'view_users',
] as const;

/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

const STANDARD: readonly Action[] = ['view_organization', 'access_account', 'create_account'];
const ADMIN: readonly Action[] = ACTIONS.filter((a) => a !== 'transfer_ownership_of_org');

/** O3: the actions of each role. */
export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  owner: new Set(ACTIONS),
  admin: new Set(ADMIN),
  standard: new Set(STANDARD),
};

// Short, user-facing names of the actions, for refusal messages.
const LABELS: Record<Action, string> = {
  view_organization: 'view this organization',
  access_account: 'use this account',
  create_account: 'create accounts',
  manage_users: 'manage users',
  manage_accounts: 'manage accounts',
  manage_settings: 'change organization settings',
  manage_domains: 'manage domains',
  view_domains: "see the organization's domains",
  manage_sso: 'manage single sign-on',
  manage_scim: 'manage SCIM provisioning',
  manage_hipaa: 'manage HIPAA settings',
  bulk_import: 'import users',
  merge: 'merge organizations',
  view_audit: 'view the audit log',
  transfer_ownership_of_org: 'hand over the Owner role',
  view_users: "see the organization's users",
};

/**
 * O3: may `role` perform `action` at all? For 'access_account' a Standard User still needs a
 * grant: use {@link decideAction}.
 */
export function can(role: Role | null, action: Action): boolean {
  return role !== null && PERMISSIONS[role].has(action);
}

/** What an action is about. */
export interface ActionTarget {
  /** The organization the action concerns; a member acts only in their own (U6, C1). */
  readonly orgSid?: string;
  /** For 'access_account': the account to use. */
  readonly account?: Pick<AccountSnapshot, 'sid' | 'orgSid' | 'management' | 'ownerSid' | 'parentSid'>;
  /** For 'access_account': the accounts granted to the actor. */
  readonly grantedAccountSids?: readonly string[];
}

/** Result of {@link decideAction} and {@link decideActOnUser}. */
export type PermissionDecision = Allow | Rejection<'forbidden' | 'user_suspended'>;

/**
 * O3: may `actor` perform `action` in the target organization (default: their own)? For
 * 'access_account': the account's owner may; Owner and Administrators reach every managed account
 * of their organization; anyone else needs a grant on the account or on its parent (A7).
 */
export function decideAction(actor: MemberSnapshot, action: Action, target: ActionTarget = {}): PermissionDecision {
  if (actor.status === 'suspended') return suspended();
  if (actor.orgSid === null || (target.orgSid !== undefined && target.orgSid !== actor.orgSid)) {
    return reject('forbidden', 'You can only act in your own organization.');
  }
  if (!can(actor.role, action)) return forbidden(action);
  if (action !== 'access_account') return allow();
  const account = target.account;
  if (account === undefined) return forbidden(action);
  if (account.ownerSid === actor.userSid) return allow();
  const organizationWide = actor.role === 'owner' || actor.role === 'admin';
  if (organizationWide && account.orgSid === actor.orgSid && account.management === 'managed') return allow();
  const grants = target.grantedAccountSids ?? [];
  if (grants.includes(account.sid) || (account.parentSid !== null && grants.includes(account.parentSid))) {
    return allow();
  }
  return reject(
    'forbidden',
    'You do not have access to this account. Ask an administrator of your organization to grant it to you.',
  );
}

/** Result of {@link decideActOnUser}. */
export type ActOnUserDecision = Allow | Rejection<'forbidden' | 'not_a_member' | 'user_suspended'>;

/**
 * U6: may `actor` manage `target` (remove, suspend, reset password or 2FA, change role)? Only the
 * Owner or an Administrator, only on members of their own organization; an Administrator cannot
 * act on the Owner, who is above them (O2, O3).
 */
export function decideActOnUser(actor: MemberSnapshot, target: MemberSnapshot): ActOnUserDecision {
  if (actor.status === 'suspended') return suspended();
  if (actor.orgSid === null || !can(actor.role, 'manage_users')) return forbidden('manage_users');
  if (target.orgSid !== actor.orgSid) {
    return reject('not_a_member', 'This user is not a member of your organization.');
  }
  if (target.role === 'owner' && actor.role !== 'owner') {
    return reject('forbidden', "Only the Owner can make changes to the Owner's user.");
  }
  return allow();
}

function forbidden(action: Action): Rejection<'forbidden'> {
  return reject(
    'forbidden',
    `Your role does not allow you to ${LABELS[action]}. Ask the Owner or an administrator of your organization.`,
  );
}

function suspended(): Rejection<'user_suspended'> {
  return reject('user_suspended', 'Your user is suspended. Contact an administrator of your organization.');
}
