import { describe, expect, it } from '@jest/globals';
import {
  decideDomainPolicyChange, decideDomainRegistration, decideDomainVerification, txtRecordFor,
} from '../../src/rules/index.js';
import type { DomainSnapshot } from '../../src/rules/index.js';
import { ORG_A, ORG_B, domain } from './builders.js';

describe('decideDomainRegistration (D1, D2, D4)', () => {
  const none: DomainSnapshot[] = [];
  it.each<[string, string, DomainSnapshot[], DomainSnapshot[], string]>([
    ['a new domain', 'Corporate.COM.', none, none, 'register:corporate.com'],
    ['an internationalised domain', 'Bücher.example', none, none, 'register:xn--bcher-kva.example'],
    ['a URL', 'https://corporate.com', none, none, 'invalid_domain'],
    ['a common mailbox domain', 'Gmail.com', none, none, 'common_domain'],
    ['one already registered here', 'corporate.com', [domain({ verified: false })], none, 'domain_exists'],
    ['one verified by another org', 'corporate.com', none, [domain({ orgSid: ORG_B })], 'domain_claimed'],
    ['a subdomain of one verified elsewhere', 'stage.corporate.com', none, [domain({ orgSid: ORG_B })], 'register:stage.corporate.com'],
    ['the parent of a subdomain verified elsewhere', 'corporate.com', none, [domain({ name: 'stage.corporate.com', orgSid: ORG_B })], 'register:corporate.com'],
    ['one registered but unverified elsewhere', 'corporate.com', none, [domain({ orgSid: ORG_B, verified: false })], 'register:corporate.com'],
    ['one registered by another org only', 'corporate.com', [domain({ orgSid: ORG_B })], none, 'register:corporate.com'],
  ])('R-D1/D2/D4: registering %s → %s', (_label, input, orgDomains, verifiedDomains, expected) => {
    const decision = decideDomainRegistration({ domain: input, orgSid: ORG_A, orgDomains, verifiedDomains });
    if (decision.kind === 'register') {
      expect(`register:${decision.domain}`).toBe(expected);
      expect(decision.policy).toBe('restricted');
    } else {
      expect(decision.code).toBe(expected);
      expect(decision.message.length).toBeGreaterThan(10);
    }
  });

  it('R-D2: the common-domain refusal says such users can still create an organization', () => {
    const decision = decideDomainRegistration({ domain: 'gmail.com', orgSid: ORG_A, orgDomains: [], verifiedDomains: [] });
    expect(decision).toMatchObject({ kind: 'reject', code: 'common_domain' });
    if (decision.kind === 'reject') expect(decision.message).toContain('create their own organization');
  });
});

describe('decideDomainVerification (D2, D3, D4)', () => {
  const txt = txtRecordFor('corporate.com', 'abc');
  const published = [[txt.value]];
  it.each<[string, DomainSnapshot, DomainSnapshot[], string[][], string]>([
    ['TXT present', domain({ verified: false }), [], published, 'verify'],
    ['TXT missing', domain({ verified: false }), [], [], 'dns_txt_missing'],
    ['TXT with another value', domain({ verified: false }), [], [['something else']], 'dns_txt_mismatch'],
    ['already verified here', domain({ verified: true }), [], [], 'already_verified'],
    ['verified by another org meanwhile', domain({ verified: false }), [domain({ orgSid: ORG_B })], published, 'domain_claimed'],
    ['a subdomain verified by another org', domain({ verified: false }), [domain({ name: 'stage.corporate.com', orgSid: ORG_B })], published, 'verify'],
    ['a common mailbox domain', domain({ name: 'gmail.com', verified: false }), [], published, 'common_domain'],
  ])('R-D3/D4: %s → %s', (_label, d, verifiedDomains, txtRecords, expected) => {
    const decision = decideDomainVerification({ domain: d, verifiedDomains, txtRecords, expectedValue: txt.value });
    expect(decision.kind === 'reject' ? decision.code : decision.kind).toBe(expected);
  });

  it('R-D4: a subdomain is verified independently of its parent in another organization', () => {
    const sub = domain({ name: 'stage.corporate.com', orgSid: ORG_B, verified: false });
    const value = txtRecordFor(sub.name, 't').value;
    const decision = decideDomainVerification({
      domain: sub, verifiedDomains: [domain({ orgSid: ORG_A })], txtRecords: [[value]], expectedValue: value,
    });
    expect(decision).toEqual({ kind: 'verify', domain: 'stage.corporate.com' });
  });
});

describe('decideDomainPolicyChange (D6)', () => {
  it.each<[string, DomainSnapshot, string, string]>([
    ['restricted → auto_enrollment', domain(), 'auto_enrollment', 'set'],
    ['restricted → blocked', domain(), 'blocked', 'set'],
    ['restricted → restricted', domain(), 'restricted', 'unchanged'],
    ['unknown policy', domain(), 'open', 'invalid_input'],
    ['unverified domain', domain({ verified: false }), 'auto_enrollment', 'domain_not_verified'],
  ])('R-D6: %s → %s', (_label, d, policy, expected) => {
    const decision = decideDomainPolicyChange(d, policy);
    expect(decision.kind === 'reject' ? decision.code : decision.kind).toBe(expected);
  });
});
