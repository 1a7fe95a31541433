import { describe, expect, it } from '@jest/globals';
import {
  SUBACCOUNT_LIMITS, decideAccountModification, decideSubaccountCreation, planNewAccount,
} from '../../src/rules/index.js';
import type { AccountChange, AccountSnapshot, MemberSnapshot, NewAccountInput } from '../../src/rules/index.js';
import { ADMIN, ORG_A, ORG_B, OWNER, STANDARD, account, admin, org, outsider, owner, sid, standard } from './builders.js';

const code = (d: { kind: string; code?: string }): string => d.kind === 'reject' ? (d.code ?? '') : d.kind;
const BAA = new Date('2024-01-01T00:00:00Z');

describe('planNewAccount (A2, A5, H3, O5)', () => {
  const input = (over: Partial<NewAccountInput> = {}): NewAccountInput =>
    ({ creator: standard(), org: org(), heldAccountCount: 0, name: 'Support line', usage: 'twilio', ...over });

  it('R-A2: a new account is an active trial with the given name and usage, fresh and unflagged', () => {
    expect(planNewAccount(input({ name: '  Support line  ', usage: 'flex' }))).toEqual({
      kind: 'create',
      account: {
        name: 'Support line', usage: 'flex', plan: 'trial', status: 'active', hipaa: false,
        orgSid: ORG_A, management: 'managed', ownerSid: STANDARD, parentSid: null,
      },
    });
  });

  it.each<[string, MemberSnapshot, string]>([
    ['the Owner', owner(), OWNER],
    ['an Administrator', admin(), ADMIN],
    ['a Standard User', standard(), STANDARD],
  ])('R-A5: an account created by %s is managed and owned by them', (_label, creator, expectedOwner) => {
    const plan = planNewAccount(input({ creator }));
    expect(plan).toMatchObject({ kind: 'create', account: { management: 'managed', ownerSid: expectedOwner, orgSid: ORG_A } });
  });

  it.each<[string, Partial<NewAccountInput>, string]>([
    ['a blank name', { name: '  ' }, 'invalid_input'],
    ['a 64-character name', { name: 'n'.repeat(64) }, 'create'],
    ['a 65-character name', { name: 'n'.repeat(65) }, 'invalid_input'],
    ['a name with a control character', { name: 'bad\u0007name' }, 'invalid_input'],
    ['an unknown usage', { usage: 'voice' }, 'invalid_input'],
    ['a usage in upper case', { usage: 'Flex' }, 'invalid_input'],
    ['9 accounts held', { heldAccountCount: 9 }, 'create'],
    ['10 accounts held', { heldAccountCount: 10 }, 'account_limit_reached'],
    ['a creator of another org', { creator: outsider() }, 'forbidden'],
    ['a suspended creator', { creator: standard({ status: 'suspended' }) }, 'user_suspended'],
  ])('R-A2/O5: %s → %s', (_label, over, expected) => {
    expect(code(planNewAccount(input(over)))).toBe(expected);
  });

  it.each([
    [null, false],
    [BAA, true],
  ])('R-H3: with BAA %p the new account starts hipaa=%s', (baaExecutedAt, hipaa) => {
    expect(planNewAccount(input({ org: org({ baaExecutedAt }) }))).toMatchObject({ account: { hipaa } });
  });
});

describe('decideSubaccountCreation (A7, H3)', () => {
  const parent = (over: Partial<AccountSnapshot> = {}): AccountSnapshot => account({ sid: sid('AC', 50), ...over });
  const decide = (p: AccountSnapshot, subaccountCount: number, o = org()) =>
    decideSubaccountCreation({ org: o, parent: p, subaccountCount, name: 'Sub', usage: 'twilio' });

  it('R-A7: the limits are 1 (trial) and 1,000 (upgraded)', () => {
    expect(SUBACCOUNT_LIMITS).toEqual({ trial: 1, upgraded: 1000 });
  });

  it.each<[string, AccountSnapshot, number, string]>([
    ['trial parent with 0', parent(), 0, 'create'],
    ['trial parent with 1', parent(), 1, 'subaccount_limit_reached'],
    ['upgraded parent with 999', parent({ plan: 'upgraded' }), 999, 'create'],
    ['upgraded parent with 1000', parent({ plan: 'upgraded' }), 1000, 'subaccount_limit_reached'],
    ['a subaccount as parent', parent({ parentSid: sid('AC', 1) }), 0, 'invalid_input'],
    ['a suspended parent', parent({ status: 'suspended' }), 0, 'account_suspended'],
    ['a closed parent', parent({ status: 'closed' }), 0, 'account_closed'],
    ['an independent parent', parent({ management: 'independent' }), 0, 'account_not_managed'],
    ['a pending parent', parent({ management: 'pending' }), 0, 'account_pending'],
    ['a parent of another org', parent({ orgSid: ORG_B }), 0, 'not_found'],
  ])('R-A7: %s → %s', (_label, p, count, expected) => {
    expect(code(decide(p, count))).toBe(expected);
  });

  it('R-A7: a subaccount has its parent, the parent\'s owner and plan', () => {
    expect(decide(parent({ plan: 'upgraded', ownerSid: ADMIN }), 3)).toMatchObject({
      kind: 'create',
      account: { parentSid: sid('AC', 50), ownerSid: ADMIN, plan: 'upgraded', management: 'managed', orgSid: ORG_A },
    });
  });

  it('R-A7: the trial refusal suggests upgrading', () => {
    const d = decide(parent(), 1);
    expect(d.kind === 'reject' && d.message).toContain('Upgrade');
  });

  it.each([
    [false, null, false],
    [true, null, true],
    [false, BAA, false],
    [true, BAA, true],
  ])('R-H3: parent flagged %s, BAA %p → subaccount hipaa=%s', (parentHipaa, baaExecutedAt, hipaa) => {
    expect(decide(parent({ hipaa: parentHipaa }), 0, org({ baaExecutedAt }))).toMatchObject({ account: { hipaa } });
  });
});

describe('decideAccountModification (A1)', () => {
  it.each<[string, AccountSnapshot, AccountChange, string, string | null]>([
    ['update a managed account', account(), 'update', 'allow', 'active'],
    ['suspend an active account', account(), 'suspend', 'allow', 'suspended'],
    ['suspend a suspended account', account({ status: 'suspended' }), 'suspend', 'unchanged', 'suspended'],
    ['reactivate a suspended account', account({ status: 'suspended' }), 'reactivate', 'allow', 'active'],
    ['reactivate an active account', account(), 'reactivate', 'unchanged', 'active'],
    ['close a managed account', account(), 'close', 'allow', 'closed'],
    ['close an independent account', account({ management: 'independent' }), 'close', 'account_not_managed', null],
    ['suspend an independent account', account({ management: 'independent' }), 'suspend', 'account_not_managed', null],
    ['update an independent account', account({ management: 'independent' }), 'update', 'account_not_managed', null],
    ['update a pending account', account({ management: 'pending' }), 'update', 'account_pending', null],
    ['reactivate a closed account', account({ status: 'closed' }), 'reactivate', 'account_closed', null],
    ['update an account of another org', account({ orgSid: ORG_B }), 'update', 'not_found', null],
    ['update an account of no org', account({ orgSid: null, management: null }), 'update', 'not_found', null],
  ])('R-A1: %s → %s', (_label, a, change, expected, status) => {
    const d = decideAccountModification(a, ORG_A, change);
    expect(code(d)).toBe(expected);
    if (d.kind !== 'reject') expect(d.status).toBe(status);
  });

  it('R-A1: the independent refusal explains the organization cannot change it', () => {
    const d = decideAccountModification(account({ management: 'independent' }), ORG_A, 'close');
    expect(d.kind === 'reject' && d.message).toContain('independent');
  });
});
