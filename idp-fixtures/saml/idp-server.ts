/**
 * A SAML identity provider on 127.0.0.1, port 0, for browser tests and HTTP tests that walk a real
 * redirect: it serves its metadata (`/metadata`), takes the SP's AuthnRequest at `/sso`
 * (HTTP-Redirect binding), and answers with a page holding the signed response in a form that
 * posts to the ACS URL the request named (HTTP-POST binding), with a "Continue" button: no script,
 * so a test clicks it as a person would. The response is minted by mint.ts (an Okta-shaped
 * response unless `shape` says otherwise) for the person chosen with `nextLogin`. Test-only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { IDP_A_KEY, type TestKey } from '../keys.js';
import { encodeResponse, mintResponse, type Shape } from './mint.js';

export interface TestSamlUser { readonly email: string; readonly givenName?: string; readonly familyName?: string }

export interface TestSamlIdp {
  readonly entityId: string;
  /** Where the SP sends AuthnRequests (HTTP-Redirect). */
  readonly ssoUrl: string;
  readonly metadataUrl: string;
  /** The IdP's metadata: entityID, the HTTP-Redirect SingleSignOnService and the signing certificate. */
  readonly metadataXml: string;
  /** The person the next AuthnRequest signs in. */
  nextLogin(user: TestSamlUser): void;
  close(): Promise<void>;
}

const der = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** IdP metadata XML for `entityId`, signing with `cert`, taking requests at `ssoUrl`. */
export function idpMetadataXml(entityId: string, ssoUrl: string, cert: string): string {
  return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${attr(entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${attr(ssoUrl)}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

/** The ID, ACS URL and Issuer (the SP's entity ID) of a deflated, base64 AuthnRequest. */
export function readAuthnRequest(encoded: string): { id: string; acsUrl: string; spEntityId: string } {
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  return {
    id: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '',
    acsUrl: /\sAssertionConsumerServiceURL="([^"]+)"/.exec(xml)?.[1] ?? '',
    spEntityId: /<(?:\w+:)?Issuer[^>]*>([^<]+)<\/(?:\w+:)?Issuer>/.exec(xml)?.[1] ?? '',
  };
}

export async function startSamlIdp(options: { key?: TestKey; shape?: Shape } = {}): Promise<TestSamlIdp> {
  const key = options.key ?? IDP_A_KEY;
  let user: TestSamlUser = { email: 'someone@example.test' };
  const late: { base?: string } = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', late.base);
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.metadataXml);
      return;
    }
    if (url.pathname !== '/sso' || !url.searchParams.get('SAMLRequest')) {
      res.writeHead(404).end('not found');
      return;
    }
    const request = readAuthnRequest(url.searchParams.get('SAMLRequest')!);
    const relayState = url.searchParams.get('RelayState');
    mintResponse({
      shape: options.shape ?? 'okta', issuer: idp.entityId, key, spEntityId: request.spEntityId, acsUrl: request.acsUrl,
      inResponseTo: request.id, email: user.email, givenName: user.givenName ?? 'Test', familyName: user.familyName ?? 'User',
    }).then((xml) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><title>Test IdP</title></head><body>
<h1>Test IdP</h1><p>Signing in <strong>${attr(user.email)}</strong> to ${attr(request.spEntityId)}.</p>
<form method="post" action="${attr(request.acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${attr(encodeResponse(xml))}">
${relayState !== null ? `<input type="hidden" name="RelayState" value="${attr(relayState)}">` : ''}
<button type="submit" id="continue">Continue</button></form></body></html>`);
    }, (error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  late.base = base;
  const idp: TestSamlIdp = {
    entityId: `${base}/entity`, ssoUrl: `${base}/sso`, metadataUrl: `${base}/metadata`,
    metadataXml: idpMetadataXml(`${base}/entity`, `${base}/sso`, key.cert),
    nextLogin(next) { user = next; },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return idp;
}
