import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  ACCOUNT_ADMINISTRATOR_ROLE_SID, BUILT_IN_ROLE_SIDS, DEVELOPER_ROLE_SID, decideAccountPermission, decideAssignmentQuery,
  decideCustomRole, decideEffectiveAccess, decideRoleForScope, decideRolePermissions, decideScope, effectiveAccountRoles,
  findRole, normalisePermissions,
} from '../../src/rules/index.js';
import type { AccountRoleAssignment, AccountSnapshot, GroupMapping, MemberSnapshot, RoleSnapshot } from '../../src/rules/index.js';
import { ORG_A, account, admin, outsider, owner, sid, standard } from './builders.js';

const SUPPORT = BUILT_IN_ROLE_SIDS.account.Support;
const BILLING = BUILT_IN_ROLE_SIDS.account['Billing Manager'];
const CUSTOM = 'IX' + 'c'.repeat(32);
const role = (sidValue: string, name: string, permissions: string[], over: Partial<RoleSnapshot> = {}): RoleSnapshot =>
  ({ sid: sidValue, name, kind: 'built_in', scopeType: 'account', permissions, orgRole: null, ...over });
const CATALOGUE: RoleSnapshot[] = [
  role(ACCOUNT_ADMINISTRATOR_ROLE_SID, 'Administrator', []),
  role(DEVELOPER_ROLE_SID, 'Developer', ['messages:send', 'calls:create']),
  role(BILLING, 'Billing Manager', ['billing:read', 'billing:write']),
  role(SUPPORT, 'Support', ['tickets:read']),
  role(BUILT_IN_ROLE_SIDS.account['Read-only'], 'Read-only', []),
  role(CUSTOM, 'Auditor', ['audit:read'], { kind: 'custom' }),
  role(BUILT_IN_ROLE_SIDS.organization.Administrator, 'Administrator', [], { scopeType: 'organization', orgRole: 'admin' }),
];

const MANAGED = account();
const INDEPENDENT = account({ sid: sid('AC', 2), management: 'independent', ownerSid: sid('US', 99) });
const SUB = account({ sid: sid('AC', 3), parentSid: MANAGED.sid });
const on = (a: AccountSnapshot, roleSid: string): AccountRoleAssignment => ({ accountSid: a.sid, roleSid });

describe('built-in role SIDs (R1)', () => {
  it('R1: every built-in role has the stable SID derived from its scope and name', () => {
    for (const [scope, roles] of Object.entries(BUILT_IN_ROLE_SIDS)) {
      for (const [name, value] of Object.entries(roles)) {
        expect(value).toBe(`IX${createHash('sha256').update(`orgward:role:${scope}:${name}`).digest('hex').slice(0, 32)}`);
      }
    }
  });
});

describe('decideAccountPermission (R2-R5)', () => {
  it.each<[string, MemberSnapshot, AccountSnapshot, string, AccountRoleAssignment[], 'allow' | 'reject']>([
    ['R2: the Owner is account Administrator of every managed account without an assignment', owner(), MANAGED, 'anything:at-all', [], 'allow'],
    ['R2: an Administrator is account Administrator of every managed account', admin(), MANAGED, 'billing:write', [], 'allow'],
    ['R2: on an independent account the Owner holds only assigned roles', owner(), INDEPENDENT, 'messages:send', [], 'reject'],
    ['R2: on an independent account an assigned role counts for the Owner too', owner(), INDEPENDENT, 'messages:send', [on(INDEPENDENT, DEVELOPER_ROLE_SID)], 'allow'],
    ['R2: an Administrator holds on an independent account only what is assigned', admin(), INDEPENDENT, 'billing:read', [on(INDEPENDENT, DEVELOPER_ROLE_SID)], 'reject'],
    ['R3: a Standard User without assignment gets nothing', standard(), MANAGED, 'messages:send', [], 'reject'],
    ['R3: a Standard User holds exactly the assigned role', standard(), MANAGED, 'messages:send', [on(MANAGED, DEVELOPER_ROLE_SID)], 'allow'],
    ['R3: a permission outside the assigned role is refused', standard(), MANAGED, 'billing:read', [on(MANAGED, DEVELOPER_ROLE_SID)], 'reject'],
    ['R3: several roles on one account add up (union)', standard(), MANAGED, 'billing:read', [on(MANAGED, DEVELOPER_ROLE_SID), on(MANAGED, BILLING)], 'allow'],
    ['R3: a role on another account does not count', standard(), MANAGED, 'messages:send', [on(INDEPENDENT, DEVELOPER_ROLE_SID)], 'reject'],
    ['R3: a custom role grants its permissions', standard(), MANAGED, 'audit:read', [on(MANAGED, CUSTOM)], 'allow'],
    ['R1: an assigned account Administrator holds every permission', standard(), MANAGED, 'whatever:the-product-says', [on(MANAGED, ACCOUNT_ADMINISTRATOR_ROLE_SID)], 'allow'],
    ['R1: a built-in role whose permissions were never set holds none', standard(), MANAGED, 'messages:send', [on(MANAGED, BUILT_IN_ROLE_SIDS.account['Read-only'])], 'reject'],
    ['R4: a role on the parent account applies to its subaccounts', standard(), SUB, 'messages:send', [on(MANAGED, DEVELOPER_ROLE_SID)], 'allow'],
    ['R4: an assignment naming a subaccount does not count', standard(), SUB, 'messages:send', [on(SUB, DEVELOPER_ROLE_SID)], 'reject'],
    ['R2, R4: the Owner reaches subaccounts of managed accounts', owner(), SUB, 'messages:send', [], 'allow'],
    ['R5: a suspended user gets nothing, even as Owner', owner({ status: 'suspended' }), MANAGED, 'messages:send', [], 'reject'],
    ['R5: a suspended Standard User loses assigned roles', standard({ status: 'suspended' }), MANAGED, 'messages:send', [on(MANAGED, DEVELOPER_ROLE_SID)], 'reject'],
    ['R5: a closed account gives nothing', owner(), account({ status: 'closed' }), 'messages:send', [], 'reject'],
    ['R5: a suspended account gives nothing', standard(), account({ status: 'suspended' }), 'messages:send', [on(MANAGED, DEVELOPER_ROLE_SID)], 'reject'],
    ['R5: a user outside the organization gets nothing', outsider(), MANAGED, 'messages:send', [on(MANAGED, DEVELOPER_ROLE_SID)], 'reject'],
    ['R5: a user of no organization gets nothing', standard({ orgSid: null, role: null }), MANAGED, 'messages:send', [on(MANAGED, DEVELOPER_ROLE_SID)], 'reject'],
    ['R5, A1: a pending import is not the organization\'s yet', owner(), account({ management: 'pending' }), 'messages:send', [], 'reject'],
    ['R5: an organization role in the assignments never counts on an account', standard(), MANAGED, 'messages:send', [on(MANAGED, BUILT_IN_ROLE_SIDS.organization.Administrator)], 'reject'],
  ])('%s', (_label, user, acct, permission, assignments, expected) => {
    const decision = decideAccountPermission(user, acct, permission, assignments, CATALOGUE);
    expect(decision.kind).toBe(expected);
    if (decision.kind === 'reject') expect(decision.code).toBe('forbidden');
  });

  it('R5: a malformed permission is invalid input, not an Administrator wildcard', () => {
    expect(decideAccountPermission(owner(), MANAGED, 'DROP TABLE', [], CATALOGUE)).toMatchObject({ kind: 'reject', code: 'invalid_input' });
  });

  it('R3: effective roles list the roles and the union of their permissions', () => {
    expect(effectiveAccountRoles(standard(), MANAGED, [on(MANAGED, SUPPORT), on(MANAGED, DEVELOPER_ROLE_SID), on(MANAGED, SUPPORT)], CATALOGUE)).toEqual({
      roleSids: [DEVELOPER_ROLE_SID, SUPPORT].sort(), allPermissions: false, permissions: ['calls:create', 'messages:send', 'tickets:read'],
    });
  });
});

describe('C5 extended: groups map to an organization role and (account, role) pairs', () => {
  const g = (r: GroupMapping['role'], ...pairs: AccountRoleAssignment[]): GroupMapping => ({ role: r, accountRoles: pairs });
  it('R-C5, R3: account roles from several groups add up; the highest organization role wins', () => {
    const result = decideEffectiveAccess('standard', [g('standard', on(MANAGED, DEVELOPER_ROLE_SID)), g('admin', on(MANAGED, BILLING), on(INDEPENDENT, SUPPORT)), g(null, on(MANAGED, DEVELOPER_ROLE_SID))]);
    expect(result.role).toBe('admin');
    expect(result.accountSids).toEqual([MANAGED.sid, INDEPENDENT.sid].sort());
    expect(result.accountRoles).toEqual([on(MANAGED, DEVELOPER_ROLE_SID), on(MANAGED, BILLING), on(INDEPENDENT, SUPPORT)]
      .sort((x, y) => `${x.accountSid}:${x.roleSid}`.localeCompare(`${y.accountSid}:${y.roleSid}`)));
  });
  it('R-C5: no group grants Owner', () => {
    expect(decideEffectiveAccess('admin', [g('admin', on(MANAGED, ACCOUNT_ADMINISTRATOR_ROLE_SID))]).role).toBe('admin');
  });
});

describe('the catalogue (R1)', () => {
  it.each<[string, unknown, 'ok' | 'invalid_input']>([
    ['resource:action', ['messages:send'], 'ok'],
    ['deeper paths', ['calls:recordings:read'], 'ok'],
    ['upper case', ['Messages:Send'], 'invalid_input'],
    ['no action', ['messages'], 'invalid_input'],
    ['not a list', 'messages:send', 'invalid_input'],
    ['not strings', [42], 'invalid_input'],
  ])('R1: permission strings: %s', (_label, value, expected) => {
    const decision = normalisePermissions(value);
    expect(decision.kind === 'permissions' ? 'ok' : decision.code).toBe(expected);
  });

  it('R1: duplicates are dropped and the list sorted', () => {
    expect(normalisePermissions(['b:x', 'a:y', 'b:x'])).toEqual({ kind: 'permissions', permissions: ['a:y', 'b:x'] });
  });

  it('R1: a custom role needs a new name (any case) among account roles', () => {
    expect(decideCustomRole('auditor', ['audit:read'], CATALOGUE)).toMatchObject({ kind: 'reject', code: 'role_exists' });
    expect(decideCustomRole('  ', [], CATALOGUE)).toMatchObject({ kind: 'reject', code: 'invalid_input' });
    expect(decideCustomRole(' Campaigns ', ['messages:send'], CATALOGUE)).toEqual({ kind: 'create', name: 'Campaigns', permissions: ['messages:send'] });
  });

  it.each<[string, RoleSnapshot | null, unknown, string]>([
    ['R1: the account Administrator holds every permission and cannot be narrowed', CATALOGUE[0]!, ['messages:send'], 'role_built_in'],
    ['R1: organization roles carry no permission strings (O3)', CATALOGUE[6]!, ['messages:send'], 'role_built_in'],
    ['R1: an unknown role is not found', null, [], 'not_found'],
    ['R1: the operator sets a built-in role\'s permissions', CATALOGUE[4]!, ['messages:read'], 'set'],
    ['R1: the same permissions change nothing', CATALOGUE[1]!, ['messages:send', 'calls:create'], 'unchanged'],
    ['R1: a custom role\'s permissions can be set', CATALOGUE[5]!, ['audit:read', 'audit:export'], 'set'],
  ])('%s', (_label, r, permissions, expected) => {
    const decision = decideRolePermissions(r, permissions);
    expect(decision.kind === 'reject' ? decision.code : decision.kind).toBe(expected);
  });

  it('R1: roles are found by SID or by name, within their scope', () => {
    expect(findRole(CATALOGUE, 'billing manager', 'account')?.sid).toBe(BILLING);
    expect(findRole(CATALOGUE, SUPPORT, 'account')?.name).toBe('Support');
    expect(findRole(CATALOGUE, BUILT_IN_ROLE_SIDS.organization.Administrator, 'account')).toBeNull();
  });
});

describe('role assignments (R1, O2, O3, U6)', () => {
  it('R1: scopes are this organization or an account; another organization is not found (U6)', () => {
    expect(decideScope(ORG_A, ORG_A)).toEqual({ kind: 'scope', scope: { kind: 'organization', orgSid: ORG_A } });
    expect(decideScope(MANAGED.sid, ORG_A)).toEqual({ kind: 'scope', scope: { kind: 'account', accountSid: MANAGED.sid } });
    expect(decideScope(sid('OR', 0xb), ORG_A)).toMatchObject({ kind: 'reject', code: 'not_found' });
    expect(decideScope('US' + '0'.repeat(32), ORG_A)).toMatchObject({ kind: 'reject', code: 'invalid_input' });
  });

  it('R1, O2: account roles go on accounts, organization roles on the organization', () => {
    expect(decideRoleForScope(CATALOGUE[1]!, { kind: 'account', accountSid: MANAGED.sid }).kind).toBe('allow');
    expect(decideRoleForScope(CATALOGUE[1]!, { kind: 'organization', orgSid: ORG_A })).toMatchObject({ code: 'invalid_input' });
    expect(decideRoleForScope(CATALOGUE[6]!, { kind: 'account', accountSid: MANAGED.sid })).toMatchObject({ code: 'invalid_input' });
    expect(decideRoleForScope(null, { kind: 'organization', orgSid: ORG_A })).toMatchObject({ code: 'not_found' });
  });

  it.each<[string, MemberSnapshot | null, string | undefined, string | undefined, string]>([
    ['identity or scope is required', owner(), undefined, undefined, 'invalid_input'],
    ['O3: the Owner lists anyone\'s', owner(), standard().userSid, undefined, 'allow'],
    ['O3: an Administrator lists by scope', admin(), undefined, MANAGED.sid, 'allow'],
    ['O3: a Standard User lists their own', standard(), standard().userSid, MANAGED.sid, 'allow'],
    ['O3: a Standard User cannot list someone else\'s', standard(), admin().userSid, undefined, 'forbidden'],
    ['O3: a Standard User cannot list a whole account', standard(), undefined, MANAGED.sid, 'forbidden'],
    ['the operator lists anything', null, undefined, ORG_A, 'allow'],
  ])('%s', (_label, viewer, identity, scope, expected) => {
    const decision = decideAssignmentQuery(viewer, identity, scope);
    expect(decision.kind === 'reject' ? decision.code : decision.kind).toBe(expected);
  });
});
