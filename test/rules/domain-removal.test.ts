import { describe, expect, it } from '@jest/globals';
import { decideDomainRemoval } from '../../src/rules/index.js';
import { domain } from './builders.js';

describe('decideDomainRemoval (D4, D6, U5)', () => {
  it.each([
    ['an unverified domain with members', false, 3, false, 'remove'],
    ['a verified domain nobody uses', true, 0, false, 'remove'],
    ['a verified domain with members', true, 1, false, 'domain_in_use'],
    ['a verified domain with members, forced', true, 1, true, 'remove'],
  ])('R-D4: %s → %s', (_label, verified, members, force, expected) => {
    const d = decideDomainRemoval(domain({ verified }), members, force);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it('R-D6/U5: the summary says what changes: members, SSO, enforcement and policy', () => {
    const d = decideDomainRemoval(domain({ ssoEnforced: true, policy: 'auto_enrollment' }), 2, false);
    expect(d).toMatchObject({ kind: 'reject', summary: { domain: 'corporate.com', membersOnDomain: 2, ssoEnforced: true, policy: 'auto_enrollment' } });
    expect(d.summary.changes.join(' ')).toMatch(/2 members.*password.*enforcement.*auto-enrollment policy stops applying/s);
    expect(d.kind === 'reject' && d.message).toContain('--force');
  });
});
