/** The rules of setup links (issue 11), table-driven, no database. */
import { describe, expect, it } from '@jest/globals';
import {
  decideIdpChoice, decideSetupConnection, decideSetupLinkState, decideSetupLinkValidity, decideSetupStep, planSetupLinkWork,
  SETUP_LINK_KINDS, SETUP_STEPS, type SetupStep,
} from '../../src/rules/setup-links.js';

const NOW = new Date('2026-12-09T12:00:00Z');
const DAY = 24 * 3600 * 1000;

describe('validity', () => {
  it.each([
    [undefined, 7], ['', 7], [1, 1], ['30', 30], [30, 30],
  ])('a link asked for %p days is valid %p days', (days, expected) => {
    expect(decideSetupLinkValidity('sso', days, NOW)).toEqual({ kind: 'allow', expiresAt: new Date(NOW.getTime() + expected * DAY) });
  });

  it.each([[0], [31], [2.5], ['week'], [-1]])('%p days is refused with the range', (days) => {
    expect(decideSetupLinkValidity('scim', days, NOW)).toMatchObject({ kind: 'reject', code: 'invalid_input', message: expect.stringContaining('1 to 30') });
  });

  it('the kind is one of sso, scim, domain', () => {
    expect(decideSetupLinkValidity('roles', 7, NOW)).toMatchObject({ kind: 'reject', code: 'invalid_input' });
  });

  it('a link is live until it expires; revoked wins', () => {
    expect(decideSetupLinkState({ expiresAt: new Date(NOW.getTime() + 1), revokedAt: null }, NOW)).toBe('live');
    expect(decideSetupLinkState({ expiresAt: NOW, revokedAt: null }, NOW)).toBe('expired');
    expect(decideSetupLinkState({ expiresAt: new Date(NOW.getTime() - DAY), revokedAt: new Date(NOW.getTime() - 2 * DAY) }, NOW)).toBe('revoked');
  });
});

describe('steps: only those of the link\'s kind', () => {
  const all = Object.values(SETUP_STEPS).flat() as SetupStep[];
  it.each(SETUP_LINK_KINDS.flatMap((kind) => all.map((step) => [kind, step] as const)))('%s link, step %s', (kind, step) => {
    const allowed = (SETUP_STEPS[kind] as readonly string[]).includes(step);
    expect(decideSetupStep(kind, step).kind).toBe(allowed ? 'allow' : 'reject');
  });

  it('no step of any kind enforces SSO, sets a policy, maps a group, changes a role, disables or removes', () => {
    expect(all.filter((s) => /enforce|policy|map|role|enable|disable|remove|delete|invite/.test(s))).toEqual([]);
  });
});

describe('IdP choice and the link\'s connection (S1)', () => {
  it.each([
    ['sso', 'okta', null, 'allow'], ['sso', 'oidc', null, 'allow'], ['sso', 'other', null, 'reject'], ['scim', 'other', null, 'allow'],
    ['scim', 'saml', null, 'reject'], ['domain', 'okta', null, 'reject'], ['sso', 'oidc', 'saml', 'reject'], ['sso', 'entra', 'saml', 'allow'],
  ] as const)('%s link, %s, existing %s: %s', (kind, idp, existing, outcome) => {
    expect(decideIdpChoice(kind, idp, existing).kind).toBe(outcome);
  });

  it('adds once, corrects until tested, never changes protocol', () => {
    expect(decideSetupConnection(null, 'saml')).toEqual({ kind: 'add' });
    expect(decideSetupConnection({ protocol: 'saml', testedAt: null }, 'saml')).toEqual({ kind: 'change' });
    expect(decideSetupConnection({ protocol: 'saml', testedAt: NOW }, 'saml')).toMatchObject({ kind: 'reject', code: 'conflict' });
    expect(decideSetupConnection({ protocol: 'oidc', testedAt: null }, 'saml')).toMatchObject({ kind: 'reject', code: 'conflict' });
  });

  it('what a link did, from its steps', () => {
    expect(planSetupLinkWork([
      { action: 'scim.token_created', target: 't1' }, { action: 'domain.added', target: 'a.test' }, { action: 'domain.verified', target: 'a.test' },
      { action: 'setup_link.domain_included', target: 'b.test' }, { action: 'scim.token_created', target: 't2' }, { action: 'setup_link.idp_chosen', target: 'SL1' },
    ])).toEqual({ tokenIds: ['t1', 't2'], domains: ['a.test', 'b.test'] });
  });
});
