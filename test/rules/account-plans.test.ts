import { describe, expect, it } from '@jest/globals';
import { canSeeAccount, decideAccountUpgrade } from '../../src/rules/account-plans.js';
import type { AccountSnapshot, MemberSnapshot } from '../../src/rules/types.js';
import { ORG_A, ORG_B, OWNER, STANDARD, account, admin, owner, sid, standard } from './builders.js';

describe('decideAccountUpgrade (A2, A7)', () => {
  it.each<[string, Partial<AccountSnapshot>, string]>([
    ['a trial account', {}, 'upgrade'],
    ['an upgraded account', { plan: 'upgraded' }, 'unchanged'],
    ['a suspended trial account', { status: 'suspended' }, 'upgrade'],
    ['a closed account', { status: 'closed' }, 'account_closed'],
    ['a subaccount', { parentSid: sid('AC', 9) }, 'invalid_input'],
  ])('R-A7: upgrading %s → %s', (_label, over, expected) => {
    const d = decideAccountUpgrade(account(over));
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });
});

describe('canSeeAccount (O3)', () => {
  const mine = account({ ownerSid: STANDARD });
  const others = account({ sid: sid('AC', 2), ownerSid: OWNER });
  const child = account({ sid: sid('AC', 3), ownerSid: OWNER, parentSid: sid('AC', 2) });
  it.each<[string, MemberSnapshot, AccountSnapshot, string[], boolean]>([
    ['the Owner, any account', owner(), others, [], true],
    ['an Administrator, an independent account', admin(), account({ management: 'independent', ownerSid: OWNER }), [], true],
    ['an Administrator, a pending account', admin(), account({ management: 'pending', ownerSid: OWNER }), [], true],
    ['an Administrator, an account of another organization', admin(), account({ orgSid: ORG_B }), [], false],
    ['a Standard User, their own account', standard(), mine, [], true],
    ['a Standard User, an account not granted', standard(), others, [], false],
    ['a Standard User, a granted account', standard(), others, [others.sid], true],
    ['a Standard User, a subaccount of a granted account', standard(), child, [others.sid], true],
    ['a suspended Standard User, their own account', standard({ status: 'suspended' }), mine, [], false],
    ['a user without organization', standard({ orgSid: null, role: null }), mine, [], false],
  ])('R-O3: %s → %s', (_label, viewer, acc, grants, expected) => {
    expect(canSeeAccount(viewer, acc, grants)).toBe(expected);
  });

  it('R-O3: visibility is within the viewer\'s own organization only', () => {
    expect(canSeeAccount(owner({ orgSid: ORG_B }), account({ orgSid: ORG_A }), [])).toBe(false);
  });
});
