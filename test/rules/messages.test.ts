/**
 * Messages tell the fix that exists in a self-hosted Orgward (an operator command, another
 * address), never one that cannot work ("verify gmail.com", "contact support").
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  decideAccountImport, decideDomainRegistration, decideEnrollment, decideHipaaFlag, decideMerge, normaliseName,
  planBulkImport,
} from '../../src/rules/index.js';
import { planBulkAccountImport } from '../../src/rules/bulk-account-import.js';
import { ORG_A, ORG_B, account, admin, domain, org, sid } from './builders.js';

const messageOf = (d: { kind: string; message?: string }): string => (d.kind === 'reject' ? d.message ?? '' : '');

describe('messages name a fix that exists', () => {
  it('R-D2/D7: an invitation for a gmail.com address does not say "Verify gmail.com first"', () => {
    const d = decideEnrollment({ path: 'invitation', email: 'x@gmail.com', member: null, verifiedDomain: null, targetOrgSid: ORG_A, role: 'standard' });
    expect(d).toMatchObject({ code: 'domain_not_verified' });
    expect(messageOf(d)).not.toMatch(/verify gmail\.com/i);
    expect(messageOf(d)).toContain('public email provider');
  });

  it("R-D4/D7: an address on another organization's verified domain is not told to verify it", () => {
    const d = decideEnrollment({ path: 'scim', email: 'x@corporate.com', member: null, verifiedDomain: domain({ orgSid: ORG_B }), targetOrgSid: ORG_A, role: 'standard' });
    expect(messageOf(d)).not.toMatch(/Verify corporate\.com/);
    expect(messageOf(d)).toContain('verified by another organization');
  });

  it('R-D7: an unverified ordinary domain is still told to verify it', () => {
    const d = decideEnrollment({ path: 'invitation', email: 'x@newco.com', member: null, verifiedDomain: null, targetOrgSid: ORG_A, role: 'standard' });
    expect(messageOf(d)).toContain('Verify newco.com first');
  });

  it('R-M2/D2: a Candidate Owner on gmail.com is not told to verify gmail.com', () => {
    const d = decideMerge({ primeSid: ORG_A, candidateSid: ORG_B, primeVerifiedDomains: ['corporate.com'], candidateOwnerEmail: 'cara@gmail.com', candidateVerifiedDomains: [] });
    expect(d).toMatchObject({ code: 'merge_not_allowed', reason: 'candidate_owner_domain_not_verified_by_prime' });
    expect(messageOf(d)).not.toMatch(/Verify that domain/);
    expect(messageOf(d)).toContain('gmail.com');
  });

  it('R-A3/D2: importing an account whose owner is on gmail.com is not told to verify it', () => {
    const d = decideAccountImport({
      org: org(), account: account({ orgSid: null, management: null, ownerSid: sid('US', 9) }), ownerEmail: 'erin@gmail.com', orgDomains: [domain()], heldAccountCount: 0,
    });
    expect(messageOf(d)).not.toMatch(/Verify the owner/);
    expect(messageOf(d)).toContain('public email provider');
  });

  it('R-B1: bulk_import_disabled names the operator command, for users and for accounts', () => {
    const off = org({ bulkImportEnabled: false });
    for (const d of [planBulkImport([], { org: off, orgDomains: [], members: [] }), planBulkAccountImport([], off)]) {
      expect(d).toMatchObject({ code: 'bulk_import_disabled' });
      expect(messageOf(d)).toContain(`orgward org set --org ${ORG_A} --bulk-import on`);
    }
  });

  it('R-H2: baa_required names the operator command that records the BAA', () => {
    const d = decideHipaaFlag({ actor: admin(), org: org(), account: account(), hipaa: true });
    expect(d).toMatchObject({ code: 'baa_required' });
    expect(messageOf(d)).toContain(`orgward org set --org ${ORG_A} --baa on`);
  });

  it('R-D4: domain_claimed names the operator commands that settle it', () => {
    const d = decideDomainRegistration({ domain: 'corporate.com', orgSid: ORG_B, orgDomains: [], verifiedDomains: [domain()] });
    expect(d).toMatchObject({ code: 'domain_claimed' });
    expect(messageOf(d)).toContain('orgward domain holder corporate.com');
    expect(messageOf(d)).toContain('orgward domain remove --org');
  });

  it.each([
    ['organization name', 'Enter an organization name.'],
    ['account name', 'Enter an account name.'],
    ['name', 'Enter a name.'],
  ])('a blank %s asks for it in good English', (what, expected) => {
    expect(normaliseName('  ', what, 64)).toMatchObject({ ok: false, message: expected });
  });

  it('R-STYLE: no message anywhere in src/ sends people to "support"', () => {
    const root = fileURLToPath(new URL('../../src/', import.meta.url));
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const path = join(dir, f);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
    const offenders = files(root).filter((f) => /contact (our |the )?support|support team/i.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
