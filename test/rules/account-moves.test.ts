import { describe, expect, it } from '@jest/globals';
import {
  decideAccountImport, decideImportConfirmation, decideMakeIndependent, decideOwnershipTransfer,
} from '../../src/rules/index.js';
import type { AccountImportInput, AccountSnapshot, MemberSnapshot } from '../../src/rules/index.js';
import { ADMIN, ORG_A, ORG_B, OWNER, STANDARD, account, admin, domain, member, org, outsider, owner, sid } from './builders.js';

const code = (d: { kind: string; code?: string }): string => d.kind === 'reject' ? (d.code ?? '') : d.kind;
const external = sid('US', 0x77);

describe('decideAccountImport (A3, O5)', () => {
  const input = (over: Partial<AccountImportInput> = {}): AccountImportInput => ({
    org: org(),
    account: account({ orgSid: null, management: null, ownerSid: external }),
    ownerEmail: 'Erin@Corporate.com',
    orgDomains: [domain()],
    heldAccountCount: 0,
    ...over,
  });

  it('R-A3: an account whose owner is on a verified domain becomes pending, confirmation to its owner', () => {
    expect(decideAccountImport(input())).toEqual({ kind: 'pending', accountSid: sid('AC', 1), confirmationEmail: 'erin@corporate.com' });
  });

  it.each<[string, Partial<AccountImportInput>, string]>([
    ['no such account', { account: null }, 'not_found'],
    ["owner's domain registered but not verified", { orgDomains: [domain({ verified: false })] }, 'domain_not_verified'],
    ["owner's domain verified by another org", { orgDomains: [domain({ orgSid: ORG_B })] }, 'domain_not_verified'],
    ["owner on a subdomain of the verified domain (D5)", { ownerEmail: 'erin@stage.corporate.com' }, 'domain_not_verified'],
    ['owner on a common domain', { ownerEmail: 'erin@gmail.com' }, 'domain_not_verified'],
    ['invalid owner email', { ownerEmail: 'erin' }, 'domain_not_verified'],
    ['account in another org (U6: answered as not found)', { account: account({ orgSid: ORG_B }) }, 'not_found'],
    ['account already managed here', { account: account() }, 'already_in_org'],
    ['account already pending here', { account: account({ management: 'pending' }) }, 'already_in_org'],
    ['independent account of this org', { account: account({ management: 'independent', ownerSid: external }) }, 'pending'],
    ['closed account', { account: account({ orgSid: null, management: null, status: 'closed' }) }, 'account_closed'],
    ['a subaccount', { account: account({ orgSid: null, management: null, parentSid: sid('AC', 2) }) }, 'invalid_input'],
    ['9 accounts held', { heldAccountCount: 9 }, 'pending'],
    ['10 accounts held', { heldAccountCount: 10 }, 'account_limit_reached'],
  ])('R-A3: %s → %s', (_label, over, expected) => {
    expect(code(decideAccountImport(input(over)))).toBe(expected);
  });
});

describe('decideImportConfirmation (A3)', () => {
  const pending = account({ management: 'pending', ownerSid: external });
  it.each<[string, AccountSnapshot, string, string]>([
    ['the owner confirms', pending, external, 'confirm'],
    ['someone else confirms', pending, ADMIN, 'forbidden'],
    ['nothing pending', account({ ownerSid: external }), external, 'not_found'],
    ['pending for another org', account({ management: 'pending', ownerSid: external, orgSid: ORG_B }), external, 'not_found'],
  ])('R-A3: %s → %s', (_label, a, confirmer, expected) => {
    expect(code(decideImportConfirmation(a, ORG_A, confirmer))).toBe(expected);
  });

  it('R-A3: a confirmed import becomes managed', () => {
    expect(decideImportConfirmation(pending, ORG_A, external)).toMatchObject({ management: 'managed' });
  });
});

describe('decideMakeIndependent (A1, A4)', () => {
  it.each<[string, AccountSnapshot, string]>([
    ["an account owned by a standard user", account({ ownerSid: STANDARD }), 'make_independent'],
    ["an account owned by the Owner", account({ ownerSid: OWNER }), 'owner_accounts_managed'],
    ['a subaccount', account({ ownerSid: STANDARD, parentSid: sid('AC', 2) }), 'invalid_input'],
    ['an already independent account', account({ management: 'independent' }), 'account_not_managed'],
    ['a pending account', account({ management: 'pending' }), 'account_pending'],
  ])('R-A4: releasing %s → %s', (_label, a, expected) => {
    expect(code(decideMakeIndependent(a, ORG_A, OWNER))).toBe(expected);
  });
});

describe('decideOwnershipTransfer (A6)', () => {
  it.each<[string, AccountSnapshot, MemberSnapshot, string]>([
    ['to an admin of the org', account(), admin(), 'transfer'],
    ['to the Owner', account(), owner(), 'transfer'],
    ['R-A6: to a suspended member of the org', account(), admin({ status: 'suspended' }), 'transfer_target_not_managed'],
    ['to the current owner', account({ ownerSid: STANDARD }), member(), 'unchanged'],
    ['to a user of another org', account(), outsider(), 'transfer_target_not_managed'],
    ['to a user without organization', account(), member({ userSid: external, orgSid: null, role: null }), 'transfer_target_not_managed'],
    ['of an independent account', account({ management: 'independent' }), admin(), 'account_not_managed'],
    ['of a pending account', account({ management: 'pending' }), admin(), 'account_pending'],
    ['of a closed account', account({ status: 'closed' }), admin(), 'account_closed'],
    ['of a subaccount', account({ parentSid: sid('AC', 2) }), admin(), 'invalid_input'],
  ])('R-A6: transfer %s → %s', (_label, a, to, expected) => {
    expect(code(decideOwnershipTransfer(a, ORG_A, to))).toBe(expected);
  });

  it('R-A6: the transfer names both owners', () => {
    expect(decideOwnershipTransfer(account(), ORG_A, admin())).toEqual({
      kind: 'transfer', accountSid: sid('AC', 1), fromSid: STANDARD, toSid: ADMIN,
    });
  });
});
