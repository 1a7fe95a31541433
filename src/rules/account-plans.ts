/**
 * Upgrading an account out of its trial, and who sees which accounts of an organization.
 *
 * Rules: A2 (a new account starts in trial), A7 (the plan sets the subaccount limit: 1 under a
 * trial account, 1,000 under an upgraded one; a subaccount has its parent's plan, since its
 * billing rolls up to the parent), A1 (a closed account is no longer changed), O3 (Owner and
 * Administrators see every account of the organization; a Standard User only the accounts they
 * own or were granted, and the subaccounts of those).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { can, decideAction } from './roles.js';
import type { AccountSnapshot, MemberSnapshot } from './types.js';

/** Result of {@link decideAccountUpgrade}. */
export type AccountUpgradeDecision =
  | { readonly kind: 'upgrade'; readonly accountSid: string; readonly plan: 'upgraded' }
  | { readonly kind: 'unchanged'; readonly accountSid: string }
  | Rejection<'account_closed' | 'invalid_input'>;

/**
 * A2, A7: an operator upgrades a trial top-level account; its subaccounts follow (the service
 * gives them the parent's plan). A subaccount is not upgraded on its own; a closed account not at all.
 */
export function decideAccountUpgrade(account: AccountSnapshot): AccountUpgradeDecision {
  if (account.status === 'closed') return reject('account_closed', 'This account is closed, so it cannot be upgraded.');
  if (account.parentSid !== null) {
    return reject('invalid_input', "A subaccount has its parent's plan. Upgrade the parent account instead.");
  }
  if (account.plan === 'upgraded') return { kind: 'unchanged', accountSid: account.sid };
  return { kind: 'upgrade', accountSid: account.sid, plan: 'upgraded' };
}

/**
 * O3: may `viewer` see `account` in listings of their organization? Organization-wide roles
 * (those who manage accounts) see every account in it, whatever its management; anyone else
 * only what they may use (owned, granted, or under a granted parent, A7).
 */
export function canSeeAccount(viewer: MemberSnapshot, account: AccountSnapshot, grantedAccountSids: readonly string[]): boolean {
  if (viewer.status !== 'active' || viewer.orgSid === null || account.orgSid !== viewer.orgSid) return false;
  if (can(viewer.role, 'manage_accounts')) return true;
  return decideAction(viewer, 'access_account', { orgSid: viewer.orgSid, account, grantedAccountSids }).kind === 'allow';
}
