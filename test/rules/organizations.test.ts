import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_ACCOUNT_LIMIT, countHeldAccounts, decideAccountCreation, decideAccountLimitChange,
  decideOrganizationDelete, planNewOrganization,
} from '../../src/rules/index.js';
import type { AccountSnapshot } from '../../src/rules/index.js';
import { ORG_A, ORG_B, STANDARD, account, member, sid } from './builders.js';

describe('planNewOrganization (O1, U1)', () => {
  it('R-O1: a new organization is owned by the user, at the default limit, and touches no account', () => {
    const plan = planNewOrganization(member({ orgSid: null, role: null }), '  Acme  ');
    expect(plan).toEqual({
      kind: 'create', name: 'Acme', ownerSid: STANDARD, ownerRole: 'owner', accountLimit: 10,
      bulkImportEnabled: false, baaExecutedAt: null,
    });
    expect(Object.keys(plan)).not.toContain('accounts');
  });

  it.each([
    ['no name', undefined, 'create'],
    ['a blank name', '   ', 'invalid_input'],
    ['a 65-character name', 'x'.repeat(65), 'invalid_input'],
    ['a 64-character name', 'x'.repeat(64), 'create'],
  ])('R-O1: %s → %s', (_label, name, expected) => {
    const plan = planNewOrganization(member({ orgSid: null, role: null }), name);
    expect(plan.kind === 'reject' ? plan.code : plan.kind).toBe(expected);
  });

  it('R-U1: a member of an organization cannot create another', () => {
    expect(planNewOrganization(member())).toMatchObject({ kind: 'reject', code: 'member_of_other_org' });
  });
});

describe('decideOrganizationDelete (O4)', () => {
  it('R-O4: an organization cannot be deleted, only merged', () => {
    const d = decideOrganizationDelete();
    expect(d.code).toBe('organization_cannot_be_deleted');
    expect(d.message).toContain('merged');
  });
});

describe('decideAccountCreation (O5)', () => {
  it('R-O5: the default limit is 10', () => {
    expect(DEFAULT_ACCOUNT_LIMIT).toBe(10);
  });

  it.each([
    [0, 10, 'allow'],
    [9, 10, 'allow'],
    [10, 10, 'account_limit_reached'],
    [11, 10, 'account_limit_reached'],
    [10, 11, 'allow'],
    [24, 25, 'allow'],
    [25, 25, 'account_limit_reached'],
  ])('R-O5: %i held, limit %i → %s', (held, limit, expected) => {
    const d = decideAccountCreation({ accountLimit: limit }, held);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it('R-O5: adding several at once counts them all', () => {
    expect(decideAccountCreation({ accountLimit: 10 }, 8, 2).kind).toBe('allow');
    expect(decideAccountCreation({ accountLimit: 10 }, 8, 3).kind).toBe('reject');
  });

  it('R-O5: only open managed or pending top-level accounts of the org count', () => {
    const accounts: AccountSnapshot[] = [
      account({ sid: sid('AC', 1) }),
      account({ sid: sid('AC', 2), management: 'pending' }),
      account({ sid: sid('AC', 3), management: 'independent' }),
      account({ sid: sid('AC', 4), status: 'closed' }),
      account({ sid: sid('AC', 5), status: 'suspended' }),
      account({ sid: sid('AC', 6), parentSid: sid('AC', 1) }),
      account({ sid: sid('AC', 7), orgSid: ORG_B }),
    ];
    expect(countHeldAccounts(accounts, ORG_A)).toBe(3);
  });

  it.each([
    [25, 10, 'set'],
    [10, 10, 'set'],
    [9, 10, 'invalid_input'],
    [0, 0, 'invalid_input'],
    [2.5, 0, 'invalid_input'],
    [100_001, 0, 'invalid_input'],
  ])('R-O5: an operator sets the limit to %p with %i held → %s', (limit, held, expected) => {
    const d = decideAccountLimitChange(limit, held);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });
});
