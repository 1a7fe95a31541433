/**
 * Saying no to a request mailed to you.
 *
 * Rules: M1 (a merge invitation is answered by the person it was sent to), A3 (a pending import
 * is confirmed, or declined, by the account's owner; declined, the account is as it was before).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { normaliseEmail } from './domains.js';
import type { AccountSnapshot, MemberSnapshot } from './types.js';

/** M1: only the person the merge invitation was sent to may decline it (any role: saying no changes nothing). */
export function decideMergeDecline(actor: MemberSnapshot, invitedEmail: string): Allow | Rejection<'forbidden'> {
  const mine = normaliseEmail(actor.email);
  const invited = normaliseEmail(invitedEmail);
  if (mine.ok && invited.ok && mine.email === invited.email) return allow();
  return reject('forbidden', 'This merge invitation was sent to someone else. Sign in as the person it was sent to.');
}

/** Result of {@link decideImportDecline}: where the account goes back to. */
export type ImportDeclineDecision =
  | { readonly kind: 'decline'; readonly accountSid: string; readonly orgSid: string | null; readonly management: 'independent' | null }
  | Rejection<'not_found' | 'forbidden'>;

/**
 * A3: the owner declines a pending import; the account returns to what it was before the request
 * (`previousManagement`: null, outside every organization; 'independent', an independent account
 * of the organization).
 */
export function decideImportDecline(
  account: AccountSnapshot,
  orgSid: string,
  declinerSid: string,
  previousManagement: 'independent' | null,
): ImportDeclineDecision {
  if (account.orgSid !== orgSid || account.management !== 'pending') {
    return reject('not_found', 'There is no import of this account waiting for an answer.');
  }
  if (account.ownerSid !== declinerSid) {
    return reject('forbidden', "Only the account's owner can answer this request. Sign in as the owner and try again.");
  }
  return {
    kind: 'decline', accountSid: account.sid,
    orgSid: previousManagement === null ? null : orgSid, management: previousManagement,
  };
}
