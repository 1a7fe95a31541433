/**
 * Lifecycle changes a SCIM client makes to a user.
 *
 * Rules: C1 (a token reaches only its own organization's users), C3 (`active: false` suspends,
 * `active: true` restores), C4 (DELETE removes the user from the organization and their accounts
 * pass to the Owner; the Owner cannot be suspended or deleted through SCIM), O2.
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { MemberSnapshot } from './types.js';

/** What the SCIM client asks. */
export type ScimUserChange = 'suspend' | 'restore' | 'delete';

/** Result of {@link decideScimUserChange}. */
export type ScimUserChangeDecision =
  | { readonly kind: 'suspend' | 'restore'; readonly userSid: string }
  | { readonly kind: 'delete'; readonly userSid: string; readonly accountsPassToOwner: true }
  | { readonly kind: 'unchanged'; readonly userSid: string }
  | Rejection<'not_a_member' | 'owner_required'>;

/**
 * C1, C3, C4: may the SCIM token of `tokenOrgSid` make `change` to `target`? A user of another
 * organization is not_a_member (a not_found kind), as if it did not exist.
 */
export function decideScimUserChange(tokenOrgSid: string, target: MemberSnapshot | null, change: ScimUserChange): ScimUserChangeDecision {
  if (target === null || target.orgSid !== tokenOrgSid) return reject('not_a_member', 'No such user in this organization.');
  if (target.role === 'owner' && change !== 'restore') {
    return reject(
      'owner_required',
      'The Owner of the organization cannot be suspended or deleted through SCIM. The Owner must first hand over the Owner role.',
    );
  }
  if (change === 'delete') return { kind: 'delete', userSid: target.userSid, accountsPassToOwner: true };
  const wanted = change === 'suspend' ? 'suspended' : 'active';
  if (target.status === wanted) return { kind: 'unchanged', userSid: target.userSid };
  return { kind: change, userSid: target.userSid };
}
