/**
 * The checks on a SAML response that the SAML library does not make, on plain values read from
 * the verified assertion. Every refusal is `sso_response_invalid`; `reason` is for the log only.
 *
 * Rules: S3 (signature with the connection's certificate, audience, recipient or destination is
 * our ACS URL, time conditions within the clock skew, InResponseTo matches a request we issued or
 * the connection allows IdP-initiated sign-in), S8 (unsolicited responses only when allowed, and
 * only while their subject confirmation is unexpired). Also: no SHA-1 unless the connection
 * explicitly allows it, and encrypted assertions only with AES-GCM and RSA-OAEP.
 */
import type { Rejection } from './decision.js';

/** A refusal of a response: the message is safe to show; `reason` is logged, never shown. */
export type ResponseRejection = Rejection<'sso_response_invalid'> & { readonly reason: string };

const MESSAGE = 'The sign-in response from your identity provider was not accepted. Start the sign-in again from the sign-in page.';

function refuse(reason: string): ResponseRejection {
  return { kind: 'reject', code: 'sso_response_invalid', message: MESSAGE, reason };
}

/** Algorithm URIs found anywhere in a response, before its signature is checked. */
export interface ResponseAlgorithms {
  readonly signature: readonly string[];
  readonly digest: readonly string[];
  readonly encryption: readonly string[];
  readonly keyTransport: readonly string[];
}

/** XML Encryption 1.1 AES-GCM (the CBC modes are open to padding-oracle attacks). */
export const ALLOWED_DATA_ENCRYPTION = [
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
] as const;
/** RSA-OAEP only (RSA PKCS#1 v1.5 key transport is open to Bleichenbacher attacks). */
export const ALLOWED_KEY_TRANSPORT = [
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  'http://www.w3.org/2009/xmlenc11#rsa-oaep',
] as const;

const SHA1 = /sha1$/i;

/** Refuses SHA-1 (unless allowed) and any encryption other than AES-GCM with RSA-OAEP. */
export function decideResponseAlgorithms(found: ResponseAlgorithms, allowSha1: boolean): { readonly kind: 'allow' } | ResponseRejection {
  if (!allowSha1) {
    const sha1 = [...found.signature, ...found.digest].find((a) => SHA1.test(a));
    if (sha1 !== undefined) return refuse(`SHA-1 algorithm refused: ${sha1}`);
  }
  const data = found.encryption.find((a) => !(ALLOWED_DATA_ENCRYPTION as readonly string[]).includes(a));
  if (data !== undefined) return refuse(`data encryption algorithm refused: ${data}`);
  const key = found.keyTransport.find((a) => !(ALLOWED_KEY_TRANSPORT as readonly string[]).includes(a));
  if (key !== undefined) return refuse(`key transport algorithm refused: ${key}`);
  return { kind: 'allow' };
}

/** SAML 2.0 core 3.2.2.2: the only status of a response that may sign anybody in. */
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** What the whole response document holds, counted before any signature is checked. */
export interface ResponseShape {
  /** Response/Status/StatusCode/@Value (the top-level code), or null when missing. */
  readonly statusCode: string | null;
  /** Assertion and EncryptedAssertion elements anywhere in the document, at any depth. */
  readonly assertions: number;
}

/**
 * S3: a response signs in only when its status is Success (an IdP that says Requester or
 * RequestDenied means no, whatever it attached) and it holds exactly one assertion, plain or
 * encrypted, anywhere in the document: a second one (in Extensions, in a signature's Object, ...)
 * is how signature wrapping makes one part verified and another part read.
 */
export function decideResponseShape(shape: ResponseShape): { readonly kind: 'allow' } | ResponseRejection {
  if (shape.statusCode !== STATUS_SUCCESS) return refuse(`status_not_success: status ${JSON.stringify(shape.statusCode)}`);
  if (shape.assertions !== 1) return refuse(`assertion_count: ${shape.assertions} assertions in the response, exactly one allowed`);
  return { kind: 'allow' };
}

/**
 * S3: the time conditions and audience must be stated: an assertion without a Conditions element
 * is refused by this check, not by whatever a library happens to do with it.
 */
export function decideAssertionConditions(hasConditions: boolean): { readonly kind: 'allow' } | ResponseRejection {
  return hasConditions ? { kind: 'allow' } : refuse('conditions_missing: the assertion has no Conditions element');
}

/** A bearer SubjectConfirmationData of the verified assertion. */
export interface BearerConfirmation {
  readonly recipient: string | null;
  readonly notBefore: Date | null;
  readonly notOnOrAfter: Date | null;
  readonly inResponseTo: string | null;
}

/** Input of {@link decideSamlResponse}: values read from the verified assertion and its envelope. */
export interface SamlResponseFacts {
  /** The connection's IdP entity ID. */
  readonly expectedIssuer: string;
  /** The assertion's Issuer (signed). */
  readonly assertionIssuer: string | null;
  /** The Response's Issuer, when present (may be unsigned). */
  readonly responseIssuer: string | null;
  /** Our ACS URL for this connection. */
  readonly acsUrl: string;
  /** Response/@Destination, when present. */
  readonly destination: string | null;
  /** Response/@InResponseTo, when present. */
  readonly responseInResponseTo: string | null;
  readonly confirmations: readonly BearerConfirmation[];
  readonly allowIdpInitiated: boolean;
  readonly now: Date;
  readonly clockSkewMs: number;
}

/** Result of {@link decideSamlResponse}. */
export type SamlResponseDecision =
  | { readonly kind: 'solicited'; readonly requestId: string; readonly notOnOrAfter: Date }
  | { readonly kind: 'unsolicited'; readonly notOnOrAfter: Date }
  | ResponseRejection;

/**
 * S3, S8: the issuer is the connection's IdP; the destination (when given) and every bearer
 * confirmation's recipient are our ACS URL; a bearer confirmation is in its time window; and the
 * response answers a request (same InResponseTo on the envelope and the signed confirmation) or,
 * when the connection allows it, is unsolicited with no InResponseTo anywhere.
 */
export function decideSamlResponse(f: SamlResponseFacts): SamlResponseDecision {
  if (f.assertionIssuer === null || f.assertionIssuer !== f.expectedIssuer) {
    return refuse(`assertion issuer ${JSON.stringify(f.assertionIssuer)} is not the connection's IdP entity ID`);
  }
  if (f.responseIssuer !== null && f.responseIssuer !== f.expectedIssuer) {
    return refuse(`response issuer ${JSON.stringify(f.responseIssuer)} is not the connection's IdP entity ID`);
  }
  if (f.destination !== null && f.destination !== f.acsUrl) return refuse(`destination ${JSON.stringify(f.destination)} is not our ACS URL`);
  if (f.confirmations.length === 0) return refuse('no bearer subject confirmation');
  const now = f.now.getTime();
  for (const c of f.confirmations) {
    if (c.recipient !== f.acsUrl) return refuse(`recipient ${JSON.stringify(c.recipient)} is not our ACS URL`);
    if (c.notOnOrAfter === null) return refuse('bearer subject confirmation without NotOnOrAfter');
    if (now - f.clockSkewMs >= c.notOnOrAfter.getTime()) return refuse('subject confirmation expired (NotOnOrAfter)');
    if (c.notBefore !== null && now + f.clockSkewMs < c.notBefore.getTime()) return refuse('subject confirmation not yet valid (NotBefore)');
  }
  const notOnOrAfter = new Date(Math.max(...f.confirmations.map((c) => c.notOnOrAfter!.getTime())));
  const answered = [...new Set(f.confirmations.map((c) => c.inResponseTo))];
  if (answered.length !== 1) return refuse('subject confirmations disagree on InResponseTo');
  const requestId = answered[0] ?? null;
  if (requestId !== null) {
    if (f.responseInResponseTo !== requestId) return refuse('InResponseTo of the response and of the signed assertion differ');
    return { kind: 'solicited', requestId, notOnOrAfter };
  }
  if (f.responseInResponseTo !== null) return refuse('the signed assertion does not answer the request the response names');
  if (!f.allowIdpInitiated) return refuse('unsolicited response, and the connection does not allow IdP-initiated sign-in');
  return { kind: 'unsolicited', notOnOrAfter };
}
