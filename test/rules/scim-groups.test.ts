import { describe, expect, it } from '@jest/globals';
import { decideEffectiveAccess, decideGroupMappingRole, decideGroupRole } from '../../src/rules/index.js';
import type { GroupMapping, Role } from '../../src/rules/index.js';

const DEV = 'IX64216e518eba883b40506bd4e5494ba8';
const g = (role: GroupMapping['role'], ...accountSids: string[]): GroupMapping => ({ role, accountRoles: accountSids.map((accountSid) => ({ accountSid, roleSid: DEV })) });

describe('decideEffectiveAccess (C5)', () => {
  it.each<[string, Role | null, GroupMapping[], Role, string[]]>([
    ['no groups', 'standard', [], 'standard', []],
    ['no groups, was admin', 'admin', [], 'standard', []],
    ['only unmapped groups', 'admin', [g(null), g(null)], 'standard', []],
    ['a standard group with grants', null, [g('standard', 'AC2', 'AC1')], 'standard', ['AC1', 'AC2']],
    ['an admin group', 'standard', [g('admin')], 'admin', []],
    ['admin and standard groups: highest wins', 'standard', [g('standard', 'AC1'), g('admin', 'AC3')], 'admin', ['AC1', 'AC3']],
    ['leaving the admin group', 'admin', [g('standard', 'AC1')], 'standard', ['AC1']],
    ['overlapping grants are deduplicated and sorted', null, [g('standard', 'AC3', 'AC1'), g(null, 'AC1', 'AC2')], 'standard', ['AC1', 'AC2', 'AC3']],
    ['the Owner in a standard group stays Owner', 'owner', [g('standard', 'AC1')], 'owner', ['AC1']],
    ['the Owner in no group stays Owner', 'owner', [], 'owner', []],
  ])('R-C5: %s → %s', (_label, current, mappings, role, accountSids) => {
    expect(decideEffectiveAccess(current, mappings)).toEqual({ role, accountSids, accountRoles: accountSids.map((accountSid) => ({ accountSid, roleSid: DEV })) });
  });

  it('R-C5: no group ever grants Owner', () => {
    const roles = (['admin', 'standard', null] as const).map((r) => decideEffectiveAccess(r, [g('admin'), g('standard')]).role);
    expect(roles).not.toContain('owner');
  });
});

describe('decideGroupRole (C5)', () => {
  it.each<[string, Role, GroupMapping['role'], GroupMapping[], Role, GroupMapping['role']]>([
    ['the highest role given by groups wins', 'standard', null, [g('standard'), g('admin')], 'admin', 'admin'],
    ['a grants-only mapping does not demote an administrator set by hand', 'admin', null, [g(null, 'AC1')], 'admin', null],
    ['losing the last role-giving group returns a group-made admin to Standard', 'admin', 'admin', [g(null, 'AC1')], 'standard', null],
    ['no groups at all: a group-made admin returns to Standard', 'admin', 'admin', [], 'standard', null],
    ['no groups at all: a hand-made admin stays', 'admin', null, [], 'admin', null],
    ['a Standard group demotes a group-made admin', 'admin', 'admin', [g('standard')], 'standard', 'standard'],
    ['the Owner stays Owner whatever the groups say', 'owner', null, [g('standard')], 'owner', 'standard'],
  ])('R-C5: %s', (_label, current, previous, mappings, role, given) => {
    expect(decideGroupRole(current, previous as 'admin' | 'standard' | null, mappings)).toEqual({ role, groupGivenRole: given });
  });
});

describe('decideGroupMappingRole (C5)', () => {
  it.each([
    [undefined, null], [null, null], ['admin', 'admin'], ['standard', 'standard'],
    ['owner', 'invalid_input'], ['Admin', 'invalid_input'], [1, 'invalid_input'],
  ])('R-C5: mapping role %p → %p (no group grants Owner)', (role, expected) => {
    const d = decideGroupMappingRole(role);
    expect(d.kind === 'reject' ? d.code : d.role).toBe(expected);
  });
});
