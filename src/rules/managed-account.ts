/**
 * The check every change to an account starts with: is it a managed, open account of this
 * organization?
 *
 * Rules: A1 (the organization changes only managed accounts: account_not_managed for independent
 * ones; a pending import is not the organization's yet: account_pending).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { AccountSnapshot } from './types.js';

/** Why an account cannot be changed by the organization. */
export type ManagedAccountRejection = Rejection<'not_found' | 'account_not_managed' | 'account_pending' | 'account_closed'>;

/**
 * A1: null when `account` is a managed account of `orgSid` that is not closed; otherwise the
 * refusal. An account of no or another organization is `not_found`, so its existence is not revealed.
 */
export function checkManagedAccount(account: AccountSnapshot, orgSid: string): ManagedAccountRejection | null {
  if (account.orgSid !== orgSid || account.management === null) {
    return reject('not_found', 'This account was not found in your organization.');
  }
  if (account.management === 'independent') {
    return reject(
      'account_not_managed',
      'This account is independent: its owner manages it, so your organization cannot change it.',
    );
  }
  if (account.management === 'pending') {
    return reject(
      'account_pending',
      "This account's import is waiting for its owner's confirmation. Try again once they have confirmed by email.",
    );
  }
  if (account.status === 'closed') {
    return reject('account_closed', 'This account is closed and can no longer be changed.');
  }
  return null;
}
