import { describe, expect, it } from '@jest/globals';
import { ACTIONS, can, decideAction, decideActOnUser } from '../../src/rules/index.js';
import type { Action, ActionTarget, MemberSnapshot, Role } from '../../src/rules/index.js';
import { ADMIN, ORG_B, STANDARD, account, admin, member, outsider, owner, sid, standard } from './builders.js';

const ADMIN_ACTIONS: Action[] = [
  'view_organization', 'access_account', 'create_account', 'manage_users', 'manage_accounts', 'manage_settings',
  'manage_domains', 'view_domains', 'manage_sso', 'manage_scim', 'manage_hipaa', 'bulk_import', 'merge', 'view_audit',
  'view_users',
];
const STANDARD_ACTIONS: Action[] = ['view_organization', 'access_account', 'create_account'];

describe('can (O3)', () => {
  const matrix = ACTIONS.flatMap((action) => (['owner', 'admin', 'standard'] as Role[]).map((role) => [role, action] as const));
  it.each(matrix)('R-O3: %s may %s?', (role, action) => {
    const expected = role === 'owner' || (role === 'admin' ? ADMIN_ACTIONS : STANDARD_ACTIONS).includes(action);
    expect(can(role, action)).toBe(expected);
  });

  it('R-O2: only the Owner may hand over the Owner role', () => {
    expect(['owner', 'admin', 'standard'].filter((r) => can(r as Role, 'transfer_ownership_of_org'))).toEqual(['owner']);
  });

  it('R-O3: no role at all may do nothing', () => {
    expect(ACTIONS.some((a) => can(null, a))).toBe(false);
  });
});

describe('decideAction (O3, U2, A7)', () => {
  const granted = sid('AC', 7);
  const other = sid('AC', 8);
  it.each<[string, MemberSnapshot, Action, ActionTarget, string]>([
    ['admin manages SSO', admin(), 'manage_sso', {}, 'allow'],
    ['standard user manages SSO', standard(), 'manage_sso', {}, 'forbidden'],
    ['admin in another org', admin(), 'manage_users', { orgSid: ORG_B }, 'forbidden'],
    ['user without organization', member({ orgSid: null, role: null }), 'view_organization', {}, 'forbidden'],
    ['suspended admin', admin({ status: 'suspended' }), 'manage_users', {}, 'user_suspended'],
    ['standard user creates an account (A5)', standard(), 'create_account', {}, 'allow'],
    ['standard user uses a granted account', standard(), 'access_account', { account: account({ sid: granted, ownerSid: ADMIN }), grantedAccountSids: [granted] }, 'allow'],
    ['standard user uses an ungranted account', standard(), 'access_account', { account: account({ sid: other, ownerSid: ADMIN }), grantedAccountSids: [granted] }, 'forbidden'],
    ['standard user uses a subaccount of a granted account (A7)', standard(), 'access_account', { account: account({ sid: other, parentSid: granted, ownerSid: ADMIN }), grantedAccountSids: [granted] }, 'allow'],
    ['standard user uses an account they own (U2)', standard(), 'access_account', { account: account({ ownerSid: STANDARD }) }, 'allow'],
    ['admin uses any managed account', admin(), 'access_account', { account: account({ ownerSid: STANDARD }) }, 'allow'],
    ['admin uses an independent account without grant', admin(), 'access_account', { account: account({ management: 'independent', ownerSid: sid('US', 99) }) }, 'forbidden'],
    ['admin uses an independent account with a grant', admin(), 'access_account', { account: account({ sid: granted, management: 'independent', ownerSid: sid('US', 99) }), grantedAccountSids: [granted] }, 'allow'],
    ['admin uses an account of another org', admin(), 'access_account', { account: account({ orgSid: ORG_B, ownerSid: sid('US', 99) }) }, 'forbidden'],
    ['access_account without an account', owner(), 'access_account', {}, 'forbidden'],
  ])('R-O3: %s → %s', (_label, actor, action, target, expected) => {
    const decision = decideAction(actor, action, target);
    expect(decision.kind === 'reject' ? decision.code : decision.kind).toBe(expected);
  });

  it('R-O3: a refusal names what the role cannot do', () => {
    const decision = decideAction(standard(), 'manage_domains');
    expect(decision.kind === 'reject' && decision.message).toContain('manage domains');
  });
});

describe('decideActOnUser (U6)', () => {
  it.each<[string, MemberSnapshot, MemberSnapshot, string]>([
    ['admin on a standard user of the org', admin(), standard(), 'allow'],
    ['owner on an admin', owner(), admin(), 'allow'],
    ['admin on another admin', admin(), admin({ userSid: sid('US', 9) }), 'allow'],
    ['admin on a user of another org', admin(), outsider(), 'not_a_member'],
    ['admin on a user without organization', admin(), member({ orgSid: null, role: null }), 'not_a_member'],
    ['admin on the Owner', admin(), owner(), 'forbidden'],
    ['standard user on another user', standard(), admin(), 'forbidden'],
    ['suspended admin', admin({ status: 'suspended' }), standard(), 'user_suspended'],
  ])('R-U6: %s → %s', (_label, actor, target, expected) => {
    const decision = decideActOnUser(actor, target);
    expect(decision.kind === 'reject' ? decision.code : decision.kind).toBe(expected);
  });
});
