/**
 * Lifecycle changes a SCIM client makes to a user.
 *
 * Rules: C1 (a token reaches only its own organization's users), C3 (`active: false` suspends,
 * `active: true` restores), C4 (DELETE removes the user from the organization and their accounts
 * pass to the Owner; the Owner cannot be suspended or deleted through SCIM, nor have their
 * userName, emails or active changed), O2.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
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

/** An email address of a user as SCIM lists it. */
export interface ScimIdentityEmail {
  readonly value: string;
  readonly type?: string | null;
  readonly primary?: boolean;
}

/** The attributes that identify a person to SCIM (C4), before or after a change. */
export interface ScimIdentity {
  readonly userName: string;
  /** Every email the user resource lists (a member without SCIM emails lists their address as the work email). */
  readonly emails: readonly ScimIdentityEmail[];
  readonly active: boolean;
}

/** Result of {@link decideScimIdentityChange}. */
export type ScimIdentityDecision = Allow | Rejection<'owner_required'>;

// userName and email addresses compare case-insensitively (RFC 7643 §4.1, U1); the order of the
// emails and their other sub-attributes (display) are not identity.
const emailKey = (e: ScimIdentityEmail): string =>
  JSON.stringify([e.value.trim().toLowerCase(), (e.type ?? '').toLowerCase(), e.primary === true]);
const sameEmails = (a: readonly ScimIdentityEmail[], b: readonly ScimIdentityEmail[]): boolean => {
  const left = a.map(emailKey).sort();
  const right = b.map(emailKey).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
};

/**
 * C4, O2: may a SCIM client change `target` from `before` to `after`? The Owner's userName,
 * emails and active are not changed through SCIM: an IdP that could rewrite the Owner's email
 * could take over the organization by resetting the password at the new address. Every other
 * attribute of the Owner, and everything about other members, may change.
 */
export function decideScimIdentityChange(target: Pick<MemberSnapshot, 'role'>, before: ScimIdentity, after: ScimIdentity): ScimIdentityDecision {
  if (target.role !== 'owner') return allow();
  const changed = [
    ...(before.userName.toLowerCase() !== after.userName.toLowerCase() ? ['userName'] : []),
    ...(!sameEmails(before.emails, after.emails) ? ['emails'] : []),
    ...(before.active !== after.active ? ['active'] : []),
  ];
  if (changed.length === 0) return allow();
  const named = changed.length === 1 ? changed[0] : `${changed.slice(0, -1).join(', ')} and ${changed[changed.length - 1]}`;
  return reject(
    'owner_required',
    `The Owner's ${named} cannot be changed through SCIM (C4). Send the Owner's current userName, emails and active `
      + "(other attributes such as name and title can change), or have the Owner hand over the Owner role to another member first; "
      + 'the IdP can then manage this user like any other.',
  );
}
