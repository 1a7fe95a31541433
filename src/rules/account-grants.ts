/**
 * Which accounts a member may be granted directly (or through a SCIM group mapping).
 *
 * Rules: A1 (grants name the organization's managed and independent accounts; a pending import is
 * not the organization's yet, a closed account is gone, another organization's account is not
 * found), A7 and R4 (a subaccount has no users of its own: no grant names a subaccount; access
 * comes through its parent).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import type { AccountSnapshot } from './types.js';

/** Why an account cannot be granted. */
export type AccountGrantRejection = Rejection<'not_found' | 'account_pending' | 'account_closed' | 'subaccount_not_grantable'>;

/** A1, A7: may a member of `orgSid` be granted `account` (null when there is no such account)? */
export function decideAccountGrant(account: AccountSnapshot | null, orgSid: string): Allow | AccountGrantRejection {
  if (account === null || account.orgSid !== orgSid) return reject('not_found', 'This account was not found in your organization.');
  if (account.management === 'pending') return reject('account_pending', "This account's import is waiting for its owner's confirmation.");
  if (account.status === 'closed') return reject('account_closed', 'This account is closed.');
  if (account.parentSid !== null) {
    return reject(
      'subaccount_not_grantable',
      `${account.sid} is a subaccount: it has no users of its own. Grant its parent account ${account.parentSid} instead; access to the parent reaches its subaccounts.`,
    );
  }
  return allow();
}
