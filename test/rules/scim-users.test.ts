import { describe, expect, it } from '@jest/globals';
import { decideScimUserChange } from '../../src/rules/index.js';
import type { MemberSnapshot, ScimUserChange } from '../../src/rules/index.js';
import { ORG_A, admin, member, outsider, owner, standard } from './builders.js';

describe('decideScimUserChange (C1, C3, C4)', () => {
  it.each<[string, MemberSnapshot | null, ScimUserChange, string]>([
    ['suspend an active user', standard(), 'suspend', 'suspend'],
    ['suspend a suspended user', standard({ status: 'suspended' }), 'suspend', 'unchanged'],
    ['restore a suspended user', standard({ status: 'suspended' }), 'restore', 'restore'],
    ['restore an active user', admin(), 'restore', 'unchanged'],
    ['delete a user', admin(), 'delete', 'delete'],
    ['suspend the Owner', owner(), 'suspend', 'owner_required'],
    ['delete the Owner', owner(), 'delete', 'owner_required'],
    ['touch a user of another org', outsider(), 'suspend', 'not_a_member'],
    ['touch a user without organization', member({ orgSid: null, role: null }), 'delete', 'not_a_member'],
    ['touch nobody', null, 'delete', 'not_a_member'],
  ])('R-C4: %s → %s', (_label, target, change, expected) => {
    const d = decideScimUserChange(ORG_A, target, change);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it("R-C4: a deleted user's accounts pass to the Owner", () => {
    expect(decideScimUserChange(ORG_A, standard(), 'delete')).toMatchObject({ accountsPassToOwner: true });
  });
});
