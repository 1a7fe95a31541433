// S1: an untested connection signs nobody in but its own test; changing what it trusts needs a new test.
import { describe, expect, it } from '@jest/globals';
import { decideConnectionChange, decideConnectionUse, decideHomeRealm } from '../../src/rules/index.js';
import type { ConnectionSnapshot, ConnectionTrust, ConnectionUseInput } from '../../src/rules/index.js';
import { domain } from './builders.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-02T00:00:00Z');
const code = (d: { kind: string; code?: string }): string => (d.kind === 'reject' ? d.code ?? '' : d.kind);

describe('decideConnectionUse (S1)', () => {
  it.each<[string, ConnectionUseInput, string]>([
    ['a tested connection, sign-in', { connection: { enabled: true, testedAt: T1, updatedAt: T0 }, purpose: 'sign_in' }, 'allow'],
    ['a never tested connection, sign-in', { connection: { enabled: true, testedAt: null, updatedAt: T0 }, purpose: 'sign_in' }, 'sso_not_ready'],
    ['a never tested connection, its own test', { connection: { enabled: true, testedAt: null, updatedAt: T0 }, purpose: 'test' }, 'allow'],
    ['a connection changed after its test, sign-in', { connection: { enabled: true, testedAt: T0, updatedAt: T1 }, purpose: 'sign_in' }, 'sso_not_ready'],
    ['a disabled connection, even its test', { connection: { enabled: false, testedAt: T1, updatedAt: T0 }, purpose: 'test' }, 'sso_not_ready'],
  ])('R-S1: %s → %s', (_label, input, expected) => {
    expect(code(decideConnectionUse(input))).toBe(expected);
  });

  it('R-S1: the refusal names the command that fixes it', () => {
    const d = decideConnectionUse({ connection: { enabled: true, testedAt: null }, purpose: 'sign_in' });
    expect(d.kind === 'reject' && d.message).toMatch(/orgward sso test/);
  });
});

describe('decideConnectionChange (S1)', () => {
  const saml: ConnectionTrust = {
    idpCertificates: ['PEM-A'], idpEntityId: 'https://idp.test', ssoUrl: 'https://idp.test/sso', allowIdpInitiated: false, allowSha1: false,
  };
  const oidc: ConnectionTrust = { issuer: 'https://op.test', clientId: 'client-1' };
  it.each<[string, ConnectionTrust, ConnectionTrust, string[]]>([
    ['a new certificate', saml, { idpCertificates: ['PEM-B'] }, ['idpCertificates']],
    ['a second certificate added (rotation)', saml, { idpCertificates: ['PEM-A', 'PEM-B'] }, ['idpCertificates']],
    ['a new IdP entity ID (issuer)', saml, { idpEntityId: 'https://evil.test' }, ['idpEntityId']],
    ['a new SSO URL', saml, { ssoUrl: 'https://idp.test/other' }, ['ssoUrl']],
    ['IdP-initiated sign-in switched on', saml, { allowIdpInitiated: true }, ['allowIdpInitiated']],
    ['SHA-1 allowed', saml, { allowSha1: true }, ['allowSha1']],
    ['a new OIDC issuer', oidc, { issuer: 'https://evil-op.test' }, ['issuer']],
    ['a new OIDC client id', oidc, { clientId: 'client-2' }, ['clientId']],
  ])('R-S1: %s requires a new test', (_label, before, after, changed) => {
    expect(decideConnectionChange(before, after)).toEqual({ changed, resetsTest: true });
  });

  it.each<[string, ConnectionTrust, ConnectionTrust]>([
    ['nothing given', saml, {}],
    ['the same values again', saml, { ...saml, idpCertificates: ['PEM-A'] }],
    ['the same OIDC issuer and client', oidc, { ...oidc }],
  ])('R-S1: %s keeps the test', (_label, before, after) => {
    expect(decideConnectionChange(before, after)).toEqual({ changed: [], resetsTest: false });
  });
});

describe('decideHomeRealm with untested connections (S1, S2)', () => {
  const conn = (over: Partial<ConnectionSnapshot>): ConnectionSnapshot => ({ id: 'c1', enabled: true, testedAt: T1, updatedAt: T0, ...over });
  it('R-S1: an untested connection does not take the domain\'s sign-ins (password stays)', () => {
    expect(decideHomeRealm('x@corporate.com', domain(), [conn({ testedAt: null })])).toEqual({ kind: 'password' });
  });
  it('R-S1: a tested connection is chosen over an earlier untested one', () => {
    const d = decideHomeRealm('x@corporate.com', domain(), [conn({ id: 'c0', testedAt: null }), conn({ id: 'c1' })]);
    expect(d).toMatchObject({ kind: 'sso', connectionId: 'c1' });
  });
});
