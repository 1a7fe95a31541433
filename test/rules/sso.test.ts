import { describe, expect, it } from '@jest/globals';
import {
  decideEnforcement, decideHomeRealm, decideIdpInitiated, decidePasswordSignIn, decideRelayState, decideSsoDomain,
} from '../../src/rules/index.js';
import type { ConnectionSnapshot, DomainSnapshot, EnforcementInput, PasswordPath } from '../../src/rules/index.js';
import { ORG_A, ORG_B, domain } from './builders.js';

const code = (d: { kind: string; code?: string }): string => d.kind === 'reject' ? (d.code ?? '') : d.kind;
const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-01-02T00:00:00Z');
const conn = (over: Partial<ConnectionSnapshot> = {}): ConnectionSnapshot =>
  ({ id: 'c1', enabled: true, testedAt: T1, updatedAt: T0, ...over });

describe('decideEnforcement (S1)', () => {
  it.each<[string, EnforcementInput, string]>([
    ['an enabled, tested connection', { domainVerified: true, connections: [conn()] }, 'allow'],
    ['no connection', { domainVerified: true, connections: [] }, 'sso_not_ready'],
    ['a tested but disabled connection', { domainVerified: true, connections: [conn({ enabled: false })] }, 'sso_not_ready'],
    ['an enabled, never tested connection', { domainVerified: true, connections: [conn({ testedAt: null })] }, 'sso_not_ready'],
    ['a connection changed since its test', { domainVerified: true, connections: [conn({ testedAt: T0, updatedAt: T1 })] }, 'sso_not_ready'],
    ['a connection tested at the moment of its change', { domainVerified: true, connections: [conn({ testedAt: T1, updatedAt: T1 })] }, 'allow'],
    ['one ready among others', { domainVerified: true, connections: [conn({ enabled: false }), conn({ id: 'c2', updatedAt: null })] }, 'allow'],
    ['an unverified domain', { domainVerified: false, connections: [conn()] }, 'domain_not_verified'],
  ])('R-S1: %s → %s', (_label, input, expected) => {
    expect(code(decideEnforcement(input))).toBe(expected);
  });
});

describe('decideHomeRealm (S2)', () => {
  it.each<[string, string, DomainSnapshot | null, ConnectionSnapshot[], string]>([
    ['a verified domain with a connection', 'x@corporate.com', domain(), [conn({ enabled: false, id: 'c0' }), conn()], 'sso:c1'],
    ['a verified domain without connection', 'x@corporate.com', domain(), [], 'password'],
    ['an enforced domain without enabled connection', 'x@corporate.com', domain({ ssoEnforced: true }), [conn({ enabled: false })], 'sso_not_ready'],
    ['no verified domain', 'x@corporate.com', null, [], 'password'],
    ['an unverified domain', 'x@corporate.com', domain({ verified: false }), [conn()], 'password'],
    ['a subdomain email (D5)', 'x@stage.corporate.com', domain(), [conn()], 'password'],
  ])('R-S2: %s → %s', (_label, email, d, connections, expected) => {
    const r = decideHomeRealm(email, d, connections);
    expect(r.kind === 'sso' ? `sso:${r.connectionId}` : code(r)).toBe(expected);
  });

  it('R-S2: discovery names the organization and whether SSO is enforced', () => {
    expect(decideHomeRealm('x@corporate.com', domain({ ssoEnforced: true }), [conn()]))
      .toEqual({ kind: 'sso', orgSid: ORG_A, connectionId: 'c1', enforced: true });
  });
});

describe('decideSsoDomain (S4)', () => {
  it.each([
    ['x@corporate.com', ['corporate.com'], 'allow'],
    ['X@CORPORATE.COM', ['corporate.com'], 'allow'],
    ['x@stage.corporate.com', ['corporate.com'], 'sso_domain_mismatch'],
    ['x@corporate.com', ['stage.corporate.com'], 'sso_domain_mismatch'],
    ['x@other.com', ['corporate.com'], 'sso_domain_mismatch'],
    ['x@corporate.com', [], 'sso_domain_mismatch'],
    ['not-an-email', ['corporate.com'], 'sso_domain_mismatch'],
  ])('R-S4: %s against %p → %s', (email, domains, expected) => {
    expect(code(decideSsoDomain(email, domains))).toBe(expected);
  });
});

describe('decidePasswordSignIn (U5, S7)', () => {
  const enforced = domain({ ssoEnforced: true });
  it.each<[string, string, DomainSnapshot | null, string]>([
    ['an enforced domain', 'x@corporate.com', enforced, 'sso_required'],
    ['an enforced domain, upper-case email', 'X@Corporate.com', enforced, 'sso_required'],
    ['a verified domain without enforcement', 'x@corporate.com', domain(), 'allow'],
    ['an enforced but unverified domain', 'x@corporate.com', domain({ ssoEnforced: true, verified: false }), 'allow'],
    ['a subdomain of an enforced domain (D5)', 'x@stage.corporate.com', enforced, 'allow'],
    ['no verified domain', 'x@gmail.com', null, 'allow'],
    ['an enforced domain of another org', 'x@corporate.com', domain({ orgSid: ORG_B, ssoEnforced: true }), 'sso_required'],
  ])('R-U5: password sign-in on %s → %s', (_label, email, d, expected) => {
    expect(code(decidePasswordSignIn({ email, verifiedDomain: d }))).toBe(expected);
  });

  it.each<[PasswordPath, string]>([
    ['sign_in', 'Password sign-in is turned off'],
    ['password_reset', 'Passwords cannot be reset'],
    ['invitation_acceptance', 'accepted with single sign-on'],
  ])('R-S7: enforcement covers %s, and the message says to use SSO', (path, fragment) => {
    const d = decidePasswordSignIn({ email: 'x@corporate.com', verifiedDomain: enforced, path });
    expect(d).toMatchObject({ kind: 'reject', code: 'sso_required' });
    if (d.kind === 'reject') {
      expect(d.message).toContain(fragment);
      expect(d.message).toContain("organization's single sign-on");
    }
  });
});

describe('decideRelayState (S8)', () => {
  it.each([
    [undefined, 'none'],
    [null, 'none'],
    ['', 'none'],
    ['Ab3_-Ab3_-Ab3_-Ab', 'handle'],
    ['x'.repeat(128), 'handle'],
    ['x'.repeat(129), 'sso_response_invalid'],
    ['short', 'sso_response_invalid'],
    ['https://evil.example/after-login', 'sso_response_invalid'],
    ['//evil.example/xxxxxxxxxxxxxxx', 'sso_response_invalid'],
    ['/admin/accounts/xxxxxxxxxxxxxx', 'sso_response_invalid'],
    ['javascript:alert(1)xxxxxxxx', 'sso_response_invalid'],
    ['evil.example.xxxxxxxxxxxxxxxx', 'sso_response_invalid'],
  ])('R-S8: RelayState %p → %s', (value, expected) => {
    expect(code(decideRelayState(value))).toBe(expected);
  });
});

describe('decideIdpInitiated (S8)', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  const ago = (ms: number): Date => new Date(now.getTime() - ms);
  it.each<[string, boolean, Date, number | undefined, string]>([
    ['not allowed (the default)', false, now, undefined, 'sso_response_invalid'],
    ['allowed and fresh', true, ago(1000), undefined, 'allow'],
    ['allowed, exactly 5 minutes old', true, ago(5 * 60 * 1000), undefined, 'allow'],
    ['allowed, just over 5 minutes old', true, ago(5 * 60 * 1000 + 1), undefined, 'sso_response_invalid'],
    ['allowed, slightly in the future within skew', true, ago(-1000), 2000, 'allow'],
    ['allowed, in the future beyond skew', true, ago(-3000), 2000, 'sso_response_invalid'],
  ])('R-S8: an unsolicited response %s → %s', (_label, allowed, issuedAt, clockSkewMs, expected) => {
    const input = clockSkewMs === undefined ? { allowed, issuedAt, now } : { allowed, issuedAt, now, clockSkewMs };
    expect(code(decideIdpInitiated(input))).toBe(expected);
  });
});
