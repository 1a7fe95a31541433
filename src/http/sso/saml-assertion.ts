/**
 * Reads the facts Orgward checks itself from the assertion node-saml verified (its signed bytes,
 * never the unsigned envelope), plus the envelope's Destination, InResponseTo and Issuer; and
 * turns the assertion into the protocol-free VerifiedIdentity.
 */
import type { BearerConfirmation } from '../../rules/sso-response.js';
import type { VerifiedIdentity } from '../../services/sso-types.js';
import { SsoRejected } from './rejected.js';
import { parseXml } from './saml-guard.js';

const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What the signed assertion says. */
export interface AssertionFacts {
  readonly id: string;
  readonly issueInstant: Date;
  readonly issuer: string | null;
  readonly nameId: string;
  readonly nameIdFormat: string | null;
  readonly confirmations: readonly BearerConfirmation[];
  readonly conditionsNotOnOrAfter: Date | null;
  /** S3: the assertion states its Conditions (time bounds and audience). */
  readonly hasConditions: boolean;
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

/** What the (possibly unsigned) envelope says. */
export interface EnvelopeFacts {
  readonly destination: string | null;
  readonly inResponseTo: string | null;
  readonly issuer: string | null;
}

const children = (el: Element, localName: string): Element[] => {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).localName === localName && (c as Element).namespaceURI === ASSERTION) out.push(c as Element);
  }
  return out;
};
const child = (el: Element, localName: string): Element | undefined => children(el, localName)[0];
// textContent concatenates every text node and skips comments, so "a<!---->b" reads "ab".
const text = (el: Element | undefined): string | null => (el ? (el.textContent ?? '').trim() : null);

function date(value: string | null, what: string): Date | null {
  if (value === null || value === '') return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new SsoRejected(`${what} is not a date`);
  return d;
}

export function readEnvelope(doc: Document): EnvelopeFacts {
  const root = doc.documentElement!;
  const attr = (name: string) => (root.hasAttribute(name) ? root.getAttribute(name) : null);
  return { destination: attr('Destination'), inResponseTo: attr('InResponseTo'), issuer: text(child(root, 'Issuer')) };
}

/** Parses the verified assertion XML (as returned by node-saml's profile.getAssertionXml()). */
export function readAssertion(verifiedXml: string): AssertionFacts {
  const root = parseXml(verifiedXml).documentElement!;
  if (root.localName !== 'Assertion' || root.namespaceURI !== ASSERTION) throw new SsoRejected('verified content is not an assertion');
  const id = root.getAttribute('ID');
  if (!id) throw new SsoRejected('assertion without ID');
  const issueInstant = date(root.getAttribute('IssueInstant'), 'IssueInstant');
  if (!issueInstant) throw new SsoRejected('assertion without IssueInstant');
  const subject = child(root, 'Subject');
  const nameIdEl = subject && child(subject, 'NameID');
  const nameId = text(nameIdEl);
  if (!subject || !nameIdEl || !nameId) throw new SsoRejected('assertion without NameID');
  const confirmations: BearerConfirmation[] = children(subject, 'SubjectConfirmation')
    .filter((c) => c.getAttribute('Method') === BEARER)
    .map((c) => {
      const data = child(c, 'SubjectConfirmationData');
      const get = (name: string) => (data && data.hasAttribute(name) ? data.getAttribute(name) : null);
      return {
        recipient: get('Recipient'), notBefore: date(get('NotBefore'), 'NotBefore'),
        notOnOrAfter: date(get('NotOnOrAfter'), 'NotOnOrAfter'), inResponseTo: get('InResponseTo'),
      };
    });
  const conditions = child(root, 'Conditions');
  const attributes = new Map<string, string[]>();
  for (const statement of children(root, 'AttributeStatement')) {
    for (const attribute of children(statement, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      attributes.set(name, children(attribute, 'AttributeValue').map((v) => text(v) ?? ''));
    }
  }
  return {
    id, issueInstant, issuer: text(child(root, 'Issuer')), nameId, nameIdFormat: nameIdEl.getAttribute('Format') || null,
    confirmations, conditionsNotOnOrAfter: date(conditions?.getAttribute('NotOnOrAfter') ?? null, 'Conditions NotOnOrAfter'),
    hasConditions: conditions !== undefined, attributes,
  };
}

// Attribute names of Okta, Entra ID, ADFS, Google and the SAML/LDAP OIDs, lower-cased.
const EMAIL = ['email', 'mail', 'emailaddress', 'user.email', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'urn:oid:0.9.2342.19200300.100.1.3'];
const GIVEN = ['firstname', 'givenname', 'given_name', 'user.firstname', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', 'urn:oid:2.5.4.42'];
const FAMILY = ['lastname', 'surname', 'sn', 'family_name', 'user.lastname', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', 'urn:oid:2.5.4.4'];
const DISPLAY = ['displayname', 'name', 'http://schemas.microsoft.com/identity/claims/displayname', 'urn:oid:2.16.840.1.113730.3.1.241'];
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

function pick(attributes: ReadonlyMap<string, readonly string[]>, names: readonly string[]): string | null {
  for (const [name, values] of attributes) {
    if (names.includes(name.toLowerCase()) && values.length === 1 && values[0]) return values[0].slice(0, 320);
  }
  return null;
}

/** S6: the identity is (issuer, NameID); the email comes from an email attribute or an email NameID. */
export function identityFrom(facts: AssertionFacts, connection: { connectionId: string; orgSid: string }): VerifiedIdentity {
  const email = pick(facts.attributes, EMAIL) ?? (facts.nameIdFormat === EMAIL_FORMAT || /^[^@\s]+@[^@\s]+$/.test(facts.nameId) ? facts.nameId : null);
  if (!email) throw new SsoRejected('no email attribute and the NameID is not an email address');
  return {
    connectionId: connection.connectionId, orgSid: connection.orgSid, protocol: 'saml', issuer: facts.issuer!, subject: facts.nameId, email, emailVerified: true,
    profile: { displayName: pick(facts.attributes, DISPLAY), givenName: pick(facts.attributes, GIVEN), familyName: pick(facts.attributes, FAMILY) },
  };
}
