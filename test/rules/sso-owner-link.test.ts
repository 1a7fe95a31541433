// S6: the Owner is never linked by email; the Owner links their own identity while signed in.
import { describe, expect, it } from '@jest/globals';
import { decideOwnerLinkHolder, decideOwnerSelfLink, decideSsoIdentityLink } from '../../src/rules/index.js';
import type { OwnerLinkHolderInput, OwnerSelfLinkInput, SsoIdentityInput } from '../../src/rules/index.js';
import { ADMIN, ORG_A, ORG_B, OWNER, admin, owner } from './builders.js';

describe('decideSsoIdentityLink: the Owner (S6)', () => {
  const input = (over: Partial<SsoIdentityInput>): SsoIdentityInput => ({
    orgSid: ORG_A, linkedUser: null, userByEmail: null, userHasIdentityFromIssuer: false, domainMatches: true, emailVerified: true, ...over,
  });

  it('R-S6: a first SSO sign-in with the Owner\'s email is never linked to the Owner', () => {
    const d = decideSsoIdentityLink(input({ userByEmail: owner() }));
    expect(d).toMatchObject({ kind: 'reject', code: 'sso_identity_conflict' });
    expect(d.kind === 'reject' && d.message).toMatch(/Owner/);
  });

  it('R-S6: an Administrator\'s email still links (audited and mailed by the service)', () => {
    expect(decideSsoIdentityLink(input({ userByEmail: admin() }))).toEqual({ kind: 'link', userSid: ADMIN });
  });

  it('R-S6: an identity the Owner linked themselves signs the Owner in', () => {
    expect(decideSsoIdentityLink(input({ linkedUser: owner() }))).toEqual({ kind: 'sign_in', userSid: OWNER });
  });
});

describe('decideOwnerLinkHolder (S6)', () => {
  const ownerSession = { userSid: OWNER, orgSid: ORG_A, role: 'owner', method: 'password' as const };
  const input = (over: Partial<OwnerLinkHolderInput>): OwnerLinkHolderInput => ({ orgSid: ORG_A, ticketCreatedBy: OWNER, openedBy: ownerSession, ...over });
  it.each<[string, Partial<OwnerLinkHolderInput>, string | null]>([
    ['the Owner opens their own test link in a password + second-factor session', {}, OWNER],
    ['the Owner opens a link the operator made', { ticketCreatedBy: 'operator' }, OWNER],
    ['the Owner opens a link an Administrator made (forwarded)', { ticketCreatedBy: ADMIN }, null],
    ['nobody is signed in', { openedBy: null }, null],
    ['the Owner is signed in through SSO', { openedBy: { ...ownerSession, method: 'saml' } }, null],
    ['an Administrator opens the link', { openedBy: { ...ownerSession, userSid: ADMIN, role: 'admin' }, ticketCreatedBy: ADMIN }, null],
    ['the Owner of another organization', { openedBy: { ...ownerSession, orgSid: ORG_B } }, null],
  ])('R-S6: %s → %p', (_label, over, expected) => {
    expect(decideOwnerLinkHolder(input(over))).toBe(expected);
  });
});

describe('decideOwnerSelfLink (S6)', () => {
  const input = (over: Partial<OwnerSelfLinkInput>): OwnerSelfLinkInput => ({
    orgSid: ORG_A, owner: owner(), assertedEmail: 'olga@corporate.com', identityUserSid: null, ownerHasIdentityFromIssuer: false, ...over,
  });
  it.each<[string, Partial<OwnerSelfLinkInput>, string]>([
    ['the Owner\'s own email, a new identity', {}, 'link'],
    ['the Owner\'s email in another case', { assertedEmail: 'OLGA@corporate.com' }, 'link'],
    ['the identity is already the Owner\'s', { identityUserSid: OWNER }, 'already_linked'],
    ['another email', { assertedEmail: 'adam@corporate.com' }, 'skip'],
    ['the identity belongs to someone else', { identityUserSid: ADMIN }, 'skip'],
    ['the Owner already has an identity from this issuer', { ownerHasIdentityFromIssuer: true }, 'skip'],
    ['ownership moved away meanwhile', { owner: owner({ role: 'admin' }) }, 'skip'],
    ['the Owner of another organization', { owner: owner({ orgSid: ORG_B }) }, 'skip'],
    ['the user is gone', { owner: null }, 'skip'],
  ])('R-S6: %s → %s', (_label, over, expected) => {
    expect(decideOwnerSelfLink(input(over)).kind).toBe(expected);
  });
});
