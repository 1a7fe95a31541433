/**
 * Who acts on a member, as the ownership and role rules see it (O2, O3, U6). A signed-in member is
 * themselves; an operator or the system acts with the organization's full authority, which the
 * rules model as its Owner (they still cannot remove or suspend the Owner, nor hand over the role).
 */
import { DomainError } from '../errors.js';
import { decideActOnUser } from '../rules/roles.js';
import type { MemberSnapshot } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import { actorLabel, type Actor, type Member } from '../types.js';
import { fail, snapshotOf } from './context.js';

/**
 * The acting member for the rules: the member themselves, or the organization's authority. An
 * API client acts as an Administrator (issue 10), so it cannot act on the Owner's user (O2, U6).
 */
export function actingSnapshot(actor: Actor, member: Member | undefined, orgSid: string): MemberSnapshot {
  if (member) return snapshotOf(member);
  return { userSid: actorLabel(actor), orgSid, role: actor.kind === 'api_client' ? 'admin' : 'owner', email: '', status: 'active' };
}

/** Locks and returns the user `userSid`; not_found when there is no such user. */
export async function lockUser(repos: Repos, userSid: string): Promise<Member> {
  const user = typeof userSid === 'string' ? await repos.users.lock(userSid) : undefined;
  if (!user) throw new DomainError('not_found', 'There is no such user in this organization.');
  return user;
}

/** U6, O3: the actor may manage `target` (a member of their organization; the Owner only by the Owner). */
export function checkActOnUser(acting: MemberSnapshot, target: Member): void {
  const decision = decideActOnUser(acting, snapshotOf(target));
  if (decision.kind === 'reject') fail(decision);
}
