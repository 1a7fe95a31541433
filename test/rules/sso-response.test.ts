import { describe, expect, it } from '@jest/globals';
import { decideResponseAlgorithms, decideSamlResponse, type SamlResponseFacts } from '../../src/rules/sso-response.js';

const ACS = 'https://orgward.test/sso/saml/c1/acs';
const NOW = new Date('2026-01-01T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

const facts = (over: Partial<SamlResponseFacts> = {}): SamlResponseFacts => ({
  expectedIssuer: 'https://idp.test', assertionIssuer: 'https://idp.test', responseIssuer: 'https://idp.test', acsUrl: ACS,
  destination: ACS, responseInResponseTo: '_req1',
  confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: later(60_000), inResponseTo: '_req1' }],
  allowIdpInitiated: false, now: NOW, clockSkewMs: 30_000, ...over,
});

describe('decideSamlResponse (S3, S8)', () => {
  it('R-S3: a response answering our request is solicited', () => {
    expect(decideSamlResponse(facts())).toEqual({ kind: 'solicited', requestId: '_req1', notOnOrAfter: later(60_000) });
  });

  it('R-S3: Destination and the response Issuer are optional', () => {
    expect(decideSamlResponse(facts({ destination: null, responseIssuer: null })).kind).toBe('solicited');
  });

  it.each<[string, Partial<SamlResponseFacts>, RegExp]>([
    ['another assertion issuer', { assertionIssuer: 'https://evil.test' }, /assertion issuer/],
    ['no assertion issuer', { assertionIssuer: null }, /assertion issuer/],
    ['another response issuer', { responseIssuer: 'https://evil.test' }, /response issuer/],
    ['another destination', { destination: 'https://evil.test/acs' }, /destination/],
    ['no bearer confirmation', { confirmations: [] }, /no bearer/],
    ['another recipient', { confirmations: [{ recipient: 'https://evil.test/acs', notBefore: null, notOnOrAfter: later(60_000), inResponseTo: '_req1' }] }, /recipient/],
    ['no NotOnOrAfter', { confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: null, inResponseTo: '_req1' }] }, /without NotOnOrAfter/],
    ['an expired confirmation', { confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: later(-30_000), inResponseTo: '_req1' }] }, /expired/],
    ['a confirmation not yet valid', { confirmations: [{ recipient: ACS, notBefore: later(31_000), notOnOrAfter: later(60_000), inResponseTo: '_req1' }] }, /not yet valid/],
    ['envelope and assertion answering different requests', { responseInResponseTo: '_req2' }, /differ/],
    ['an unsigned InResponseTo only on the envelope', { confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: later(60_000), inResponseTo: null }] }, /does not answer/],
    ['an unsolicited response on a connection that does not allow it', {
      responseInResponseTo: null, confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: later(60_000), inResponseTo: null }],
    }, /IdP-initiated/],
    ['confirmations answering different requests', {
      confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: later(60_000), inResponseTo: '_req1' }, { recipient: ACS, notBefore: null, notOnOrAfter: later(60_000), inResponseTo: '_req2' }],
    }, /disagree/],
  ])('R-S3: %s is refused', (_name, over, reason) => {
    const decision = decideSamlResponse(facts(over));
    expect(decision).toMatchObject({ kind: 'reject', code: 'sso_response_invalid' });
    expect(decision.kind === 'reject' && decision.reason).toMatch(reason);
    expect(decision.kind === 'reject' && decision.message).not.toMatch(/issuer|recipient|InResponseTo/i);
  });

  it('R-S3: the clock skew is allowed on both ends, and not more', () => {
    const at = (notOnOrAfter: Date, notBefore: Date | null = null) => decideSamlResponse(facts({ confirmations: [{ recipient: ACS, notBefore, notOnOrAfter, inResponseTo: '_req1' }] })).kind;
    expect(at(later(-29_999))).toBe('solicited');
    expect(at(later(-30_000))).toBe('reject');
    expect(at(later(60_000), later(30_000))).toBe('solicited');
    expect(at(later(60_000), later(30_001))).toBe('reject');
  });

  it('R-S8: an unsolicited response is accepted only where allowed', () => {
    const unsolicited = facts({ allowIdpInitiated: true, responseInResponseTo: null, confirmations: [{ recipient: ACS, notBefore: null, notOnOrAfter: later(60_000), inResponseTo: null }] });
    expect(decideSamlResponse(unsolicited)).toEqual({ kind: 'unsolicited', notOnOrAfter: later(60_000) });
  });
});

describe('decideResponseAlgorithms', () => {
  const none = { signature: [], digest: [], encryption: [], keyTransport: [] };
  const sha256 = { ...none, signature: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'], digest: ['http://www.w3.org/2001/04/xmlenc#sha256'] };

  it('accepts RSA-SHA256 with SHA-256 digests, and AES-GCM with RSA-OAEP', () => {
    expect(decideResponseAlgorithms(sha256, false).kind).toBe('allow');
    expect(decideResponseAlgorithms({ ...sha256, encryption: ['http://www.w3.org/2009/xmlenc11#aes256-gcm'], keyTransport: ['http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p'] }, false).kind).toBe('allow');
  });

  it.each([
    ['an RSA-SHA1 signature', { ...sha256, signature: ['http://www.w3.org/2000/09/xmldsig#rsa-sha1'] }],
    ['a SHA-1 digest', { ...sha256, digest: ['http://www.w3.org/2000/09/xmldsig#sha1'] }],
  ])('refuses %s unless SHA-1 is allowed', (_name, algorithms) => {
    expect(decideResponseAlgorithms(algorithms, false)).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/SHA-1/) });
    expect(decideResponseAlgorithms(algorithms, true).kind).toBe('allow');
  });

  it.each([
    ['AES-CBC', { ...sha256, encryption: ['http://www.w3.org/2001/04/xmlenc#aes256-cbc'] }],
    ['Triple DES', { ...sha256, encryption: ['http://www.w3.org/2001/04/xmlenc#tripledes-cbc'] }],
    ['RSA PKCS#1 v1.5 key transport', { ...sha256, encryption: ['http://www.w3.org/2009/xmlenc11#aes128-gcm'], keyTransport: ['http://www.w3.org/2001/04/xmlenc#rsa-1_5'] }],
  ])('refuses %s, even where SHA-1 is allowed', (_name, algorithms) => {
    expect(decideResponseAlgorithms(algorithms, true).kind).toBe('reject');
  });
});
