/**
 * M3 in the caller's transaction: what a merge reads to plan, and how the plan is persisted.
 * The Candidate's accounts and users move to the Prime, its unverified domains are dropped, its
 * open invitations revoked, its history moved, and the Candidate row marked merged (O4).
 */
import { planMerge, type MergePlan } from '../rules/merge.js';
import { snapshotOf } from './context.js';
import { accountSnapshot, heldAccountCount } from './account-support.js';
import type { Repos } from '../store/index.js';
import type { Account, Actor, Member } from '../types.js';
import { endSessionsOfUser } from './session-ends.js';

/** Names of an organization's verified domains (M2). */
export async function verifiedDomainNames(repos: Repos, orgSid: string): Promise<string[]> {
  return (await repos.domains.listByOrg(orgSid)).filter((d) => d.verifiedAt !== null).map((d) => d.name);
}

/** Every member of an organization (the users store pages its listing). */
export async function allMembers(repos: Repos, orgSid: string): Promise<Member[]> {
  const members: Member[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await repos.users.listByOrg(orgSid, { limit: 1000, offset });
    members.push(...page);
    if (page.length < 1000) return members;
  }
}

/** A merge plan together with the Candidate's accounts (for names in a preview). */
export interface LoadedPlan {
  readonly plan: MergePlan;
  readonly accounts: readonly Account[];
}

/** M3: loads what planMerge needs (O5: the Prime's limit and count too) and asks it. */
export async function loadMergePlan(repos: Repos, primeSid: string, candidateSid: string): Promise<LoadedPlan> {
  const [members, accounts, grants, primeDomains, prime, primeHeld] = [
    await allMembers(repos, candidateSid),
    await repos.accounts.listByOrg(candidateSid),
    await repos.accounts.grantsInOrg(candidateSid),
    await repos.domains.listByOrg(primeSid),
    await repos.organizations.get(primeSid),
    await heldAccountCount(repos, primeSid),
  ];
  const plan = planMerge({
    primeSid, candidateSid,
    candidateMembers: members.map(snapshotOf),
    candidateAccounts: accounts.map(accountSnapshot),
    candidateGrants: grants,
    primeSsoEnforcedDomains: primeDomains.filter((d) => d.verifiedAt !== null && d.ssoEnforced).map((d) => d.name),
    primeAccountLimit: prime?.accountLimit ?? 0,
    primeHeldAccountCount: primeHeld,
  });
  return { plan, accounts };
}

/** What applying a plan did beyond the plan itself, for the audit entry. */
export interface MergeEffects {
  readonly droppedDomains: readonly string[];
  readonly revokedInvitations: number;
  readonly revokedMergeInvitations: number;
  readonly signedOutUsers: readonly string[];
}

/**
 * M3, O4: persists `plan` in the caller's transaction. The Candidate's Owner is demoted before
 * memberships move (one Owner per organization is a unique index; the deferred trigger checks at
 * commit that the Prime still has its Owner and the Candidate no members).
 */
export async function applyMergePlan(repos: Repos, actor: Actor, plan: MergePlan, now: Date): Promise<MergeEffects> {
  const { primeSid, candidateSid } = plan;
  const candidateOwner = plan.userMoves.find((u) => u.fromRole === 'owner');
  if (candidateOwner) await repos.users.setRole(candidateOwner.userSid, candidateSid, 'standard');
  await repos.users.moveAll(candidateSid, primeSid, 'standard');
  // Accounts keep owner, status, management and billing; only the organization changes.
  await repos.accounts.moveOrg(candidateSid, primeSid);
  await repos.accounts.moveGrants(candidateSid, primeSid);
  // Moved users keep access to what they could use: explicit grants, for former Owner and Administrators every managed account.
  for (const user of plan.userMoves) {
    for (const accountSid of user.accountSids) await repos.accounts.grant(primeSid, user.userSid, accountSid);
  }
  const droppedDomains: string[] = [];
  for (const domain of await repos.domains.listByOrg(candidateSid)) {
    await repos.domains.remove(domain.id);
    droppedDomains.push(domain.name);
  }
  const revokedInvitations = await repos.invitations.revokeAllOpen(candidateSid, now);
  const revokedMergeInvitations = await repos.merges.revokePendingOfPrime(candidateSid, now);
  // M3, S7: the Prime's SSO enforcement applies at once: password sessions of those it covers end.
  const enforced = new Set(plan.preview.ssoRequired);
  const signedOutUsers = plan.userMoves.filter((u) => enforced.has(u.email)).map((u) => u.userSid);
  for (const userSid of signedOutUsers) await endSessionsOfUser(repos, actor, { orgSid: primeSid, userSid, reason: 'merged_into_sso_organization', now });
  await repos.audit.moveOrg(candidateSid, primeSid);
  await repos.organizations.update(candidateSid, { mergedIntoSid: primeSid });
  return { droppedDomains, revokedInvitations, revokedMergeInvitations, signedOutUsers };
}
