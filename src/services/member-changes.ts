/**
 * The cores of removing and suspending a member, shared by the members service and SCIM
 * (C3, C4, U6, O2). Each runs in the caller's transaction: authorize, ask the rule, apply, audit.
 */
import { DomainError } from '../errors.js';
import { decideActOnUser } from '../rules/roles.js';
import type { Rejection } from '../rules/decision.js';
import { decideRemoveMember, decideSuspendMember } from '../rules/ownership.js';
import { decideScimUserChange } from '../rules/scim-users.js';
import type { UserStatus } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { Actor, Member } from '../types.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import { endSessionsOfUser } from './session-ends.js';
import { actingSnapshot, lockUser } from './member-checks.js';

/** What a removal did (C4). */
export interface RemovedMember {
  readonly userSid: string;
  /** C4: the managed accounts the user owned, now owned by the organization's Owner. */
  readonly accountsPassedToOwner: readonly string[];
  readonly ownerSid: string;
  readonly sessionsRevoked: number;
}

/** The member after a suspension or restore, and whether anything changed (C3). */
export interface StatusChange {
  readonly member: Member;
  readonly changed: boolean;
}

type Change = 'remove' | 'suspend' | 'restore';

type Decision = { readonly kind: Change | 'unchanged'; readonly userSid: string } | Rejection;

/** The rule's decision for `change`, by whoever acts: a SCIM token (C3, C4) or a member or operator (O2, U6). */
function decide(actor: Actor, acting: Member | undefined, orgSid: string, target: Member, change: Change): Decision {
  if (actor.kind === 'scim') {
    const decision = decideScimUserChange(orgSid, snapshotOf(target), change === 'remove' ? 'delete' : change);
    if (decision.kind === 'delete') return { kind: 'remove', userSid: decision.userSid };
    return decision;
  }
  const actingMember = actingSnapshot(actor, acting, orgSid);
  if (change === 'remove') return decideRemoveMember(actingMember, snapshotOf(target));
  if (change === 'suspend') return decideSuspendMember(actingMember, snapshotOf(target));
  const allowed = decideActOnUser(actingMember, snapshotOf(target));
  if (allowed.kind === 'reject') return allowed;
  return { kind: target.status === 'active' ? 'unchanged' : 'restore', userSid: target.sid };
}

/**
 * C4, U6, O2: removes `userSid` from the organization. The Owner cannot be removed
 * (owner_required). In the caller's transaction: the managed accounts the user owned in the
 * organization pass to the Owner (each audited), their grants and sessions end, the membership
 * ends. The user remains, without an organization.
 */
export async function removeMember(repos: Repos, actor: Actor, orgSid: string, userSid: string, now: Date): Promise<RemovedMember> {
  const { member } = await authorize(repos, actor, orgSid, 'manage_users');
  const target = await lockUser(repos, userSid);
  const decision = decide(actor, member, orgSid, target, 'remove');
  if (decision.kind === 'reject') fail(decision);
  const owner = await repos.users.owner(orgSid);
  if (!owner) throw new DomainError('owner_required', 'The organization has no Owner.');
  const passed = await repos.accounts.reassignManagedOwner(orgSid, target.sid, owner.sid);
  for (const accountSid of passed) {
    await audit(repos, actor, { orgSid, action: 'account.owner_changed', target: accountSid, before: { ownerSid: target.sid }, after: { ownerSid: owner.sid, reason: 'member_removed' } });
  }
  const grants = await repos.accounts.grantsOf(orgSid, target.sid);
  await repos.accounts.revokeAllOf(orgSid, target.sid);
  const sessionsRevoked = await endSessionsOfUser(repos, actor, { orgSid, userSid: target.sid, reason: 'member_removed', now });
  await repos.users.leave(target.sid, orgSid);
  await audit(repos, actor, {
    orgSid, action: 'user.removed', target: target.sid,
    before: { email: target.email, role: target.role, status: target.status, grants },
    after: { accountsPassedToOwner: passed, ownerSid: owner.sid },
  });
  return { userSid: target.sid, accountsPassedToOwner: passed, ownerSid: owner.sid, sessionsRevoked };
}

/**
 * C3, U6, O2: suspends or restores a member. Suspension ends every session at once; the Owner
 * cannot be suspended (owner_required). Unchanged when the member already has `status`.
 */
export async function setMemberStatus(repos: Repos, actor: Actor, orgSid: string, userSid: string, status: UserStatus, now: Date, check?: (locked: Member) => void): Promise<StatusChange> {
  if (status !== 'active' && status !== 'suspended') throw new DomainError('invalid_input', 'A user is either active or suspended.');
  const { member } = await authorize(repos, actor, orgSid, 'manage_users');
  const target = await lockUser(repos, userSid);
  // The caller's precondition (If-Match), under the row lock the change takes.
  if (target.orgSid === orgSid) check?.(target);
  const decision = decide(actor, member, orgSid, target, status === 'suspended' ? 'suspend' : 'restore');
  if (decision.kind === 'reject') fail(decision);
  if (decision.kind === 'unchanged') return { member: target, changed: false };
  await repos.users.update(target.sid, { status });
  if (status === 'suspended') await endSessionsOfUser(repos, actor, { orgSid, userSid: target.sid, reason: 'suspended', now });
  await audit(repos, actor, { orgSid, action: status === 'suspended' ? 'user.suspended' : 'user.restored', target: target.sid, before: { status: target.status }, after: { status } });
  return { member: (await repos.users.get(target.sid))!, changed: true };
}
