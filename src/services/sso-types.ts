/**
 * The shapes SSO protocol adapters and services share. Both protocols end in one
 * VerifiedIdentity that goes through one service (signIn.completeSso); no SAML or OIDC type
 * crosses into services/.
 */

/** Why a login was started: a real sign-in or an administrator's test of the connection (S1). */
export type SsoPurpose = 'sign_in' | 'test';

/** The person an IdP vouched for, after every protocol check passed. */
export interface VerifiedIdentity {
  readonly connectionId: string;
  readonly orgSid: string;
  readonly protocol: 'saml' | 'oidc';
  /** S6: the IdP issuer (SAML assertion Issuer, OIDC `iss`). */
  readonly issuer: string;
  /** S6: SAML NameID or OIDC `sub`. */
  readonly subject: string;
  readonly email: string;
  /** OIDC `email_verified`; true for SAML, where the IdP's signature vouches for the email. */
  readonly emailVerified: boolean;
  readonly profile: { readonly displayName?: string | null; readonly givenName?: string | null; readonly familyName?: string | null };
}

/**
 * What makes a response single-use, consumed in the same transaction as the sign-in so that of
 * two instances handling one response exactly one succeeds (S3, S8).
 */
export type SsoSingleUse =
  | {
    readonly kind: 'saml';
    /** The request the response answers (consumed), or null for an unsolicited response. */
    readonly requestId: string | null;
    readonly assertionId: string;
    /** Until when the assertion ID must be remembered. */
    readonly rememberUntil: Date;
    /** The login cookie of the browser that posted the response: a request is consumed only for the browser it was made for. */
    readonly browserToken: string | undefined;
  }
  /** The OIDC login transaction was already consumed (for this browser) when the callback arrived. */
  | { readonly kind: 'oidc'; readonly purpose: SsoPurpose; readonly linkUserSid: string | null };

/** SAML settings of a connection, for the SAML adapter (private key decrypted). */
export interface SamlSettings {
  readonly connectionId: string;
  readonly orgSid: string;
  readonly enabled: boolean;
  readonly idpEntityId: string;
  readonly ssoUrl: string;
  readonly idpCertificates: readonly string[];
  readonly allowIdpInitiated: boolean;
  readonly allowSha1: boolean;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly spPrivateKey: string;
  readonly spCertificate: string;
}

/** OIDC settings of a connection, for the OIDC adapter (client secret decrypted). */
export interface OidcSettings {
  readonly connectionId: string;
  readonly orgSid: string;
  readonly enabled: boolean;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** Only for a test IdP on a loopback address: plain http is refused otherwise. */
  readonly allowHttpIssuer: boolean;
}

/** A connection as administrators and the CLI see it (no secrets). */
export interface ConnectionView {
  readonly connectionId: string;
  readonly orgSid: string;
  readonly protocol: 'saml' | 'oidc';
  readonly enabled: boolean;
  readonly testedAt: Date | null;
  readonly spEntityId: string;
  readonly acsUrl?: string;
  readonly redirectUri?: string;
  readonly metadataUrl: string;
  readonly idpEntityId?: string;
  readonly ssoUrl?: string;
  readonly certificateFingerprints?: readonly string[];
  /** The IdP signing certificates' SHA-256 fingerprints and expiry (SAML). */
  readonly certificates?: readonly { readonly fingerprint256: string; readonly notAfter: Date }[];
  readonly allowIdpInitiated?: boolean;
  readonly allowSha1?: boolean;
  readonly issuer?: string;
  readonly clientId?: string;
  readonly createdAt: Date;
}
