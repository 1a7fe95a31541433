import { describe, expect, it } from '@jest/globals';
import { planOwnerAccounts } from '../../src/rules/index.js';
import type { AccountSnapshot, OwnerAccountsInput } from '../../src/rules/index.js';
import { ORG_A, ORG_B, STANDARD, account, org, sid } from './builders.js';

const mine = (n: number, over: Partial<AccountSnapshot> = {}): AccountSnapshot =>
  account({ sid: sid('AC', n), ownerSid: STANDARD, orgSid: null, management: null, ...over });

const input = (over: Partial<OwnerAccountsInput> = {}): OwnerAccountsInput => ({
  org: org(), ownerSid: STANDARD, ownedAccounts: [], heldAccountCount: 0, occasion: 'owner_handover', ...over,
});

describe('planOwnerAccounts (A4, O5)', () => {
  it.each<[string, AccountSnapshot, boolean]>([
    ['an account in no organization', mine(1), true],
    ['an independent account of the organization', mine(1, { orgSid: ORG_A, management: 'independent' }), true],
    ['a pending import into the organization', mine(1, { orgSid: ORG_A, management: 'pending' }), true],
    ['a managed account of the organization (already in)', mine(1, { orgSid: ORG_A, management: 'managed' }), false],
    ["an account another organization holds", mine(1, { orgSid: ORG_B, management: 'independent' }), false],
    ['a closed account', mine(1, { status: 'closed' }), false],
    ['a subaccount (follows its parent)', mine(2, { parentSid: sid('AC', 1) }), false],
    ["someone else's account", mine(1, { ownerSid: sid('US', 9) }), false],
  ])('R-A4: %s joins: %s', (_label, a, joins) => {
    const plan = planOwnerAccounts(input({ ownedAccounts: [a] }));
    expect(plan).toMatchObject({ kind: 'bring_in', accountSids: joins ? [a.sid] : [] });
  });

  it('R-A4/O5: at a hand-over, accounts that do not fit are refused with the operator command to raise the limit', () => {
    const owned = [mine(1), mine(2), mine(3, { orgSid: ORG_A, management: 'pending' })];
    // Held 8 (the pending one included) + 2 new = 10: fits.
    expect(planOwnerAccounts(input({ ownedAccounts: owned, heldAccountCount: 8 }))).toMatchObject({ kind: 'bring_in', accountLimit: 10 });
    const refused = planOwnerAccounts(input({ ownedAccounts: owned, heldAccountCount: 9 }));
    expect(refused).toMatchObject({ kind: 'reject', code: 'account_limit_reached' });
    expect(refused.kind === 'reject' && refused.message).toContain(`orgward org set --org ${ORG_A} --account-limit 11`);
  });

  it('R-A4/O5: a new organization takes all of its Owner\'s accounts, its limit raised to fit', () => {
    const owned = Array.from({ length: 12 }, (_, i) => mine(i + 1));
    const plan = planOwnerAccounts(input({ ownedAccounts: owned, occasion: 'organization_created' }));
    expect(plan).toMatchObject({ kind: 'bring_in', accountLimit: 12 });
    expect(plan.kind === 'bring_in' && plan.accountSids).toHaveLength(12);
  });
});
