import { describe, expect, it } from '@jest/globals';
import {
  decideRemoveMember, decideRoleChange, decideSuspendMember, planOwnerHandover,
} from '../../src/rules/index.js';
import type { MemberSnapshot, Role } from '../../src/rules/index.js';
import { ADMIN, ORG_A, OWNER, admin, member, outsider, owner, standard } from './builders.js';

const result = (d: { kind: string; code?: string }): string => d.kind === 'reject' ? (d.code ?? '') : d.kind;

describe('planOwnerHandover (O2)', () => {
  it('R-O2: the Owner hands over to an admin and becomes Administrator', () => {
    expect(planOwnerHandover(owner(), admin())).toEqual({
      kind: 'handover', orgSid: ORG_A, newOwnerSid: ADMIN, formerOwnerSid: OWNER, formerOwnerBecomes: 'admin',
    });
  });

  it.each<[string, MemberSnapshot, MemberSnapshot, string]>([
    ['Owner to a standard user', owner(), standard(), 'handover'],
    ['admin tries to hand over', admin(), standard(), 'owner_required'],
    ['standard user tries to take over', standard(), standard(), 'owner_required'],
    ['Owner to a user of another org', owner(), outsider(), 'not_a_member'],
    ['Owner to a user without organization', owner(), member({ orgSid: null, role: null }), 'not_a_member'],
    ['Owner to themselves', owner(), owner(), 'forbidden'],
    ['Owner to a suspended member', owner(), standard({ status: 'suspended' }), 'forbidden'],
  ])('R-O2: %s → %s', (_label, actor, target, expected) => {
    expect(result(planOwnerHandover(actor, target))).toBe(expected);
  });
});

describe('decideRoleChange (O2, O3, U6)', () => {
  it.each<[string, MemberSnapshot, MemberSnapshot, Role, string]>([
    ['admin promotes a standard user', admin(), standard(), 'admin', 'change'],
    ['owner demotes an admin', owner(), admin(), 'standard', 'change'],
    ['admin sets the same role', admin(), standard(), 'standard', 'unchanged'],
    ['admin makes someone Owner', admin(), standard(), 'owner', 'owner_required'],
    ['Owner makes someone Owner (must hand over)', owner(), standard(), 'owner', 'owner_required'],
    ['admin demotes the Owner', admin(), owner(), 'standard', 'owner_required'],
    ['Owner demotes themselves (the last Owner)', owner(), owner(), 'admin', 'owner_required'],
    ['standard user promotes themselves', standard(), standard(), 'admin', 'forbidden'],
    ['admin changes a user of another org', admin(), outsider(), 'standard', 'not_a_member'],
    ['suspended admin', admin({ status: 'suspended' }), standard(), 'admin', 'user_suspended'],
  ])('R-O2: %s → %s', (_label, actor, target, role, expected) => {
    expect(result(decideRoleChange(actor, target, role))).toBe(expected);
  });
});

describe('decideRemoveMember, decideSuspendMember (O2, U6, C4)', () => {
  it.each<[string, MemberSnapshot, MemberSnapshot, string, string]>([
    ['admin on a standard user', admin(), standard(), 'remove', 'suspend'],
    ['admin on the Owner (the last Owner)', admin(), owner(), 'owner_required', 'owner_required'],
    ['Owner on themselves', owner(), owner(), 'owner_required', 'owner_required'],
    ['standard user on another', standard(), admin(), 'forbidden', 'forbidden'],
    ['admin on a user of another org', admin(), outsider(), 'not_a_member', 'not_a_member'],
    ['admin on a suspended user', admin(), standard({ status: 'suspended' }), 'remove', 'unchanged'],
  ])('R-O2/U6: %s → remove %s, suspend %s', (_label, actor, target, removal, suspension) => {
    expect(result(decideRemoveMember(actor, target))).toBe(removal);
    expect(result(decideSuspendMember(actor, target))).toBe(suspension);
  });

  it('R-O2: the refusal to remove the Owner says to hand over first', () => {
    const d = decideRemoveMember(owner(), owner());
    expect(d.kind === 'reject' && d.message).toContain('hand over');
  });
});
