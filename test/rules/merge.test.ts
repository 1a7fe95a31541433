import { describe, expect, it } from '@jest/globals';
import { decideMerge, decideMergeAcceptance, decideMergeAccountLimit, planMerge } from '../../src/rules/index.js';
import type { MemberSnapshot, MergeInput } from '../../src/rules/index.js';
import { ORG_A, ORG_B, account, member, outsider, owner, sid } from './builders.js';

const PRIME = ORG_A;
const CANDIDATE = ORG_B;

describe('decideMergeAcceptance (M1)', () => {
  it.each<[string, MemberSnapshot, string]>([
    ["the Candidate's Owner", outsider({ role: 'owner' }), 'allow'],
    ['a Candidate Administrator', outsider({ role: 'admin' }), 'owner_required'],
    ["the Prime's Owner", owner(), 'owner_required'],
    ["a suspended Candidate Owner", outsider({ role: 'owner', status: 'suspended' }), 'owner_required'],
  ])('R-M1: %s accepts → %s', (_label, actor, expected) => {
    const d = decideMergeAcceptance(actor, CANDIDATE);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });
});

describe('decideMerge (M2)', () => {
  const ok: MergeInput = {
    primeSid: PRIME,
    candidateSid: CANDIDATE,
    primeVerifiedDomains: ['corporate.com'],
    candidateOwnerEmail: 'Cara@Corporate.com',
    candidateVerifiedDomains: [],
  };

  it('R-M2: allowed when all three conditions hold', () => {
    expect(decideMerge(ok)).toEqual({ kind: 'allow' });
  });

  it.each<[string, Partial<MergeInput>, string]>([
    ['the same organization', { candidateSid: PRIME }, 'same_organization'],
    ['a Prime without verified domain', { primeVerifiedDomains: [] }, 'prime_has_no_verified_domain'],
    ["a Candidate Owner on another domain", { candidateOwnerEmail: 'cara@other.com' }, 'candidate_owner_domain_not_verified_by_prime'],
    ["a Candidate Owner on a subdomain (D5)", { candidateOwnerEmail: 'cara@stage.corporate.com' }, 'candidate_owner_domain_not_verified_by_prime'],
    ["a Candidate Owner on a common domain", { candidateOwnerEmail: 'cara@gmail.com' }, 'candidate_owner_domain_not_verified_by_prime'],
    ["an invalid Candidate Owner email", { candidateOwnerEmail: 'cara' }, 'candidate_owner_domain_not_verified_by_prime'],
    ['a Candidate with a verified domain', { candidateVerifiedDomains: ['candidate.io'] }, 'candidate_has_verified_domains'],
  ])('R-M2: %s → merge_not_allowed (%s)', (_label, over, reason) => {
    const d = decideMerge({ ...ok, ...over });
    expect(d).toMatchObject({ kind: 'reject', code: 'merge_not_allowed', reason });
    if (d.kind === 'reject') expect(d.message.length).toBeGreaterThan(20);
  });
});

describe('planMerge (M3)', () => {
  const cOwner = member({ userSid: sid('US', 0x10), orgSid: CANDIDATE, role: 'owner', email: 'cara@corporate.com' });
  const cAdmin = member({ userSid: sid('US', 0x11), orgSid: CANDIDATE, role: 'admin', email: 'carl@corporate.com' });
  const cStd = member({ userSid: sid('US', 0x12), orgSid: CANDIDATE, role: 'standard', email: 'cody@gmail.com', status: 'suspended' });
  const acc1 = account({ sid: sid('AC', 0x21), orgSid: CANDIDATE, ownerSid: cOwner.userSid });
  const acc2 = account({ sid: sid('AC', 0x22), orgSid: CANDIDATE, ownerSid: cStd.userSid, status: 'suspended', plan: 'upgraded' });
  const indep = account({ sid: sid('AC', 0x23), orgSid: CANDIDATE, management: 'independent', ownerSid: sid('US', 0x99) });
  const sub = account({ sid: sid('AC', 0x24), orgSid: CANDIDATE, ownerSid: cOwner.userSid, parentSid: acc1.sid });
  const closed = account({ sid: sid('AC', 0x25), orgSid: CANDIDATE, ownerSid: cAdmin.userSid, status: 'closed' });
  const plan = planMerge({
    primeSid: PRIME,
    candidateSid: CANDIDATE,
    candidateMembers: [cOwner, cAdmin, cStd, owner()],
    candidateAccounts: [acc1, acc2, indep, sub, closed, account({ sid: sid('AC', 0x30) })],
    candidateGrants: [
      { userSid: cStd.userSid, accountSid: indep.sid },
      { userSid: cStd.userSid, accountSid: sid('AC', 0x30) },
    ],
    primeSsoEnforcedDomains: ['corporate.com'],
    primeAccountLimit: 10,
    primeHeldAccountCount: 8,
  });

  it('R-M3: every Candidate account moves, keeping owner, status and management', () => {
    expect(plan.accountMoves).toEqual([acc1, acc2, indep, sub, closed].map((a) => ({
      accountSid: a.sid, toOrgSid: PRIME, ownerSid: a.ownerSid, status: a.status, management: a.management,
    })));
  });

  it.each([
    ['the Candidate Owner: every open managed top-level account, plus what they own (no subaccount: A7)', cOwner, [0x21, 0x22]],
    ['a Candidate Administrator: every open managed top-level account, plus what they own', cAdmin, [0x21, 0x22, 0x25]],
    ['a Candidate Standard User: their grants and what they own, only on moving accounts', cStd, [0x22, 0x23]],
  ])('R-M3: %s', (_label, who, expected) => {
    const move = plan.userMoves.find((u) => u.userSid === who.userSid);
    expect(move).toEqual({
      userSid: who.userSid, email: who.email, status: who.status, fromRole: who.role, toRole: 'standard',
      accountSids: expected.map((n) => sid('AC', n)),
    });
  });

  it('R-M3: only Candidate members move; everyone becomes a Standard User', () => {
    expect(plan.userMoves.map((u) => u.userSid)).toEqual([cOwner.userSid, cAdmin.userSid, cStd.userSid]);
    expect(new Set(plan.userMoves.map((u) => u.toRole))).toEqual(new Set(['standard']));
  });

  it('R-M3: the preview lists counts, role changes and who must now use SSO', () => {
    expect(plan.preview).toEqual({
      accountCount: 5,
      userCount: 3,
      roleChanges: [
        { userSid: cOwner.userSid, email: cOwner.email, from: 'owner', to: 'standard' },
        { userSid: cAdmin.userSid, email: cAdmin.email, from: 'admin', to: 'standard' },
      ],
      ssoRequired: ['cara@corporate.com', 'carl@corporate.com'],
      // Held 8 + acc1, acc2 (managed, open, top-level) = 10: the independent, closed and sub do not count.
      accountLimit: 10,
      accountsAfter: 10,
      withinLimit: true,
    });
    expect(decideMergeAccountLimit(plan).kind).toBe('allow');
  });

  it('R-M3/O5: a merge past the Prime\'s account limit is refused, with the operator command to raise it', () => {
    const over = planMerge({
      primeSid: PRIME, candidateSid: CANDIDATE, candidateMembers: [cOwner], candidateAccounts: [acc1, acc2], candidateGrants: [],
      primeAccountLimit: 10, primeHeldAccountCount: 9,
    });
    expect(over.preview).toMatchObject({ accountLimit: 10, accountsAfter: 11, withinLimit: false });
    const d = decideMergeAccountLimit(over);
    expect(d).toMatchObject({ kind: 'reject', code: 'account_limit_reached' });
    expect(d.kind === 'reject' && d.message).toContain(`orgward org set --org ${PRIME} --account-limit 11`);
  });
});
