/**
 * Hostile SAML responses, each named by what is wrong with it, built from a validly signed
 * response at test time (fresh timestamps, so only the named defect can make it fail). The XML
 * signature wrapping variants follow Somorovsky et al., "On Breaking SAML" (USENIX Security 2012),
 * XSW1-XSW8. Test-only.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (doc: Document): string => new XMLSerializer().serializeToString(doc);

function first(root: Element | Document, ns: string, localName: string): Element {
  const found = root.getElementsByTagNameNS(ns, localName)[0];
  if (!found) throw new Error(`no ${localName}`);
  return found;
}

const directChild = (parent: Element, ns: string, localName: string): Element | undefined => {
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).namespaceURI === ns && (c as Element).localName === localName) return c as Element;
  }
  return undefined;
};

/** A copy of the signed assertion that names `evilEmail` instead, with a new ID, unsigned. */
function evilAssertion(original: Element, evilEmail: string, options: { keepSignature?: boolean; keepId?: boolean } = {}): Element {
  const evil = original.cloneNode(true) as Element;
  if (!options.keepId) evil.setAttribute('ID', `_evil${Math.random().toString(16).slice(2)}`);
  const nameId = first(evil, ASSERTION_NS, 'NameID');
  nameId.textContent = evilEmail;
  const values = evil.getElementsByTagNameNS(ASSERTION_NS, 'AttributeValue');
  for (let i = 0; i < values.length; i++) if ((values[i]!.textContent ?? '').includes('@')) values[i]!.textContent = evilEmail;
  if (!options.keepSignature) {
    const sig = directChild(evil, DSIG_NS, 'Signature');
    if (sig) evil.removeChild(sig);
  }
  return evil;
}

function withoutSignature(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  const sig = directChild(copy, DSIG_NS, 'Signature');
  if (sig) copy.removeChild(sig);
  return copy;
}

type Wrap = (signedXml: string, evilEmail: string) => string;

function onAssertion(fn: (doc: Document, response: Element, original: Element, evilEmail: string) => void): Wrap {
  return (signedXml, evilEmail) => {
    const doc = parse(signedXml);
    const response = doc.documentElement!;
    fn(doc, response, first(doc, ASSERTION_NS, 'Assertion'), evilEmail);
    return serialize(doc);
  };
}

/** XSW1/XSW2: an evil clone of the response takes its place; `place` puts the signed original inside it. */
function evilResponseAround(signedXml: string, evilEmail: string, place: (evil: Element, sig: Element, original: Node) => void): string {
  const doc = parse(signedXml);
  const original = doc.documentElement!;
  const evil = original.cloneNode(true) as Element;
  evil.setAttribute('ID', '_evilresponse');
  const assertion = first(evil, ASSERTION_NS, 'Assertion');
  evil.replaceChild(evilAssertion(assertion, evilEmail), assertion);
  place(evil, directChild(evil, DSIG_NS, 'Signature')!, withoutSignature(original));
  doc.replaceChild(evil, original);
  return serialize(doc);
}

/** Signature wrapping of a signed assertion, and of a signed response (XSW1, XSW2: mint with `sign: 'both'`). */
export const WRAPPING: Readonly<Record<string, Wrap>> = {
  // XSW1: a new (unsigned) response around a copy of the signature, the signed response inside the signature.
  'xsw1-response-clone-inside-signature': (signedXml, evilEmail) =>
    evilResponseAround(signedXml, evilEmail, (evil, sig, original) => sig.appendChild(original)),
  // XSW2: as XSW1, the signed response placed before the signature (detached).
  'xsw2-response-clone-before-signature': (signedXml, evilEmail) =>
    evilResponseAround(signedXml, evilEmail, (evil, sig, original) => evil.insertBefore(original, sig)),
  // XSW3: an evil assertion before the signed one.
  'xsw3-evil-assertion-before-signed': onAssertion((doc, response, original, evilEmail) => {
    response.insertBefore(evilAssertion(original, evilEmail), original);
  }),
  // XSW4: the signed assertion moved inside the evil one.
  'xsw4-signed-assertion-inside-evil': onAssertion((doc, response, original, evilEmail) => {
    const evil = evilAssertion(original, evilEmail);
    response.replaceChild(evil, original);
    evil.appendChild(original);
  }),
  // XSW5: the evil assertion carries the copied signature; the original (unsigned) is appended at the end.
  'xsw5-copied-signature-original-appended': onAssertion((doc, response, original, evilEmail) => {
    const evil = evilAssertion(original, evilEmail, { keepSignature: true });
    response.replaceChild(evil, original);
    response.appendChild(withoutSignature(original));
  }),
  // XSW6: the evil assertion carries the copied signature; the original sits inside that signature.
  'xsw6-original-inside-copied-signature': onAssertion((doc, response, original, evilEmail) => {
    const evil = evilAssertion(original, evilEmail, { keepSignature: true });
    response.replaceChild(evil, original);
    directChild(evil, DSIG_NS, 'Signature')!.appendChild(withoutSignature(original));
  }),
  // XSW7: the signed assertion hidden in an Extensions element; the evil one in its place.
  'xsw7-signed-assertion-in-extensions': onAssertion((doc, response, original, evilEmail) => {
    const extensions = doc.createElementNS(PROTOCOL_NS, 'samlp:Extensions');
    response.insertBefore(extensions, response.firstChild);
    response.replaceChild(evilAssertion(original, evilEmail), original);
    extensions.appendChild(original);
  }),
  // XSW8: the evil assertion carries the copied signature with an Object holding the original.
  'xsw8-original-in-signature-object': onAssertion((doc, response, original, evilEmail) => {
    const evil = evilAssertion(original, evilEmail, { keepSignature: true });
    response.replaceChild(evil, original);
    const object = doc.createElementNS(DSIG_NS, 'ds:Object');
    object.appendChild(withoutSignature(original));
    directChild(evil, DSIG_NS, 'Signature')!.appendChild(object);
  }),
  // Two elements with the signed ID: the evil copy first, the signed one after it.
  'duplicate-assertion-id': onAssertion((doc, response, original, evilEmail) => {
    response.insertBefore(evilAssertion(original, evilEmail, { keepId: true }), original);
  }),
};

/** The signed assertion with its email changed after signing. */
export function tamperedAfterSigning(signedXml: string, fromEmail: string, toEmail: string): string {
  return signedXml.split(fromEmail).join(toEmail);
}

/** A comment inserted into the NameID and the email attribute after signing (c14n drops comments). */
export function commentInNameId(signedXml: string, email: string, at: number): string {
  return signedXml.split(`>${email}<`).join(`>${email.slice(0, at)}<!---->${email.slice(at)}<`);
}

/** A response with a DOCTYPE declaring an external entity (XXE) used in the NameID. */
export function doctypeXxe(signedXml: string): string {
  return signedXml.replace(/^(<\?xml[^>]*\?>)?/, '$1<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(/(<(\w+:)?NameID[^>]*>)/, '$1&xxe;');
}

/** The "billion laughs" entity expansion bomb. */
export function entityBomb(signedXml: string): string {
  const entities = ['<!ENTITY l0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)].join('');
  return signedXml.replace(/^(<\?xml[^>]*\?>)?/, `$1<!DOCTYPE r [${entities}]>`).replace(/(<(\w+:)?NameID[^>]*>)/, '$1&l9;');
}

/** `depth` nested elements inside an attribute value of a signed response (breaks its signature too). */
export function deeplyNested(signedXml: string, depth: number): string {
  const open = '<x>'.repeat(depth);
  const close = '</x>'.repeat(depth);
  return signedXml.replace(/(<\/(\w+:)?Status>)/, `$1<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${open}${close}</samlp:Extensions>`);
}

/** Padding inside the response until it is `bytes` long. */
export function oversized(signedXml: string, bytes: number): string {
  const pad = `<!--${'x'.repeat(Math.max(0, bytes - signedXml.length))}-->`;
  return signedXml.replace(/(<\/(\w+:)?Status>)/, `$1${pad}`);
}

/**
 * A response whose status is not Success (`Requester`, with `RequestDenied` as second-level code)
 * that still carries the validly signed assertion: the status is outside the assertion's signature.
 */
export function statusNotSuccess(signedXml: string, topLevel = 'Requester', second: string | null = 'RequestDenied'): string {
  const doc = parse(signedXml);
  const code = first(doc, PROTOCOL_NS, 'StatusCode');
  code.setAttribute('Value', `urn:oasis:names:tc:SAML:2.0:status:${topLevel}`);
  if (second !== null) {
    const inner = doc.createElementNS(PROTOCOL_NS, `${code.prefix ? `${code.prefix}:` : ''}StatusCode`);
    inner.setAttribute('Value', `urn:oasis:names:tc:SAML:2.0:status:${second}`);
    code.appendChild(inner);
  }
  return serialize(doc);
}

/**
 * The signed assertion left in place and a second, unsigned assertion naming `evilEmail` put in
 * `samlp:Extensions` at the top of the response (a library that reads "the" assertion by a
 * document-wide search may read this one).
 */
export function unsignedAssertionInExtensions(signedXml: string, evilEmail: string): string {
  const doc = parse(signedXml);
  const response = doc.documentElement!;
  const extensions = doc.createElementNS(PROTOCOL_NS, 'samlp:Extensions');
  extensions.appendChild(evilAssertion(first(doc, ASSERTION_NS, 'Assertion'), evilEmail));
  const issuer = directChild(response, ASSERTION_NS, 'Issuer');
  response.insertBefore(extensions, issuer ? issuer.nextSibling : response.firstChild);
  return serialize(doc);
}

/** A second, unsigned assertion appended after the signed one, directly in the response. */
export function unsignedAssertionAppended(signedXml: string, evilEmail: string): string {
  const doc = parse(signedXml);
  doc.documentElement!.appendChild(evilAssertion(first(doc, ASSERTION_NS, 'Assertion'), evilEmail));
  return serialize(doc);
}
