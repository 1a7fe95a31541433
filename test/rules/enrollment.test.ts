import { describe, expect, it } from '@jest/globals';
import { decideEnrollment } from '../../src/rules/index.js';
import type { DomainPolicy, EnrollmentInput, MemberSnapshot } from '../../src/rules/index.js';
import { ORG_A, ORG_B, domain, member } from './builders.js';

const EMAIL = 'pat@corporate.com';
const verifiedBy = (orgSid: string, policy: DomainPolicy) => domain({ orgSid, policy });
const inOrg = (orgSid: string, email = EMAIL): MemberSnapshot => member({ email, orgSid, role: 'standard' });
const noOrg = member({ email: EMAIL, orgSid: null, role: null });
const invite = (orgSid: string) => ({ orgSid, role: 'admin' as const });

/** The outcome as one comparable string: 'join:ORG:role', 'create_own_org', 'already_member:ORG', or the code. */
function outcome(input: EnrollmentInput): string {
  const d = decideEnrollment(input);
  switch (d.kind) {
    case 'join': return `join:${d.orgSid === ORG_A ? 'A' : 'B'}:${d.role}`;
    case 'create_own_org': return 'create_own_org';
    case 'already_member': return `already_member:${d.orgSid === ORG_A ? 'A' : 'B'}`;
    case 'reject': return d.code;
  }
}

describe('decideEnrollment: sign-up (O1, D6, U1)', () => {
  it.each<[string, Partial<EnrollmentInput> & { email?: string }, string]>([
    ['nobody verified the domain', { verifiedDomain: null }, 'create_own_org'],
    ['a common mailbox domain', { email: 'pat@gmail.com', verifiedDomain: null }, 'create_own_org'],
    ['restricted, no invitation', { verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'invitation_required'],
    ['restricted, invited', { verifiedDomain: verifiedBy(ORG_A, 'restricted'), invitation: invite(ORG_A) }, 'join:A:admin'],
    ['restricted, invited by another org', { verifiedDomain: verifiedBy(ORG_A, 'restricted'), invitation: invite(ORG_B) }, 'invitation_required'],
    ['auto-enrollment', { verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'join:A:standard'],
    ['auto-enrollment, invited as admin', { verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment'), invitation: invite(ORG_A) }, 'join:A:admin'],
    ['blocked', { verifiedDomain: verifiedBy(ORG_A, 'blocked') }, 'domain_blocked'],
    ['blocked, even if invited', { verifiedDomain: verifiedBy(ORG_A, 'blocked'), invitation: invite(ORG_A) }, 'domain_blocked'],
    ['already a member', { member: inOrg(ORG_B), verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'already_member:B'],
    ['a user without organization', { member: noOrg, verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'join:A:standard'],
    ['a parent domain is verified, the email is on a subdomain', { email: 'pat@stage.corporate.com', verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'create_own_org'],
    ['a domain registered but not verified', { verifiedDomain: domain({ verified: false, policy: 'auto_enrollment' }) }, 'create_own_org'],
    ['upper-case email on an auto-enrollment domain', { email: 'PAT@Corporate.COM', verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'join:A:standard'],
    ['an invalid email', { email: 'pat@', verifiedDomain: null }, 'invalid_input'],
  ])('R-D6/O1: sign-up when %s → %s', (_label, over, expected) => {
    const input = { path: 'signup', email: EMAIL, member: null, verifiedDomain: null, invitation: null, ...over } as EnrollmentInput;
    expect(outcome(input)).toBe(expected);
  });

  it('R-O1: a new organization is owned by the person signing up, with the normalised email', () => {
    expect(decideEnrollment({ path: 'signup', email: ' Pat@Gmail.com ', member: null, verifiedDomain: null, invitation: null }))
      .toEqual({ kind: 'create_own_org', role: 'owner', email: 'pat@gmail.com' });
  });

  it('R-D6: invitation_required tells the person to ask for an invitation', () => {
    const d = decideEnrollment({ path: 'signup', email: EMAIL, member: null, verifiedDomain: verifiedBy(ORG_A, 'restricted'), invitation: null });
    expect(d.kind === 'reject' && d.message).toContain('invite you');
  });
});

describe.each(['invitation', 'scim', 'import'] as const)('decideEnrollment: %s (D6, D7, U1)', (path) => {
  it.each<[string, Partial<EnrollmentInput> & { email?: string }, string]>([
    ['restricted domain of the org', { verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'join:A:admin'],
    ['auto-enrollment domain of the org', { verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'join:A:admin'],
    ['blocked domain of the org', { verifiedDomain: verifiedBy(ORG_A, 'blocked') }, 'domain_blocked'],
    ['domain verified by another org', { verifiedDomain: verifiedBy(ORG_B, 'auto_enrollment') }, 'domain_not_verified'],
    ['domain not verified', { verifiedDomain: null }, 'domain_not_verified'],
    ['common mailbox domain', { email: 'pat@gmail.com', verifiedDomain: null }, 'domain_not_verified'],
    ['subdomain of a verified domain', { email: 'pat@stage.corporate.com', verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'domain_not_verified'],
    ['member of another org', { member: inOrg(ORG_B), verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'member_of_other_org'],
    ['already a member', { member: inOrg(ORG_A), verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'already_member:A'],
    ['a user without organization', { member: noOrg, verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'join:A:admin'],
    ['plus-address of a member of another org (U1)', {
      email: 'pat+a@corporate.com', member: inOrg(ORG_B, EMAIL), verifiedDomain: verifiedBy(ORG_A, 'restricted'),
    }, 'join:A:admin'],
    ['same person in other case, member of another org (U1)', {
      email: 'PAT@corporate.com', member: inOrg(ORG_B), verifiedDomain: verifiedBy(ORG_A, 'restricted'),
    }, 'member_of_other_org'],
  ])(`R-D7: ${path} when %s → %s`, (_label, over, expected) => {
    const input = { path, email: EMAIL, member: null, verifiedDomain: null, targetOrgSid: ORG_A, role: 'admin', ...over } as EnrollmentInput;
    expect(outcome(input)).toBe(expected);
  });
});

describe('decideEnrollment: SSO first sign-in (S4, S5, D6, U1)', () => {
  it.each<[string, Partial<EnrollmentInput> & { email?: string }, string]>([
    ['auto-enrollment domain', { verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'join:A:standard'],
    ['restricted domain, no invitation', { verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'sso_enrollment_refused'],
    ['restricted domain, invitation pending', { verifiedDomain: verifiedBy(ORG_A, 'restricted'), invitation: invite(ORG_A) }, 'join:A:admin'],
    ['restricted domain, invitation from another org', { verifiedDomain: verifiedBy(ORG_A, 'restricted'), invitation: invite(ORG_B) }, 'sso_enrollment_refused'],
    ['blocked domain, invitation pending', { verifiedDomain: verifiedBy(ORG_A, 'blocked'), invitation: invite(ORG_A) }, 'domain_blocked'],
    ['domain of another org', { verifiedDomain: verifiedBy(ORG_B, 'auto_enrollment') }, 'sso_domain_mismatch'],
    ['domain nobody verified', { verifiedDomain: null }, 'sso_domain_mismatch'],
    ['member of another org', { member: inOrg(ORG_B), verifiedDomain: verifiedBy(ORG_A, 'auto_enrollment') }, 'member_of_other_org'],
    ['already a member', { member: inOrg(ORG_A), verifiedDomain: verifiedBy(ORG_A, 'restricted') }, 'already_member:A'],
  ])('R-S5: SSO when %s → %s', (_label, over, expected) => {
    const input = { path: 'sso', email: EMAIL, member: null, verifiedDomain: null, targetOrgSid: ORG_A, invitation: null, ...over } as EnrollmentInput;
    expect(outcome(input)).toBe(expected);
  });
});
