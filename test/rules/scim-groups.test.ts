import { describe, expect, it } from '@jest/globals';
import { decideEffectiveAccess } from '../../src/rules/index.js';
import type { GroupMapping, Role } from '../../src/rules/index.js';

const g = (role: GroupMapping['role'], ...accountSids: string[]): GroupMapping => ({ role, accountSids });

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
    expect(decideEffectiveAccess(current, mappings)).toEqual({ role, accountSids });
  });

  it('R-C5: no group ever grants Owner', () => {
    const roles = (['admin', 'standard', null] as const).map((r) => decideEffectiveAccess(r, [g('admin'), g('standard')]).role);
    expect(roles).not.toContain('owner');
  });
});
