import { describe, expect, it } from '@jest/globals';
import { decideAccountGrant, decideOperatorOnly } from '../../src/rules/index.js';
import type { AccountSnapshot } from '../../src/rules/index.js';
import { ORG_A, ORG_B, account, sid } from './builders.js';

describe('decideAccountGrant (A1, A7, R4)', () => {
  it.each<[string, AccountSnapshot | null, string]>([
    ['a managed account', account(), 'allow'],
    ['an independent account', account({ management: 'independent' }), 'allow'],
    ['no account', null, 'not_found'],
    ["another organization's account", account({ orgSid: ORG_B }), 'not_found'],
    ['an account in no organization', account({ orgSid: null, management: null }), 'not_found'],
    ['a pending import', account({ management: 'pending' }), 'account_pending'],
    ['a closed account', account({ status: 'closed' }), 'account_closed'],
    ['R-A7: a subaccount', account({ sid: sid('AC', 2), parentSid: sid('AC', 1) }), 'subaccount_not_grantable'],
  ])('R-A1/A7: granting %s → %s', (_label, a, expected) => {
    const d = decideAccountGrant(a, ORG_A);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it('R-A7: the refusal names the parent to grant instead', () => {
    const d = decideAccountGrant(account({ sid: sid('AC', 2), parentSid: sid('AC', 1) }), ORG_A);
    expect(d.kind === 'reject' && d.message).toContain(sid('AC', 1));
  });
});

describe('decideOperatorOnly (O5, B1, H1, A7)', () => {
  it.each([
    ['operator', 'allow'], ['system', 'allow'], ['user', 'forbidden'], ['scim', 'forbidden'],
  ] as const)('R-O5: %s → %s', (kind, expected) => {
    const d = decideOperatorOnly(kind, 'upgrade an account');
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });
});
