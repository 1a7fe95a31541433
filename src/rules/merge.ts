/**
 * Merging a Candidate organization into a Prime organization.
 *
 * Rules: M1 (the Prime's Owner or an Administrator invites the Candidate's Owner), M2 (allowed
 * only when the Prime has a verified domain, the Candidate Owner's email domain is verified by the
 * Prime, and the Candidate has no verified domain: merge_not_allowed with the reason; checked at
 * invitation and again at acceptance), M3 (on acceptance every Candidate account and user moves;
 * a merge that would take the Prime past its account limit is refused: account_limit_reached,
 * shown in the preview; accounts keep owner, status and billing; users become Standard Users with
 * access to the accounts they had; the Prime's SSO enforcement applies at once), O4 (the Candidate
 * ends by the merge), O5 (account limit), A7/R4 (no grant names a subaccount).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { isCommonDomain } from './common-domains.js';
import { emailDomain } from './domains.js';
import { countHeldAccounts, raiseLimitHint } from './organizations.js';
import type { AccountManagement, AccountSnapshot, AccountStatus, MemberSnapshot, Role, UserStatus } from './types.js';

/** M1, M3: only the Candidate's Owner accepts a merge invitation. */
export function decideMergeAcceptance(actor: MemberSnapshot, candidateSid: string): Allow | Rejection<'owner_required'> {
  if (actor.role === 'owner' && actor.orgSid === candidateSid && actor.status === 'active') return allow();
  return reject('owner_required', 'Only the Owner of the organization being merged can accept this invitation.');
}

/** M2: why a merge is refused. */
export type MergeRefusalReason =
  | 'same_organization'
  | 'prime_has_no_verified_domain'
  | 'candidate_owner_domain_not_verified_by_prime'
  | 'candidate_has_verified_domains';

/** Input of {@link decideMerge}. Domain lists hold the names of verified domains only. */
export interface MergeInput {
  readonly primeSid: string;
  readonly candidateSid: string;
  readonly primeVerifiedDomains: readonly string[];
  readonly candidateOwnerEmail: string;
  readonly candidateVerifiedDomains: readonly string[];
}

/** A merge refusal: `reason` tells which M2 condition failed. */
export type MergeRejection = Rejection<'merge_not_allowed'> & { readonly reason: MergeRefusalReason };

/** Result of {@link decideMerge}. */
export type MergeDecision = Allow | MergeRejection;

const REFUSALS: Record<MergeRefusalReason, string> = {
  same_organization: 'An organization cannot be merged into itself.',
  prime_has_no_verified_domain: 'Your organization needs a verified domain before another organization can merge into it. Verify a domain first.',
  candidate_owner_domain_not_verified_by_prime:
    "The other organization's Owner must have an email address on a domain your organization has verified. Verify that domain first.",
  candidate_has_verified_domains:
    'The other organization has verified domains of its own, so it cannot be merged. Its Owner must remove them first.',
};

/** M2: the three merge conditions, checked at invitation and again at acceptance. */
export function decideMerge(input: MergeInput): MergeDecision {
  const refuse = (reason: MergeRefusalReason): MergeRejection => ({ ...reject('merge_not_allowed', REFUSALS[reason]), reason });
  if (input.primeSid === input.candidateSid) return refuse('same_organization');
  if (input.primeVerifiedDomains.length === 0) return refuse('prime_has_no_verified_domain');
  // D5: exact match of the Owner's email domain.
  const ownerDomain = emailDomain(input.candidateOwnerEmail);
  if (ownerDomain === null || !input.primeVerifiedDomains.includes(ownerDomain)) {
    const refusal = refuse('candidate_owner_domain_not_verified_by_prime');
    // D2: "verify that domain" is no fix for a public email provider.
    return ownerDomain !== null && isCommonDomain(ownerDomain)
      ? { ...refusal, message: `The other organization's Owner uses a ${ownerDomain} address, a public email provider that no organization can verify. `
        + 'Merges need the Owner on a domain your organization has verified: they can hand the Owner role to a member with such an address, then you invite that person.' }
      : refusal;
  }
  if (input.candidateVerifiedDomains.length > 0) return refuse('candidate_has_verified_domains');
  return allow();
}

/** An explicit grant of an account to a user. */
export interface AccountGrant {
  readonly userSid: string;
  readonly accountSid: string;
}

/** Input of {@link planMerge}. */
export interface MergePlanInput {
  readonly primeSid: string;
  readonly candidateSid: string;
  readonly candidateMembers: readonly MemberSnapshot[];
  readonly candidateAccounts: readonly AccountSnapshot[];
  readonly candidateGrants: readonly AccountGrant[];
  /** Names of the Prime's verified domains with SSO enforced, to show who must use SSO (M3). */
  readonly primeSsoEnforcedDomains?: readonly string[];
  /** O5: the Prime's account limit and `countHeldAccounts(...)` of the Prime now. */
  readonly primeAccountLimit: number;
  readonly primeHeldAccountCount: number;
}

/** One account moving to the Prime, unchanged otherwise (M3). */
export interface AccountMove {
  readonly accountSid: string;
  readonly toOrgSid: string;
  readonly ownerSid: string;
  readonly status: AccountStatus;
  readonly management: AccountManagement | null;
}

/** One user moving to the Prime as a Standard User with the accounts they could use (M3). */
export interface UserMove {
  readonly userSid: string;
  readonly email: string;
  readonly status: UserStatus;
  readonly fromRole: Role | null;
  readonly toRole: 'standard';
  /** Grants to create in the Prime, sorted. */
  readonly accountSids: readonly string[];
}

/** Result of {@link planMerge}: what the one transaction does, and a preview to show first. */
export interface MergePlan {
  readonly kind: 'merge';
  readonly primeSid: string;
  readonly candidateSid: string;
  readonly accountMoves: readonly AccountMove[];
  readonly userMoves: readonly UserMove[];
  readonly preview: {
    readonly accountCount: number;
    readonly userCount: number;
    /** Users whose role changes (the Candidate's Owner and Administrators become Standard Users). */
    readonly roleChanges: readonly { readonly userSid: string; readonly email: string; readonly from: Role | null; readonly to: 'standard' }[];
    /** Emails of moved users who must sign in through the Prime's SSO from now on. */
    readonly ssoRequired: readonly string[];
    /** O5, M3: the Prime's account limit, what it would hold after the merge, and whether that fits. */
    readonly accountLimit: number;
    readonly accountsAfter: number;
    readonly withinLimit: boolean;
  };
}

/**
 * M3: the moves of a merge. Every Candidate account moves keeping owner, status and management.
 * Every Candidate user becomes a Standard User of the Prime with grants to what they could use:
 * their explicit grants, the accounts they own, and, for the Candidate's Owner and Administrators,
 * every open managed top-level account of the Candidate (O3). Grants name top-level accounts only:
 * access to a subaccount comes through its parent (A7, R4). The preview shows the Prime's account
 * count after the merge against its limit (O5). Call {@link decideMerge} first, and
 * {@link decideMergeAccountLimit} on the plan.
 */
export function planMerge(input: MergePlanInput): MergePlan {
  const accounts = input.candidateAccounts.filter((a) => a.orgSid === input.candidateSid);
  const members = input.candidateMembers.filter((m) => m.orgSid === input.candidateSid);
  // A7, R4: grants name top-level accounts only.
  const moving = new Set(accounts.filter((a) => a.parentSid === null).map((a) => a.sid));
  const organizationWide = accounts
    .filter((a) => a.management === 'managed' && a.parentSid === null && a.status !== 'closed')
    .map((a) => a.sid);
  const enforced = new Set(input.primeSsoEnforcedDomains ?? []);
  const accountsAfter = input.primeHeldAccountCount + countHeldAccounts(accounts, input.candidateSid);

  const userMoves = members.map((m): UserMove => {
    const access = new Set<string>();
    for (const g of input.candidateGrants) if (g.userSid === m.userSid && moving.has(g.accountSid)) access.add(g.accountSid);
    for (const a of accounts) if (a.ownerSid === m.userSid && moving.has(a.sid)) access.add(a.sid);
    if (m.role === 'owner' || m.role === 'admin') for (const sid of organizationWide) access.add(sid);
    return { userSid: m.userSid, email: m.email, status: m.status, fromRole: m.role, toRole: 'standard', accountSids: [...access].sort() };
  });

  return {
    kind: 'merge',
    primeSid: input.primeSid,
    candidateSid: input.candidateSid,
    accountMoves: accounts.map((a) => ({
      accountSid: a.sid, toOrgSid: input.primeSid, ownerSid: a.ownerSid, status: a.status, management: a.management,
    })),
    userMoves,
    preview: {
      accountCount: accounts.length,
      userCount: members.length,
      roleChanges: userMoves
        .filter((u) => u.fromRole !== 'standard')
        .map((u) => ({ userSid: u.userSid, email: u.email, from: u.fromRole, to: 'standard' as const })),
      ssoRequired: members.filter((m) => enforced.has(emailDomain(m.email) ?? '')).map((m) => m.email),
      accountLimit: input.primeAccountLimit,
      accountsAfter,
      withinLimit: accountsAfter <= input.primeAccountLimit,
    },
  };
}

/**
 * M3, O5: a merge that would take the Prime past its account limit is refused until an operator
 * raises the limit. Checked for the preview and again, under the organizations' locks, at acceptance.
 */
export function decideMergeAccountLimit(plan: MergePlan): Allow | Rejection<'account_limit_reached'> {
  const { accountLimit, accountsAfter, withinLimit } = plan.preview;
  if (withinLimit) return allow();
  return reject(
    'account_limit_reached',
    `After this merge the organization would hold ${accountsAfter} accounts; its limit is ${accountLimit}. `
      + `${raiseLimitHint(plan.primeSid, accountsAfter)}, or close accounts first, then accept again.`,
  );
}
