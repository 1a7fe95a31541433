/**
 * Which user an SSO sign-in belongs to.
 *
 * Rules: S6 (an SSO identity is keyed by organization, IdP issuer and subject, never by email; a
 * first sign-in links to an existing managed user by email only when S4 holds and, for OIDC,
 * `email_verified` is true; a known email under a new subject is refused until an administrator
 * links it; the Owner is never linked by email: the Owner links their own identity while signed
 * in with password and second factor, by completing a test sign-in they started), S4
 * (sso_domain_mismatch), C3 (suspended users cannot sign in).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { MemberSnapshot } from './types.js';

/** Input of {@link decideSsoIdentityLink}. */
export interface SsoIdentityInput {
  /** The connection's organization. */
  readonly orgSid: string;
  /** The user already linked to (organization, issuer, subject), or null. */
  readonly linkedUser: MemberSnapshot | null;
  /** The user whose email is the asserted email, or null. */
  readonly userByEmail: MemberSnapshot | null;
  /** True when `userByEmail` already has an identity from this issuer (under another subject). */
  readonly userHasIdentityFromIssuer: boolean;
  /** S4 holds: the email is on a verified domain of the organization (`decideSsoDomain`). */
  readonly domainMatches: boolean;
  /** OIDC `email_verified`; true for SAML, where the IdP vouches for the NameID or attribute. */
  readonly emailVerified: boolean;
}

/** Result of {@link decideSsoIdentityLink}. */
export type SsoIdentityDecision =
  | { readonly kind: 'sign_in'; readonly userSid: string }
  | { readonly kind: 'link'; readonly userSid: string }
  | { readonly kind: 'enroll' }
  | Rejection<'sso_domain_mismatch' | 'sso_identity_conflict' | 'user_suspended'>;

/**
 * S6: a known identity signs in its user; otherwise a managed user of the organization with the
 * same email is linked (when S4 holds and the email is verified and they have no identity from
 * this issuer yet); otherwise the person is unknown here and `decideEnrollment` (path 'sso')
 * decides.
 */
export function decideSsoIdentityLink(input: SsoIdentityInput): SsoIdentityDecision {
  const linked = input.linkedUser;
  if (linked !== null) {
    if (linked.orgSid !== input.orgSid) return conflict();
    if (linked.status === 'suspended') return suspended();
    return { kind: 'sign_in', userSid: linked.userSid };
  }
  if (!input.domainMatches) {
    return reject(
      'sso_domain_mismatch',
      "This single sign-on connection cannot sign in people with this email address. Sign in through your own organization's single sign-on.",
    );
  }
  const user = input.userByEmail;
  if (user === null || user.orgSid !== input.orgSid) return { kind: 'enroll' };
  if (!input.emailVerified || input.userHasIdentityFromIssuer) return conflict();
  // S6: whoever controls an IdP of the organization could otherwise become the Owner by email.
  if (user.role === 'owner') return ownerLinksThemselves();
  if (user.status === 'suspended') return suspended();
  return { kind: 'link', userSid: user.userSid };
}

/** The session that opens a test sign-in link, as {@link decideOwnerLinkHolder} sees it. */
export interface TestLinkOpener {
  readonly userSid: string;
  readonly orgSid: string | null;
  readonly role: string | null;
  /** How the session was signed in; 'password' sessions always passed the second factor (U4). */
  readonly method: 'password' | 'saml' | 'oidc';
}

/** Input of {@link decideOwnerLinkHolder}. */
export interface OwnerLinkHolderInput {
  /** The connection's organization. */
  readonly orgSid: string;
  /** Who created the test sign-in link (a user SID, or 'operator', 'system', ...). */
  readonly ticketCreatedBy: string;
  /** The signed-in session of the browser that opened the link, or null. */
  readonly openedBy: TestLinkOpener | null;
}

/**
 * S6: a test sign-in links the tested identity to the Owner only when the Owner opened the test
 * link in their own password + second-factor session (an SSO session proves only what an IdP
 * said) and the link was made by the Owner or by the operator at the command line: a link an
 * Administrator made could be forwarded to the Owner to bind the Administrator's IdP identity to
 * the Owner. Otherwise the test links nobody (null).
 */
export function decideOwnerLinkHolder(input: OwnerLinkHolderInput): string | null {
  const s = input.openedBy;
  if (s === null || s.method !== 'password' || s.role !== 'owner' || s.orgSid !== input.orgSid) return null;
  return input.ticketCreatedBy === s.userSid || input.ticketCreatedBy === 'operator' ? s.userSid : null;
}

/** Input of {@link decideOwnerSelfLink}. */
export interface OwnerSelfLinkInput {
  readonly orgSid: string;
  /** The user recorded when the test started, read again under its row lock. */
  readonly owner: MemberSnapshot | null;
  /** The (normalised) email the IdP asserted. */
  readonly assertedEmail: string;
  /** The user already linked to (organization, issuer, subject), or null. */
  readonly identityUserSid: string | null;
  /** The owner already has an identity from this issuer (under another subject). */
  readonly ownerHasIdentityFromIssuer: boolean;
}

/** Result of {@link decideOwnerSelfLink}. */
export type OwnerSelfLinkDecision =
  | { readonly kind: 'link'; readonly userSid: string }
  | { readonly kind: 'already_linked' }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * S6: the Owner's own test sign-in links the identity to the Owner when the Owner is still the
 * active Owner of the organization, the IdP asserted the Owner's own email, and the identity is
 * nobody else's.
 */
export function decideOwnerSelfLink(input: OwnerSelfLinkInput): OwnerSelfLinkDecision {
  const o = input.owner;
  if (o === null || o.orgSid !== input.orgSid || o.role !== 'owner' || o.status !== 'active') return { kind: 'skip', reason: 'not the active Owner any more' };
  if (o.email.toLowerCase() !== input.assertedEmail.toLowerCase()) return { kind: 'skip', reason: "the IdP asserted another email than the Owner's" };
  if (input.identityUserSid === o.userSid) return { kind: 'already_linked' };
  if (input.identityUserSid !== null) return { kind: 'skip', reason: 'the identity belongs to another user' };
  if (input.ownerHasIdentityFromIssuer) return { kind: 'skip', reason: 'the Owner already has an identity from this issuer' };
  return { kind: 'link', userSid: o.userSid };
}

function ownerLinksThemselves(): Rejection<'sso_identity_conflict'> {
  return reject(
    'sso_identity_conflict',
    "The Owner's single sign-on is never linked by email. The Owner signs in with password and second factor, "
      + 'creates a test sign-in link (orgward sso test <connection-id> --org <org-sid>) and opens it in that browser to link it.',
  );
}

function conflict(): Rejection<'sso_identity_conflict'> {
  return reject(
    'sso_identity_conflict',
    'This sign-in does not match the identity we know for your email address. Ask an administrator of your organization to link it.',
  );
}

function suspended(): Rejection<'user_suspended'> {
  return reject('user_suspended', 'Your user is suspended. Contact an administrator of your organization.');
}
