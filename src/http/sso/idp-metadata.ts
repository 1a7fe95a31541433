/**
 * An IdP's SAML metadata (an md:EntityDescriptor) read into what a SAML connection needs: the
 * entityID, the HTTP-Redirect SingleSignOnService location and the signing certificates. The XML
 * gets the same guards as a SAMLResponse before any parser sees it (saml-guard.ts): bounded size,
 * no DOCTYPE (so no DTD, entities or XXE), bounded depth and element count. Every refusal is
 * `invalid_input` naming what to fix; the certificates are checked by the service (sso-input.ts).
 */
import { DomainError } from '../../errors.js';
import { measureXml, MAX_XML_DEPTH, MAX_XML_ELEMENTS, parseXml } from './saml-guard.js';
import { SsoRejected } from './rejected.js';

const METADATA = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
/** Metadata of one IdP stays far below this (a few certificates). */
export const MAX_METADATA_BYTES = 256 * 1024;

export interface IdpMetadata {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly certificates: readonly string[];
}

const bad = (message: string) => new DomainError('invalid_input', `IdP metadata: ${message}`, { details: { field: 'metadata_xml' } });

const children = (parent: Element, ns: string, localName: string): Element[] => {
  const found: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).namespaceURI === ns && (c as Element).localName === localName) found.push(c as Element);
  }
  return found;
};

/** A base64 DER certificate as PEM, 64 characters a line. */
const pem = (base64: string): string => `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

/** Reads the IdP's EntityDescriptor; throws invalid_input for anything else. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) throw bad(`larger than ${MAX_METADATA_BYTES / 1024} KiB.`);
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml)) throw bad('a DOCTYPE is not accepted (no DTDs or entities); export the metadata without one.');
  const { depth, elements } = measureXml(xml);
  if (depth > MAX_XML_DEPTH || elements > MAX_XML_ELEMENTS) throw bad('too deeply nested or too many elements for one IdP.');
  let doc: Document;
  try {
    doc = parseXml(xml);
  } catch (error) {
    if (error instanceof SsoRejected) throw bad('not well-formed XML.');
    throw error;
  }
  const root = doc.documentElement!;
  if (root.namespaceURI !== METADATA || root.localName !== 'EntityDescriptor') throw bad('the root element must be an md:EntityDescriptor of one IdP.');
  const entityId = root.getAttribute('entityID')?.trim() ?? '';
  if (entityId === '') throw bad('the EntityDescriptor has no entityID.');
  const [idp, ...more] = children(root, METADATA, 'IDPSSODescriptor');
  if (!idp || more.length > 0) throw bad('expected exactly one IDPSSODescriptor.');
  const redirect = children(idp, METADATA, 'SingleSignOnService').find((s) => s.getAttribute('Binding') === REDIRECT);
  const ssoUrl = redirect?.getAttribute('Location')?.trim() ?? '';
  if (ssoUrl === '') throw bad('no SingleSignOnService with the HTTP-Redirect binding.');
  const certificates = children(idp, METADATA, 'KeyDescriptor')
    .filter((k) => { const use = k.getAttribute('use'); return use === null || use === '' || use === 'signing'; })
    .flatMap((k) => children(k, DSIG, 'KeyInfo'))
    .flatMap((info) => children(info, DSIG, 'X509Data'))
    .flatMap((data) => children(data, DSIG, 'X509Certificate'))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter((b64) => b64 !== '');
  if (certificates.length === 0) throw bad('no signing certificate (KeyDescriptor use="signing" with an X509Certificate).');
  if (certificates.some((b64) => !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))) throw bad('a certificate is not base64.');
  return { entityId, ssoUrl, certificates: [...new Set(certificates)].map(pem) };
}
