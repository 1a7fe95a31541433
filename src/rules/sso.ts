/**
 * The protocol-free parts of single sign-on: when enforcement may be switched on, which
 * connection an email goes to, when passwords are refused, and what RelayState may be.
 *
 * Rules: S1 (enforcement per verified domain, only with an enabled connection that passed a test
 * sign-in: sso_not_ready; an untested connection signs nobody in but its own test; changing its
 * trust settings requires a new test), S2 (home-realm discovery: email → domain → organization → connection),
 * S4 (the asserted email must be on a verified domain of the connection's organization:
 * sso_domain_mismatch), U5 and S7 (with enforcement, password paths are refused: sso_required),
 * S8 (IdP-initiated responses only when allowed and recent; RelayState is an opaque handle).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { emailDomain, emailMatchesDomain } from './domains.js';
import type { DomainSnapshot } from './types.js';

/** An SSO connection as these rules see it. */
export interface ConnectionSnapshot {
  readonly id: string;
  readonly enabled: boolean;
  /** When a test sign-in last succeeded, or null. */
  readonly testedAt: Date | null;
  /** When its configuration last changed; a test older than that no longer counts. */
  readonly updatedAt?: Date | null;
}

/** Input of {@link decideEnforcement}. */
export interface EnforcementInput {
  readonly domainVerified: boolean;
  readonly connections: readonly Pick<ConnectionSnapshot, 'enabled' | 'testedAt' | 'updatedAt'>[];
}

/**
 * S1: SSO may be enforced on a domain only when the domain is verified and an enabled connection
 * has completed a test sign-in since its configuration last changed.
 */
export function decideEnforcement(input: EnforcementInput): Allow | Rejection<'domain_not_verified' | 'sso_not_ready'> {
  if (!input.domainVerified) return reject('domain_not_verified', 'Verify the domain before enforcing single sign-on on it.');
  if (input.connections.some((c) => c.enabled && connectionTested(c))) return allow();
  return reject(
    'sso_not_ready',
    'Single sign-on cannot be enforced yet: enable a connection and complete a successful test sign-in with it first.',
  );
}

/**
 * S1: a test sign-in succeeded since the connection's configuration last changed (changing a
 * trust setting also clears `testedAt`, see {@link decideConnectionChange}).
 */
export function connectionTested(c: Pick<ConnectionSnapshot, 'testedAt' | 'updatedAt'>): boolean {
  return c.testedAt !== null && (c.updatedAt === undefined || c.updatedAt === null || c.testedAt.getTime() >= c.updatedAt.getTime());
}

/** Input of {@link decideConnectionUse}. */
export interface ConnectionUseInput {
  readonly connection: Pick<ConnectionSnapshot, 'enabled' | 'testedAt' | 'updatedAt'>;
  /** Why the login was started: a sign-in, or the connection's own test sign-in. */
  readonly purpose: 'sign_in' | 'test';
}

/**
 * S1: a connection signs nobody in but its own test sign-in until a test sign-in has succeeded.
 * Without this, whoever may add a connection (an Administrator) could point it at an IdP they
 * control and sign in as any member of the organization.
 */
export function decideConnectionUse(input: ConnectionUseInput): Allow | Rejection<'sso_not_ready'> {
  if (input.connection.enabled && (input.purpose === 'test' || connectionTested(input.connection))) return allow();
  return reject(
    'sso_not_ready',
    'This single sign-on connection cannot sign anybody in yet: an administrator must first complete its test sign-in '
      + '(orgward sso test <connection-id> --org <org-sid>) and open the link it prints.',
  );
}

/** The settings of a connection that decide whom it trusts (S1). */
export interface ConnectionTrust {
  readonly idpCertificates?: readonly string[];
  readonly idpEntityId?: string | null;
  readonly ssoUrl?: string | null;
  readonly allowIdpInitiated?: boolean;
  readonly allowSha1?: boolean;
  readonly issuer?: string | null;
  readonly clientId?: string | null;
}

const TRUST_FIELDS = ['idpCertificates', 'idpEntityId', 'ssoUrl', 'allowIdpInitiated', 'allowSha1', 'issuer', 'clientId'] as const;

/** Result of {@link decideConnectionChange}. */
export interface ConnectionChangeDecision {
  /** The trust settings that differ. */
  readonly changed: readonly (typeof TRUST_FIELDS)[number][];
  /** True when the change requires a new test sign-in (the connection stops signing people in). */
  readonly resetsTest: boolean;
}

/**
 * S1: changing a connection's certificate, issuer (SAML entity ID or OIDC issuer), SSO URL,
 * IdP-initiated setting or OIDC client id requires a new test sign-in. Allowing SHA-1 counts too:
 * it widens which responses verify.
 */
export function decideConnectionChange(before: ConnectionTrust, after: ConnectionTrust): ConnectionChangeDecision {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const changed = TRUST_FIELDS.filter((f) => after[f] !== undefined && !same(before[f], after[f]));
  return { changed, resetsTest: changed.length > 0 };
}

/** Result of {@link decideHomeRealm}. */
export type HomeRealmDecision =
  | { readonly kind: 'sso'; readonly orgSid: string; readonly connectionId: string; readonly enforced: boolean }
  | { readonly kind: 'password' }
  | Rejection<'sso_not_ready'>;

/**
 * S2: where a sign-in that starts from `email` goes. `verifiedDomain` is the verified domain
 * exactly matching the email (D5) and `connections` its organization's connections. Without an
 * enabled connection the user signs in with a password, unless SSO is enforced.
 */
export function decideHomeRealm(
  email: string,
  verifiedDomain: DomainSnapshot | null,
  connections: readonly ConnectionSnapshot[],
): HomeRealmDecision {
  if (verifiedDomain === null || !verifiedDomain.verified || !emailMatchesDomain(email, verifiedDomain.name)) {
    return { kind: 'password' };
  }
  // S1: an untested connection signs nobody in, so it must not take the domain's sign-ins either.
  const connection = connections.find((c) => c.enabled && connectionTested(c));
  if (connection !== undefined) {
    return { kind: 'sso', orgSid: verifiedDomain.orgSid, connectionId: connection.id, enforced: verifiedDomain.ssoEnforced };
  }
  if (!verifiedDomain.ssoEnforced) return { kind: 'password' };
  return reject('sso_not_ready', "Your organization's single sign-on is not available right now. Contact your administrator.");
}

/** S4: the asserted email must be on one of the connection organization's verified domains. */
export function decideSsoDomain(email: string, orgVerifiedDomains: readonly string[]): Allow | Rejection<'sso_domain_mismatch'> {
  const domain = emailDomain(email);
  if (domain !== null && orgVerifiedDomains.includes(domain)) return allow();
  return reject(
    'sso_domain_mismatch',
    "This single sign-on connection cannot sign in people with this email address. Sign in through your own organization's single sign-on.",
  );
}

/** S7: the password-based ways in that enforcement closes. */
export type PasswordPath = 'sign_in' | 'password_reset' | 'invitation_acceptance';

/** Input of {@link decidePasswordSignIn}. */
export interface PasswordSignInInput {
  readonly email: string;
  /** The verified domain exactly matching the email (D5), or null. */
  readonly verifiedDomain: DomainSnapshot | null;
  readonly path?: PasswordPath;
}

const PASSWORD_PATHS: Record<PasswordPath, string> = {
  sign_in: 'Password sign-in is turned off for you',
  password_reset: 'Passwords cannot be reset for you',
  invitation_acceptance: 'This invitation must be accepted with single sign-on',
};

/**
 * U5, S7: refused (sso_required) when the email's domain is verified with SSO enforced. Also
 * covers password resets and invitation acceptance (`path`).
 */
export function decidePasswordSignIn(input: PasswordSignInInput): Allow | Rejection<'sso_required'> {
  const d = input.verifiedDomain;
  if (d === null || !d.verified || !d.ssoEnforced || !emailMatchesDomain(input.email, d.name)) return allow();
  return reject(
    'sso_required',
    `${PASSWORD_PATHS[input.path ?? 'sign_in']}: your organization requires single sign-on for ${d.name} addresses. `
      + "Sign in through your organization's single sign-on (SSO) instead.",
  );
}

/** S8: RelayState we issue: an opaque URL-safe handle of 16 to 128 characters. */
export const RELAY_STATE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Result of {@link decideRelayState}. */
export type RelayStateDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'handle'; readonly handle: string }
  | Rejection<'sso_response_invalid'>;

/**
 * S8: RelayState is an opaque handle to look up, never a URL to follow: anything with a scheme,
 * slash, dot or other character outside the handle alphabet is refused.
 */
export function decideRelayState(value: string | null | undefined): RelayStateDecision {
  if (value === null || value === undefined || value === '') return { kind: 'none' };
  if (RELAY_STATE_PATTERN.test(value)) return { kind: 'handle', handle: value };
  return reject('sso_response_invalid', 'The sign-in response was not valid. Start the sign-in again from the sign-in page.');
}

/** S8: how old an unsolicited response may be, by default. */
export const IDP_INITIATED_MAX_AGE_MS = 5 * 60 * 1000;

/** Input of {@link decideIdpInitiated}. */
export interface IdpInitiatedInput {
  /** The connection allows IdP-initiated sign-in (off by default). */
  readonly allowed: boolean;
  /** The response's IssueInstant. */
  readonly issuedAt: Date;
  readonly now: Date;
  readonly maxAgeMs?: number;
  /** Allowed clock skew for an IssueInstant slightly in the future. */
  readonly clockSkewMs?: number;
}

/**
 * S8: an unsolicited SAML response is accepted only when the connection allows it and it is
 * recent. The once-only assertion-ID check is the service's (it needs the shared replay cache).
 */
export function decideIdpInitiated(input: IdpInitiatedInput): Allow | Rejection<'sso_response_invalid'> {
  const age = input.now.getTime() - input.issuedAt.getTime();
  const fresh = age <= (input.maxAgeMs ?? IDP_INITIATED_MAX_AGE_MS) && age >= -(input.clockSkewMs ?? 0);
  if (input.allowed && fresh) return allow();
  return reject('sso_response_invalid', 'Start the sign-in from the sign-in page of this service, not from your identity provider.');
}

/** Input of {@link decideConnectionWithdrawal}. */
export interface WithdrawalInput {
  /** The connection to disable or delete. */
  readonly connectionId: string;
  /** Every connection of the organization (the one withdrawn included). */
  readonly connections: readonly Pick<ConnectionSnapshot, 'id' | 'enabled' | 'testedAt' | 'updatedAt'>[];
  /** The organization's domains where SSO is enforced. */
  readonly enforcedDomains: readonly string[];
}

/**
 * S1, U5: a connection may be disabled or deleted unless SSO is enforced on a domain and no other
 * enabled, tested connection would remain: members on that domain could then sign in neither by
 * password (U5) nor through SSO (sso_connection_in_use).
 */
export function decideConnectionWithdrawal(input: WithdrawalInput): Allow | Rejection<'sso_connection_in_use'> {
  if (input.enforcedDomains.length === 0) return allow();
  if (input.connections.some((c) => c.id !== input.connectionId && c.enabled && connectionTested(c))) return allow();
  return reject(
    'sso_connection_in_use',
    `Single sign-on is enforced on ${input.enforcedDomains.join(', ')} and this is its only working connection: `
      + 'switch enforcement off for those domains first (orgward sso enforce <domain> off --org <org-sid>), or enable and test another connection.',
  );
}
