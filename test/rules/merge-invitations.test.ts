import { describe, expect, it } from '@jest/globals';
import { decideMergeAcceptor, decideMergeInvitation, type MergeInvitationInput } from '../../src/rules/merge-invitations.js';
import { ORG_A, ORG_B, owner, standard } from './builders.js';

const candidateOwner = owner({ orgSid: ORG_B, email: 'cora@corporate.com' });
const base: MergeInvitationInput = {
  primeSid: ORG_A,
  primeVerifiedDomains: ['corporate.com'],
  candidateOwnerEmail: 'cora@corporate.com',
  candidateOwner,
  candidateVerifiedDomains: [],
};

function outcome(over: Partial<MergeInvitationInput>): string {
  const d = decideMergeInvitation({ ...base, ...over });
  if (d.kind === 'invite') return `invite:${d.candidateSid === ORG_B ? 'B' : d.candidateSid}`;
  return 'reason' in d ? d.reason : d.code;
}

describe('decideMergeInvitation (M1, M2)', () => {
  it.each<[string, Partial<MergeInvitationInput>, string]>([
    ['all conditions hold', {}, 'invite:B'],
    ['the address differs in case', { candidateOwnerEmail: 'Cora@Corporate.COM' }, 'invite:B'],
    ['the Prime has no verified domain', { primeVerifiedDomains: [] }, 'prime_has_no_verified_domain'],
    ["the candidate owner's domain is not verified by the Prime", { primeVerifiedDomains: ['other.com'] }, 'candidate_owner_domain_not_verified_by_prime'],
    ['only the parent of the address\'s subdomain is verified (D5)', { candidateOwnerEmail: 'cora@stage.corporate.com', candidateOwner: owner({ orgSid: ORG_B, email: 'cora@stage.corporate.com' }) }, 'candidate_owner_domain_not_verified_by_prime'],
    ['the Candidate has a verified domain', { candidateVerifiedDomains: ['cora.io'] }, 'candidate_has_verified_domains'],
    ['nobody has the address', { candidateOwner: null }, 'candidate_not_an_owner'],
    ['the person is a Standard User', { candidateOwner: standard({ orgSid: ORG_B, email: 'cora@corporate.com' }) }, 'candidate_not_an_owner'],
    ['the person has no organization', { candidateOwner: standard({ orgSid: null, role: null, email: 'cora@corporate.com' }) }, 'candidate_not_an_owner'],
    ['the person owns the Prime itself', { candidateOwner: owner({ orgSid: ORG_A, email: 'cora@corporate.com' }) }, 'same_organization'],
    ['the address is malformed', { candidateOwnerEmail: 'cora@' }, 'invalid_input'],
  ])('R-M2: %s → %s', (_label, over, expected) => {
    expect(outcome(over)).toBe(expected);
  });

  it('R-M2: an address off the Prime\'s domains is refused before anything is said about the person', () => {
    expect(outcome({ primeVerifiedDomains: ['other.com'], candidateOwner: null })).toBe('candidate_owner_domain_not_verified_by_prime');
  });

  it('R-M2: the refusal carries a message that says what to do', () => {
    const d = decideMergeInvitation({ ...base, candidateVerifiedDomains: ['cora.io'] });
    expect(d.kind === 'reject' && d.code).toBe('merge_not_allowed');
    expect(d.kind === 'reject' && d.message).toMatch(/remove them/);
  });
});

describe('decideMergeAcceptor (M1)', () => {
  it.each<[string, Parameters<typeof decideMergeAcceptor>[0], string, string]>([
    ['the invited Owner', candidateOwner, 'cora@corporate.com', 'allow'],
    ['the invited Owner, address in another case', candidateOwner, 'CORA@corporate.com', 'allow'],
    ['someone else', owner({ orgSid: ORG_B, email: 'olga@corporate.com' }), 'cora@corporate.com', 'forbidden'],
    ['the invited person, no longer Owner', standard({ orgSid: ORG_B, email: 'cora@corporate.com' }), 'cora@corporate.com', 'owner_required'],
    ['the invited Owner, suspended', owner({ orgSid: ORG_B, email: 'cora@corporate.com', status: 'suspended' }), 'cora@corporate.com', 'owner_required'],
  ])('R-M1: accepted by %s → %s', (_label, actor, invited, expected) => {
    const d = decideMergeAcceptor(actor, invited);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });
});
