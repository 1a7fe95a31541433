/**
 * Mints SAML responses the way an IdP would: a recorded Okta or Entra shape (shapes/) filled with
 * values, the assertion and/or the response signed with xml-crypto, the assertion optionally
 * encrypted with xml-encryption. Test-only.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { SignedXml } from 'xml-crypto';
import * as xmlenc from 'xml-encryption';
import type { TestKey } from '../keys.js';

export type Shape = 'okta' | 'entra';

export interface MintOptions {
  readonly shape?: Shape;
  /** The IdP entity ID written as the assertion's (and, unless `responseIssuer`, the response's) Issuer. */
  readonly issuer: string;
  readonly key: TestKey;
  /** Our SP: Audience, Recipient and Destination default from these. */
  readonly spEntityId: string;
  readonly acsUrl: string;
  /** The AuthnRequest ID answered; null for an unsolicited (IdP-initiated) response. */
  readonly inResponseTo: string | null;
  readonly email: string;
  readonly nameId?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly now?: Date;
  readonly issueInstant?: Date;
  readonly notBefore?: Date | null;
  readonly notOnOrAfter?: Date | null;
  readonly subjectNotOnOrAfter?: Date | null;
  readonly audience?: string;
  readonly recipient?: string | null;
  readonly destination?: string | null;
  readonly responseIssuer?: string | null;
  readonly assertionId?: string;
  /** Leave the Conditions element out of the assertion (before signing, so the signature holds). */
  readonly omitConditions?: boolean;
  /** What is signed (default: the assertion, as Okta and Entra do by default). */
  readonly sign?: 'assertion' | 'response' | 'both' | 'none';
  readonly signatureAlgorithm?: 'sha256' | 'sha1';
  readonly digestAlgorithm?: 'sha256' | 'sha1';
  /** Encrypt the (signed) assertion to this SP certificate. */
  readonly encrypt?: {
    readonly certificate: string;
    readonly data?: 'aes256-gcm' | 'aes128-gcm' | 'aes256-cbc' | 'aes128-cbc';
    readonly keyTransport?: 'rsa-oaep-mgf1p' | 'rsa-1_5';
    /** Changes the plaintext before it is encrypted (hostile content inside the encryption). */
    readonly plaintext?: (assertionXml: string) => string;
  };
}

const SIGNATURE = { sha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', sha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' } as const;
const DIGEST = { sha256: 'http://www.w3.org/2001/04/xmlenc#sha256', sha1: 'http://www.w3.org/2000/09/xmldsig#sha1' } as const;
const DATA = {
  'aes256-gcm': 'http://www.w3.org/2009/xmlenc11#aes256-gcm', 'aes128-gcm': 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc', 'aes128-cbc': 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
} as const;
const KEY_TRANSPORT = { 'rsa-oaep-mgf1p': 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', 'rsa-1_5': 'http://www.w3.org/2001/04/xmlenc#rsa-1_5' } as const;

const shapes = new Map<Shape, string>();
function shape(name: Shape): string {
  let xml = shapes.get(name);
  if (!xml) {
    xml = fs.readFileSync(new URL(`./shapes/${name}-response.xml`, import.meta.url), 'utf8').trim();
    shapes.set(name, xml);
  }
  return xml;
}

export const newSamlId = (): string => `_${randomBytes(16).toString('hex')}`;
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Fills a shape; a null value removes the attribute that holds its placeholder. */
export function fill(template: string, values: Record<string, string | null>): string {
  let xml = template;
  for (const [name, value] of Object.entries(values)) {
    xml = value === null
      ? xml.replace(new RegExp(` [\\w:]+="\\{\\{${name}\\}\\}"`, 'g'), '')
      : xml.split(`{{${name}}}`).join(xmlText(value));
  }
  return xml;
}

/** Signs the element matched by `localName` (enveloped, exclusive c14n), signature after its Issuer. */
export function signElement(xml: string, localName: 'Assertion' | 'Response', key: TestKey, algorithm: 'sha256' | 'sha1' = 'sha256', digest: 'sha256' | 'sha1' = 'sha256'): string {
  const sig = new SignedXml({ privateKey: key.key, publicCert: key.cert, signatureAlgorithm: SIGNATURE[algorithm], canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#' });
  const target = `/*[local-name(.)='Response']${localName === 'Assertion' ? "/*[local-name(.)='Assertion']" : ''}`;
  sig.addReference({ xpath: target, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'], digestAlgorithm: DIGEST[digest] });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

async function encryptAssertion(xml: string, options: NonNullable<MintOptions['encrypt']>): Promise<string> {
  const start = xml.search(/<(\w+:)?Assertion[\s>]/);
  const endTag = /<\/(\w+:)?Assertion>/.exec(xml)!;
  const end = endTag.index + endTag[0].length;
  let assertion = xml.slice(start, end);
  // The assertion leaves its parent: carry the namespace declarations it inherits.
  if (!/xmlns(:\w+)?="urn:oasis:names:tc:SAML:2.0:assertion"/.test(assertion.slice(0, assertion.indexOf('>')))) {
    assertion = assertion.replace(/^<(\w+:)?Assertion/, (m, p: string | undefined) => `${m} xmlns${p ? `:${p.slice(0, -1)}` : ''}="urn:oasis:names:tc:SAML:2.0:assertion"`);
  }
  if (options.plaintext) assertion = options.plaintext(assertion);
  const encrypted = await new Promise<string>((resolve, reject) => xmlenc.encrypt(assertion, {
    rsa_pub: options.certificate, pem: options.certificate,
    encryptionAlgorithm: DATA[options.data ?? 'aes256-gcm'], keyEncryptionAlgorithm: KEY_TRANSPORT[options.keyTransport ?? 'rsa-oaep-mgf1p'],
    disallowEncryptionWithInsecureAlgorithm: false, warnInsecureAlgorithm: false,
  }, (error, result) => (error ? reject(error) : resolve(result))));
  return `${xml.slice(0, start)}<saml2:EncryptedAssertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">${encrypted}</saml2:EncryptedAssertion>${xml.slice(end)}`;
}

/** A complete response XML. */
export async function mintResponse(o: MintOptions): Promise<string> {
  const now = o.now ?? new Date();
  const later = (ms: number) => new Date(now.getTime() + ms);
  const at = (d: Date | null | undefined, fallback: Date): string | null => (d === null ? null : iso(d ?? fallback));
  let xml = fill(shape(o.shape ?? 'okta'), {
    RESPONSE_ID: newSamlId(), ASSERTION_ID: o.assertionId ?? newSamlId(), SESSION_INDEX: newSamlId(),
    ISSUE_INSTANT: iso(o.issueInstant ?? now), IN_RESPONSE_TO: o.inResponseTo,
    DESTINATION: o.destination === undefined ? o.acsUrl : o.destination, RECIPIENT: o.recipient === undefined ? o.acsUrl : o.recipient,
    RESPONSE_ISSUER: o.responseIssuer === undefined ? o.issuer : o.responseIssuer, ISSUER: o.issuer, AUDIENCE: o.audience ?? o.spEntityId,
    NOT_BEFORE: at(o.notBefore, later(-60_000)), NOT_ON_OR_AFTER: at(o.notOnOrAfter, later(5 * 60_000)),
    SUBJECT_NOT_ON_OR_AFTER: at(o.subjectNotOnOrAfter, later(5 * 60_000)),
    NAME_ID: o.nameId ?? o.email, EMAIL: o.email, GIVEN_NAME: o.givenName ?? 'Alex', FAMILY_NAME: o.familyName ?? 'Example',
  });
  // responseIssuer null: the response carries no Issuer element (it is optional there).
  xml = xml.replace(/<(\w+:)?Issuer[^>]*>\{\{RESPONSE_ISSUER\}\}<\/(\w+:)?Issuer>/, '');
  if (o.omitConditions) xml = xml.replace(/<(\w+:)?Conditions[\s>][\s\S]*?<\/(\w+:)?Conditions>/, '');
  const sign = o.sign ?? 'assertion';
  if (sign === 'assertion' || sign === 'both') xml = signElement(xml, 'Assertion', o.key, o.signatureAlgorithm, o.digestAlgorithm);
  if (o.encrypt) xml = await encryptAssertion(xml, o.encrypt);
  if (sign === 'response' || sign === 'both') xml = signElement(xml, 'Response', o.key, o.signatureAlgorithm, o.digestAlgorithm);
  return xml;
}

export const encodeResponse = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
