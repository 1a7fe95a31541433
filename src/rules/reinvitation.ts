/**
 * Inviting an email that already has a pending invitation into the same organization.
 *
 * Rules: D7/D6/U1 are decided before (decideEnrollment); this decides only what happens to the
 * pending invitation. Sending the same role again renews the link (the earlier one stops working);
 * a different role is refused unless the administrator asked to replace the invitation, so that a
 * second invite never silently changes what the person is offered.
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { AssignableRole } from './types.js';

/** The invitation waiting for this email (not accepted, revoked or expired). */
export interface PendingInvitationSnapshot {
  readonly invitationId: string;
  readonly role: AssignableRole;
  readonly expiresAt: Date;
}

/** What changed for the pending invitation, shown to the administrator. */
export interface InvitationReplacement {
  readonly invitationId: string;
  readonly role: { readonly from: AssignableRole; readonly to: AssignableRole };
  readonly expiresAt: { readonly from: Date };
}

/** Result of {@link decideReinvitation}. */
export type ReinvitationDecision =
  | { readonly kind: 'new' }
  | { readonly kind: 'replace'; readonly replaced: InvitationReplacement }
  | Rejection<'invitation_pending'>;

const ROLE_NAMES: Readonly<Record<AssignableRole, string>> = { admin: 'an Administrator', standard: 'a Standard User' };

/**
 * May `email` be invited as `role` while `pending` waits? Same role: replace (a fresh link);
 * another role: only with `replace`, else invitation_pending naming both roles and the way out.
 */
export function decideReinvitation(
  email: string,
  pending: PendingInvitationSnapshot | null,
  role: AssignableRole,
  replace: boolean,
): ReinvitationDecision {
  if (pending === null) return { kind: 'new' };
  if (pending.role !== role && !replace) {
    return reject('invitation_pending', `${email} already has a pending invitation as ${ROLE_NAMES[pending.role]} `
      + `(until ${pending.expiresAt.toISOString()}). To invite them as ${ROLE_NAMES[role]} instead, invite again with --replace `
      + '(replace: true); the earlier link then stops working. Or revoke the pending invitation first.');
  }
  return {
    kind: 'replace',
    replaced: { invitationId: pending.invitationId, role: { from: pending.role, to: role }, expiresAt: { from: pending.expiresAt } },
  };
}
