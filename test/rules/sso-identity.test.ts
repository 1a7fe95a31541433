import { describe, expect, it } from '@jest/globals';
import { decideSsoIdentityLink } from '../../src/rules/index.js';
import type { SsoIdentityInput } from '../../src/rules/index.js';
import { ADMIN, ORG_A, ORG_B, admin, outsider } from './builders.js';

const input = (over: Partial<SsoIdentityInput> = {}): SsoIdentityInput => ({
  orgSid: ORG_A, linkedUser: null, userByEmail: null, userHasIdentityFromIssuer: false,
  domainMatches: true, emailVerified: true, ...over,
});

describe('decideSsoIdentityLink (S6)', () => {
  it.each<[string, Partial<SsoIdentityInput>, string]>([
    ['a known identity', { linkedUser: admin() }, 'sign_in'],
    ['a known identity even if the email changed domain', { linkedUser: admin(), domainMatches: false }, 'sign_in'],
    ['a known identity of a suspended user', { linkedUser: admin({ status: 'suspended' }) }, 'user_suspended'],
    ['a known identity whose user moved to another org', { linkedUser: admin({ orgSid: ORG_B }) }, 'sso_identity_conflict'],
    ['a member with this email, first SSO sign-in', { userByEmail: admin() }, 'link'],
    ['a member with this email, email not verified (OIDC)', { userByEmail: admin(), emailVerified: false }, 'sso_identity_conflict'],
    ['a member with this email under a new subject', { userByEmail: admin(), userHasIdentityFromIssuer: true }, 'sso_identity_conflict'],
    ['a member with this email, domain not verified by the org (S4)', { userByEmail: admin(), domainMatches: false }, 'sso_domain_mismatch'],
    ['a suspended member with this email', { userByEmail: admin({ status: 'suspended' }) }, 'user_suspended'],
    ['a user of another org with this email', { userByEmail: outsider() }, 'enroll'],
    ['an unknown person', {}, 'enroll'],
    ['an unknown person on a foreign domain', { domainMatches: false }, 'sso_domain_mismatch'],
  ])('R-S6: %s → %s', (_label, over, expected) => {
    const d = decideSsoIdentityLink(input(over));
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it('R-S6: a link names the existing user', () => {
    expect(decideSsoIdentityLink(input({ userByEmail: admin() }))).toEqual({ kind: 'link', userSid: ADMIN });
  });
});
