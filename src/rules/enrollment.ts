/**
 * One decision for every way a person joins an organization.
 *
 * Rules: O1 (sign-up on a domain nobody verified creates a new organization), D5 (exact domain
 * match), D6 (Restricted / Auto-enrollment / Blocked), D7 (invitations, SCIM and import need a
 * domain verified by the organization), U1 (one organization per user; plus-addresses are other
 * users), S4 (SSO only for the connection organization's domains), S5 (SSO just-in-time creation
 * only on Auto-enrollment or with a pending invitation), C2 (SCIM creation follows D6, D7, U1).
 *
 * What each path does, for a person who is not yet a member of the organization concerned:
 *
 * | path                   | domain verified by the org, by policy             | otherwise                 |
 * |------------------------|---------------------------------------------------|---------------------------|
 * | signup                 | auto_enrollment: join as standard (or as invited); | create own organization   |
 * |                        | restricted: join only with a pending invitation,   | (O1), common domains too  |
 * |                        | else invitation_required; blocked: domain_blocked  |                           |
 * | invitation/scim/import | restricted, auto_enrollment: join with the role    | domain_not_verified (D7)  |
 * |                        | asked for; blocked: domain_blocked                 |                           |
 * | sso                    | auto_enrollment or pending invitation: join;       | sso_domain_mismatch (S4)  |
 * |                        | restricted: sso_enrollment_refused; blocked:       |                           |
 * |                        | domain_blocked                                     |                           |
 *
 * On every path a member of the organization is `already_member`, and a member of another
 * organization is refused with member_of_other_org (for sign-up: already_member of their own).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { verifyDomainHint } from './common-domains.js';
import { emailMatchesDomain, normaliseEmail } from './domains.js';
import type { AssignableRole, DomainPolicy, DomainSnapshot, MemberSnapshot, Role } from './types.js';
import { DOMAIN_POLICIES } from './types.js';

/**
 * D6: the policies of a verified domain under which people with its email may join the
 * organization at all (every path; Blocked refuses them all). D7 adds that the domain must be
 * verified by the organization. The store's one-statement SCIM creation re-checks this list, so
 * SQL and rule cannot drift apart.
 */
export const JOINABLE_DOMAIN_POLICIES: readonly DomainPolicy[] = DOMAIN_POLICIES.filter((p) => p !== 'blocked');

/** How the person arrives. */
export type EnrollmentPath = 'signup' | 'invitation' | 'scim' | 'sso' | 'import';

/** An invitation for this email that has not been accepted or revoked (nor expired). */
export interface PendingInvitation {
  readonly orgSid: string;
  readonly role: AssignableRole;
}

interface EnrollmentBase {
  /** The person's email as given; normalised here (U1). */
  readonly email: string;
  /** The existing user with this email, or null for a new person. */
  readonly member: MemberSnapshot | null;
  /** The verified domain exactly matching the email's domain (D5), whichever org verified it. */
  readonly verifiedDomain: DomainSnapshot | null;
}

/** Self sign-up (also the way a pending invitation is accepted by a new person). */
export interface SignupEnrollment extends EnrollmentBase {
  readonly path: 'signup';
  readonly invitation: PendingInvitation | null;
}

/** An administrator invites, a SCIM client creates, a bulk import row adds: a known target org. */
export interface DirectEnrollment extends EnrollmentBase {
  readonly path: 'invitation' | 'scim' | 'import';
  readonly targetOrgSid: string;
  /** The role asked for; SCIM creates standard users and lets group mappings raise them (C5). */
  readonly role: AssignableRole;
}

/** First sign-in through an SSO connection of `targetOrgSid` (S5). */
export interface SsoEnrollment extends EnrollmentBase {
  readonly path: 'sso';
  readonly targetOrgSid: string;
  readonly invitation: PendingInvitation | null;
}

/** Input of {@link decideEnrollment}. */
export type EnrollmentInput = SignupEnrollment | DirectEnrollment | SsoEnrollment;

/** Every code an enrollment can be refused with. */
export type EnrollmentRejectCode =
  | 'invalid_input'
  | 'domain_blocked'
  | 'domain_not_verified'
  | 'member_of_other_org'
  | 'invitation_required'
  | 'sso_enrollment_refused'
  | 'sso_domain_mismatch';

/** Result of {@link decideEnrollment}. `email` is the normalised address to store. */
export type EnrollmentDecision =
  | { readonly kind: 'join'; readonly orgSid: string; readonly role: AssignableRole; readonly email: string }
  | { readonly kind: 'create_own_org'; readonly role: 'owner'; readonly email: string }
  | { readonly kind: 'already_member'; readonly orgSid: string; readonly role: Role; readonly userSid: string }
  | Rejection<EnrollmentRejectCode>;

/** D6, D7, U1, S5, O1: may this person join, and where and as what? See the table above. */
export function decideEnrollment(input: EnrollmentInput): EnrollmentDecision {
  const normal = normaliseEmail(input.email);
  if (!normal.ok) return reject('invalid_input', normal.message);
  const { email, domain } = normal;
  // U1: identity is the normalised email; 'alice+x@corp.com' is not 'alice@corp.com'.
  const member = membershipOf(input.member, email);
  // D5: only a verified domain whose name is exactly the email's domain part counts.
  const verified = input.verifiedDomain !== null && input.verifiedDomain.verified
    && emailMatchesDomain(email, input.verifiedDomain.name)
    ? input.verifiedDomain
    : null;

  if (input.path === 'signup') return decideSignup(email, domain, member, verified, input.invitation);

  const target = input.targetOrgSid;
  if (member !== null && member.orgSid === target) return alreadyMember(member);
  if (verified === null || verified.orgSid !== target) {
    return input.path === 'sso'
      ? reject('sso_domain_mismatch', `This single sign-on connection cannot sign in people with ${domain} addresses. `
        + "Sign in through your own organization's single sign-on, or contact its administrator.")
      : reject('domain_not_verified', `${email} is not on a domain this organization has verified. `
        + verifyDomainHint(domain, verified !== null));
  }
  if (!JOINABLE_DOMAIN_POLICIES.includes(verified.policy)) return blocked(domain);
  if (member !== null) return otherOrg(email);
  if (input.path !== 'sso') return { kind: 'join', orgSid: target, role: input.role, email };
  // S5: just-in-time creation only on Auto-enrollment, or when an invitation is waiting.
  if (input.invitation !== null && input.invitation.orgSid === target) {
    return { kind: 'join', orgSid: target, role: input.invitation.role, email };
  }
  if (verified.policy === 'auto_enrollment') return { kind: 'join', orgSid: target, role: 'standard', email };
  return reject(
    'sso_enrollment_refused',
    `Your organization does not add people with ${domain} addresses at their first sign-in. `
      + 'Ask an administrator of your organization to invite you, then sign in again.',
  );
}

function decideSignup(
  email: string,
  domain: string,
  member: Membership | null,
  verified: DomainSnapshot | null,
  invitation: PendingInvitation | null,
): EnrollmentDecision {
  if (member !== null) return alreadyMember(member);
  // O1: nobody verified the domain (common mailbox domains included): a new organization.
  if (verified === null) return { kind: 'create_own_org', role: 'owner', email };
  if (!JOINABLE_DOMAIN_POLICIES.includes(verified.policy)) return blocked(domain);
  if (invitation !== null && invitation.orgSid === verified.orgSid) {
    return { kind: 'join', orgSid: verified.orgSid, role: invitation.role, email };
  }
  if (verified.policy === 'auto_enrollment') {
    return { kind: 'join', orgSid: verified.orgSid, role: 'standard', email };
  }
  return reject(
    'invitation_required',
    `Your organization manages sign-ups for ${domain} addresses. Ask an administrator of your organization to invite you.`,
  );
}

interface Membership {
  readonly userSid: string;
  readonly orgSid: string;
  readonly role: Role;
}

/** The member's organization, when the snapshot is this very email (U1) and has one. */
function membershipOf(member: MemberSnapshot | null, email: string): Membership | null {
  if (member === null || member.orgSid === null) return null;
  const stored = normaliseEmail(member.email);
  if (!stored.ok || stored.email !== email) return null;
  return { userSid: member.userSid, orgSid: member.orgSid, role: member.role ?? 'standard' };
}

function alreadyMember(member: Membership): EnrollmentDecision {
  return { kind: 'already_member', orgSid: member.orgSid, role: member.role, userSid: member.userSid };
}

function blocked(domain: string): Rejection<'domain_blocked'> {
  return reject(
    'domain_blocked',
    `People with ${domain} addresses cannot join this organization: the domain is blocked. `
      + "An administrator can change the domain's policy.",
  );
}

function otherOrg(email: string): Rejection<'member_of_other_org'> {
  return reject(
    'member_of_other_org',
    `${email} already belongs to another organization. They must leave it before they can join this one.`,
  );
}
