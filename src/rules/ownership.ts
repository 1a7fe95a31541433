/**
 * The Owner role: handed over by the Owner, never changed or removed any other way.
 *
 * Rules: O2 (exactly one Owner; the Owner hands the role to another managed user of the same
 * organization and becomes Administrator; no other path changes the Owner: owner_required),
 * O3 (who manages users), U6 (only members of one's own organization), C4 (the Owner cannot be
 * suspended or removed).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { can } from './roles.js';
import type { AssignableRole, MemberSnapshot, Role } from './types.js';

type ManageRejection = Rejection<'owner_required' | 'forbidden' | 'not_a_member' | 'user_suspended'>;

/** Result of {@link planOwnerHandover}. */
export type OwnerHandoverPlan =
  | {
    readonly kind: 'handover';
    readonly orgSid: string;
    readonly newOwnerSid: string;
    readonly formerOwnerSid: string;
    readonly formerOwnerBecomes: 'admin';
  }
  | ManageRejection;

/**
 * O2: the Owner hands the Owner role to `target`, an active managed user of the same
 * organization; the former Owner becomes Administrator in the same transaction.
 */
export function planOwnerHandover(actor: MemberSnapshot, target: MemberSnapshot): OwnerHandoverPlan {
  if (actor.role !== 'owner' || actor.orgSid === null) {
    return reject('owner_required', 'Only the Owner of the organization can hand over the Owner role.');
  }
  if (actor.status === 'suspended') return suspendedActor();
  if (target.orgSid !== actor.orgSid) return notMember();
  if (target.userSid === actor.userSid || target.role === 'owner') {
    return reject('forbidden', 'This user is already the Owner. Choose another member of your organization.');
  }
  if (target.status !== 'active') {
    return reject('forbidden', 'This user is suspended. Reactivate them before handing over the Owner role.');
  }
  return {
    kind: 'handover',
    orgSid: actor.orgSid,
    newOwnerSid: target.userSid,
    formerOwnerSid: actor.userSid,
    formerOwnerBecomes: 'admin',
  };
}

/** Result of {@link decideRoleChange}. */
export type RoleChangeDecision =
  | { readonly kind: 'change'; readonly userSid: string; readonly from: Role | null; readonly to: AssignableRole }
  | { readonly kind: 'unchanged'; readonly userSid: string; readonly role: Role }
  | ManageRejection;

/**
 * O2, O3, U6: the Owner or an Administrator sets a member's role to 'admin' or 'standard'.
 * Making someone Owner, or changing the Owner's role, is refused (owner_required): only
 * {@link planOwnerHandover} does that.
 */
export function decideRoleChange(actor: MemberSnapshot, target: MemberSnapshot, newRole: Role): RoleChangeDecision {
  const gate = gateManager(actor, target);
  if (gate !== null) return gate;
  if (newRole === 'owner') {
    return reject('owner_required', 'To make someone the Owner, the current Owner hands over the Owner role.');
  }
  if (target.role === 'owner') {
    return reject(
      'owner_required',
      "The Owner's role changes only when the Owner hands over the Owner role to someone else.",
    );
  }
  if (target.role === newRole) return { kind: 'unchanged', userSid: target.userSid, role: newRole };
  return { kind: 'change', userSid: target.userSid, from: target.role, to: newRole };
}

/** Result of {@link decideRemoveMember} and {@link decideSuspendMember}. */
export type MemberChangeDecision =
  | { readonly kind: 'remove' | 'suspend'; readonly userSid: string }
  | { readonly kind: 'unchanged'; readonly userSid: string }
  | ManageRejection;

/**
 * O2, U6, C4: the Owner or an Administrator removes a member from the organization. The Owner
 * cannot be removed (owner_required). The service passes the member's accounts to the Owner (C4).
 */
export function decideRemoveMember(actor: MemberSnapshot, target: MemberSnapshot): MemberChangeDecision {
  const gate = gateManager(actor, target);
  if (gate !== null) return gate;
  if (target.role === 'owner') {
    return reject('owner_required', 'The Owner cannot be removed. The Owner must first hand over the Owner role.');
  }
  return { kind: 'remove', userSid: target.userSid };
}

/** O2, U6, C4: the Owner or an Administrator suspends a member. The Owner cannot be suspended. */
export function decideSuspendMember(actor: MemberSnapshot, target: MemberSnapshot): MemberChangeDecision {
  const gate = gateManager(actor, target);
  if (gate !== null) return gate;
  if (target.role === 'owner') {
    return reject('owner_required', 'The Owner cannot be suspended. The Owner must first hand over the Owner role.');
  }
  if (target.status === 'suspended') return { kind: 'unchanged', userSid: target.userSid };
  return { kind: 'suspend', userSid: target.userSid };
}

/** O3, U6: the actor manages users, in the target's organization. The Owner check comes after. */
function gateManager(actor: MemberSnapshot, target: MemberSnapshot): ManageRejection | null {
  if (actor.status === 'suspended') return suspendedActor();
  if (actor.orgSid === null || !can(actor.role, 'manage_users')) {
    return reject('forbidden', 'Your role does not allow you to manage users. Ask the Owner or an administrator.');
  }
  if (target.orgSid !== actor.orgSid) return notMember();
  return null;
}

function notMember(): Rejection<'not_a_member'> {
  return reject('not_a_member', 'This user is not a member of your organization.');
}

function suspendedActor(): Rejection<'user_suspended'> {
  return reject('user_suspended', 'Your user is suspended. Contact an administrator of your organization.');
}
