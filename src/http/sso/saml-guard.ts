/**
 * Checks on a posted SAMLResponse made before any XML library sees it, each cheap and linear so
 * that hostile input is refused in milliseconds: size, no DOCTYPE (no DTD, entities or XXE),
 * bounded nesting and element count, then a DOM parse for duplicate IDs (signature wrapping),
 * the root element, a Success status, exactly one assertion anywhere (plain or encrypted) with its
 * Conditions, and the algorithms in use (no SHA-1 unless allowed; encrypted assertions
 * only with AES-GCM and RSA-OAEP); the plaintext of an encrypted assertion gets the same checks.
 */
// xmldom's types are the DOM's (lib.dom), so Document and Element are the global ones.
import { DOMParser } from '@xmldom/xmldom';
import * as xmlenc from 'xml-encryption';
import {
  decideAssertionConditions, decideResponseAlgorithms, decideResponseShape, type ResponseAlgorithms,
} from '../../rules/sso-response.js';
import { SsoRejected } from './rejected.js';

/** Largest accepted body (the form) and decoded XML. */
export const MAX_SAML_BYTES = 256 * 1024;
/** Deepest element nesting accepted; real responses stay under 15. */
export const MAX_XML_DEPTH = 32;
/** Most elements accepted; real responses have a few hundred at most. */
export const MAX_XML_ELEMENTS = 4000;

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';

const isAssertion = (el: Element): boolean => el.namespaceURI === ASSERTION && (el.localName === 'Assertion' || el.localName === 'EncryptedAssertion');

function directChild(parent: Element, ns: string, localName: string): Element | undefined {
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).namespaceURI === ns && (c as Element).localName === localName) return c as Element;
  }
  return undefined;
}

/** S3: an assertion states its Conditions (checked before node-saml, which crashes without them). */
function guardConditions(assertion: Element): void {
  const decision = decideAssertionConditions(directChild(assertion, ASSERTION, 'Conditions') !== undefined);
  if (decision.kind === 'reject') throw new SsoRejected(decision.reason);
}

/**
 * Depth and element count in one pass, aware of quotes, comments, CDATA and processing
 * instructions, without building anything.
 */
export function measureXml(xml: string): { depth: number; elements: number } {
  let depth = 0;
  let max = 0;
  let elements = 0;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    const next = xml[lt + 1];
    if (xml.startsWith('<!--', lt)) { i = end(xml, '-->', lt + 4); continue; }
    if (xml.startsWith('<![CDATA[', lt)) { i = end(xml, ']]>', lt + 9); continue; }
    if (next === '?' || next === '!') { i = end(xml, '>', lt + 2); continue; }
    // Scan to the tag's closing '>' outside quotes.
    let j = lt + 1;
    let quote: string | null = null;
    for (; j < n; j++) {
      const c = xml[j];
      if (quote) { if (c === quote) quote = null; } else if (c === '"' || c === "'") quote = c; else if (c === '>') break;
    }
    if (next === '/') depth--;
    else {
      elements++;
      if (xml[j - 1] !== '/') {
        depth++;
        if (depth > max) max = depth;
      }
    }
    if (depth > MAX_XML_DEPTH || elements > MAX_XML_ELEMENTS) return { depth: Math.max(max, depth), elements };
    i = j + 1;
  }
  return { depth: max, elements };
}

function end(xml: string, marker: string, from: number): number {
  const at = xml.indexOf(marker, from);
  return at < 0 ? xml.length : at + marker.length;
}

function* walk(node: Element): Generator<Element> {
  yield node;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1) yield* walk(child as Element);
  }
}

/** Parses with errors as exceptions (xmldom reports them through callbacks). */
export function parseXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    locator: {},
    errorHandler: { warning: () => undefined, error: (m: string) => { problems.push(m); }, fatalError: (m: string) => { problems.push(m); } },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !doc.documentElement) throw new SsoRejected(`XML does not parse: ${problems[0] ?? 'no root element'}`);
  return doc;
}

/** DOCTYPE, depth and element count: the checks any XML gets before it is parsed. */
function guardXmlText(xml: string, what: string): void {
  // No DTD at all: refuses XXE, entity expansion ("billion laughs") and DTD-based ID tricks.
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml)) throw new SsoRejected(`DOCTYPE refused in ${what}`);
  const { depth, elements } = measureXml(xml);
  if (depth > MAX_XML_DEPTH) throw new SsoRejected(`${what} nested deeper than ${MAX_XML_DEPTH}`);
  if (elements > MAX_XML_ELEMENTS) throw new SsoRejected(`more than ${MAX_XML_ELEMENTS} XML elements in ${what}`);
}

/**
 * An encrypted assertion is decrypted once here and its plaintext gets the same checks: anyone can
 * encrypt to our (public) SP certificate, and node-saml parses the plaintext before it checks the
 * signature inside it.
 */
export async function guardEncryptedAssertions(doc: Document, spPrivateKey: string): Promise<void> {
  const encrypted = doc.documentElement!.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'EncryptedAssertion');
  for (let i = 0; i < encrypted.length; i++) {
    const plaintext = await new Promise<string>((resolve, reject) => xmlenc.decrypt(encrypted[i]!.toString(), {
      key: spPrivateKey, disallowDecryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false,
    }, (error, result) => (error ? reject(new SsoRejected(`encrypted assertion does not decrypt: ${error.message}`)) : resolve(result))));
    if (plaintext.length > MAX_SAML_BYTES) throw new SsoRejected('decrypted assertion too large');
    guardXmlText(plaintext, 'the encrypted assertion');
    // The plaintext is the one assertion: nothing more may hide inside it.
    const root = parseXml(plaintext).documentElement!;
    const inside = [...walk(root)].filter(isAssertion).length;
    if (root.localName !== 'Assertion' || root.namespaceURI !== ASSERTION || inside !== 1) {
      throw new SsoRejected(`assertion_count: the encrypted assertion holds ${inside} assertions, exactly one allowed`);
    }
    guardConditions(root);
  }
}

/** Decodes and checks a posted SAMLResponse; returns the parsed document of the raw response. */
export function guardSamlResponse(body: unknown, allowSha1: boolean): { xml: string; doc: Document } {
  const encoded = (body as Record<string, unknown> | undefined)?.SAMLResponse;
  if (typeof encoded !== 'string' || encoded.length === 0) throw new SsoRejected('no SAMLResponse field');
  if (encoded.length > MAX_SAML_BYTES * 1.4) throw new SsoRejected('SAMLResponse too large');
  if (!/^[A-Za-z0-9+/=\r\n]+$/.test(encoded)) throw new SsoRejected('SAMLResponse is not base64');
  const xml = Buffer.from(encoded, 'base64').toString('utf8');
  if (xml.length > MAX_SAML_BYTES) throw new SsoRejected('decoded response too large');
  guardXmlText(xml, 'the response');
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  if (root.localName !== 'Response' || root.namespaceURI !== PROTOCOL) throw new SsoRejected('root element is not samlp:Response');

  const ids = new Set<string>();
  const assertions: Element[] = [];
  const found: { signature: string[]; digest: string[]; encryption: string[]; keyTransport: string[] } = { signature: [], digest: [], encryption: [], keyTransport: [] };
  for (const el of walk(root)) {
    if (isAssertion(el)) assertions.push(el);
    for (const attr of ['ID', 'Id', 'id']) {
      const value = el.getAttribute(attr);
      if (value === null || value === '') continue;
      // Signature wrapping relies on two elements answering to one reference.
      if (ids.has(value)) throw new SsoRejected(`duplicate ID ${JSON.stringify(value)}`);
      ids.add(value);
    }
    const algorithm = el.getAttribute('Algorithm') ?? '';
    const parent = el.parentNode as Element | null;
    if (el.namespaceURI === DSIG && el.localName === 'SignatureMethod') found.signature.push(algorithm);
    else if (el.namespaceURI === DSIG && el.localName === 'DigestMethod' && parent?.localName === 'Reference') found.digest.push(algorithm);
    else if (el.namespaceURI === XMLENC && el.localName === 'EncryptionMethod') {
      (parent?.localName === 'EncryptedKey' ? found.keyTransport : found.encryption).push(algorithm);
    }
  }
  const status = directChild(root, PROTOCOL, 'Status');
  const statusCode = status && directChild(status, PROTOCOL, 'StatusCode');
  const shape = decideResponseShape({ statusCode: statusCode?.getAttribute('Value') ?? null, assertions: assertions.length });
  if (shape.kind === 'reject') throw new SsoRejected(shape.reason);
  const only = assertions[0]!;
  if (only.localName === 'Assertion') guardConditions(only);
  const algorithms: ResponseAlgorithms = found;
  const decision = decideResponseAlgorithms(algorithms, allowSha1);
  if (decision.kind === 'reject') throw new SsoRejected(decision.reason);
  return { xml, doc };
}
