/**
 * Which user an SSO sign-in belongs to.
 *
 * Rules: S6 (an SSO identity is keyed by organization, IdP issuer and subject, never by email; a
 * first sign-in links to an existing managed user by email only when S4 holds and, for OIDC,
 * `email_verified` is true; a known email under a new subject is refused until an administrator
 * links it), S4 (sso_domain_mismatch), C3 (suspended users cannot sign in).
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
  if (user.status === 'suspended') return suspended();
  return { kind: 'link', userSid: user.userSid };
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
