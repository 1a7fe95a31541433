/**
 * Which IdP signing certificates of a SAML connection to warn about (issue 13:
 * `sso_connection.certificate_expiring`): those that expire within {@link CERTIFICATE_WARNING_DAYS}
 * days, or have expired. Each certificate of each connection is warned about once; whether it was
 * already is the caller's record, not this rule's. The warning says whether the connection already
 * trusts a certificate that outlives this one (a rotation under way: S1 lets a connection trust
 * several), so an administrator can tell "rotate now" from "remove the old one".
 *
 * Rules: S1 (a connection trusts one or more IdP certificates; changing them requires a new test),
 * S3 (a response is accepted only when its signature verifies with the connection's certificate).
 */

/** A certificate expiring within this many days is warned about (the Admin Center flags the same). */
export const CERTIFICATE_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/** One trusted certificate of a connection, as its expiry matters here. */
export interface TrustedCertificate {
  /** SHA-256 fingerprint (the stable name of a certificate). */
  readonly fingerprint: string;
  readonly notAfter: Date;
}

/** A certificate to warn about. */
export interface CertificateWarning {
  readonly fingerprint: string;
  readonly notAfter: Date;
  /** Whole days left (rounded down); negative once expired. */
  readonly daysLeft: number;
  readonly expired: boolean;
  /** Another trusted certificate of the connection is valid past this one's expiry. */
  readonly replacementTrusted: boolean;
}

/** True when `notAfter` falls within the warning window at `now` (or has passed). */
export const expiresSoon = (notAfter: Date, now: Date): boolean => notAfter.getTime() - now.getTime() <= CERTIFICATE_WARNING_DAYS * DAY_MS;

/** The certificates of one connection to warn about at `now`, in the order given. */
export function planCertificateWarnings(certificates: readonly TrustedCertificate[], now: Date): CertificateWarning[] {
  return certificates.filter((c) => expiresSoon(c.notAfter, now)).map((c) => {
    const left = c.notAfter.getTime() - now.getTime();
    return {
      fingerprint: c.fingerprint, notAfter: c.notAfter,
      daysLeft: Math.floor(left / DAY_MS), expired: left <= 0,
      replacementTrusted: certificates.some((o) => o.fingerprint !== c.fingerprint && o.notAfter.getTime() > c.notAfter.getTime()),
    };
  });
}
