/**
 * Who a merge invitation goes to, and who may accept it.
 *
 * Rules: M1 (the Prime's Owner or an Administrator invites the Candidate organization's Owner by
 * email), M2 (checked at invitation and again at acceptance, through decideMerge), D5 (exact
 * match of the email's domain).
 *
 * The M2 domain conditions are checked before anything is said about the person invited, so
 * that an administrator cannot probe whether an address outside the Prime's verified domains
 * owns an organization.
 */
import type { Allow, Rejection } from './decision.js';
import { reject } from './decision.js';
import { normaliseEmail } from './domains.js';
import { decideMerge, decideMergeAcceptance, type MergeRefusalReason } from './merge.js';
import type { MemberSnapshot } from './types.js';

/** Why a merge invitation is refused: an M2 condition, or the person is no Owner. */
export type MergeInvitationRefusal = MergeRefusalReason | 'candidate_not_an_owner';

/** A refused merge invitation; `reason` says which condition failed. */
export type MergeInvitationRejection = Rejection<'merge_not_allowed'> & { readonly reason: MergeInvitationRefusal };

/** Input of {@link decideMergeInvitation}. Domain lists hold verified domain names only. */
export interface MergeInvitationInput {
  readonly primeSid: string;
  readonly primeVerifiedDomains: readonly string[];
  /** The address the invitation is for. */
  readonly candidateOwnerEmail: string;
  /** The existing user with that address, or null. */
  readonly candidateOwner: MemberSnapshot | null;
  /** The verified domains of the candidate owner's organization (empty when there is none). */
  readonly candidateVerifiedDomains: readonly string[];
}

/** Result of {@link decideMergeInvitation}. */
export type MergeInvitationDecision =
  | { readonly kind: 'invite'; readonly candidateSid: string; readonly email: string }
  | MergeInvitationRejection
  | Rejection<'invalid_input'>;

/** M1, M2: may the Prime invite this address to merge its organization into the Prime? */
export function decideMergeInvitation(input: MergeInvitationInput): MergeInvitationDecision {
  const normal = normaliseEmail(input.candidateOwnerEmail);
  if (!normal.ok) return reject('invalid_input', normal.message);
  const owner = input.candidateOwner;
  const domainsFirst = decideMerge({
    primeSid: input.primeSid,
    candidateSid: '',
    primeVerifiedDomains: input.primeVerifiedDomains,
    candidateOwnerEmail: normal.email,
    candidateVerifiedDomains: [],
  });
  if (domainsFirst.kind === 'reject') return domainsFirst;
  if (owner === null || owner.orgSid === null || owner.role !== 'owner' || owner.status !== 'active') {
    return {
      ...reject('merge_not_allowed', `${normal.email} is not the Owner of an organization. Invite the Owner of the organization to merge.`),
      reason: 'candidate_not_an_owner',
    };
  }
  const full = decideMerge({
    primeSid: input.primeSid,
    candidateSid: owner.orgSid,
    primeVerifiedDomains: input.primeVerifiedDomains,
    candidateOwnerEmail: normal.email,
    candidateVerifiedDomains: input.candidateVerifiedDomains,
  });
  if (full.kind === 'reject') return full;
  return { kind: 'invite', candidateSid: owner.orgSid, email: normal.email };
}

/**
 * M1: the invitation is accepted by the person it was sent to, who must still be the Owner of
 * their organization (a hand-over since the invitation means the new Owner must be invited).
 */
export function decideMergeAcceptor(actor: MemberSnapshot, invitedEmail: string): Allow | Rejection<'owner_required' | 'forbidden'> {
  const mine = normaliseEmail(actor.email);
  const invited = normaliseEmail(invitedEmail);
  if (!mine.ok || !invited.ok || mine.email !== invited.email) {
    return reject('forbidden', 'This merge invitation was sent to someone else. Sign in as the person it was sent to.');
  }
  return decideMergeAcceptance(actor, actor.orgSid ?? '');
}
