import { describe, expect, it } from '@jest/globals';
import { decideScimIdentityChange, decideScimUserChange } from '../../src/rules/index.js';
import type { MemberSnapshot, ScimIdentity, ScimUserChange } from '../../src/rules/index.js';
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

describe('decideScimIdentityChange (C4)', () => {
  const work = (value: string) => ({ value, type: 'work', primary: true });
  const base: ScimIdentity = { userName: 'owner@corp.example', emails: [work('owner@corp.example')], active: true };
  type Change = Partial<ScimIdentity>;
  it.each<[string, Change, string]>([
    ['nothing changes', {}, 'allow'],
    ['userName differs only in case', { userName: 'OWNER@corp.example' }, 'allow'],
    ['emails in another order, other case', { emails: [work('Owner@Corp.example')] }, 'allow'],
    ['userName changes', { userName: 'mallory@corp.example' }, 'owner_required'],
    ['the email changes', { emails: [work('mallory@corp.example')] }, 'owner_required'],
    ['an email is added', { emails: [work('owner@corp.example'), { value: 'x@corp.example', type: 'home' }] }, 'owner_required'],
    ['primary moves', { emails: [{ value: 'owner@corp.example', type: 'work' }] }, 'owner_required'],
    ['active becomes false', { active: false }, 'owner_required'],
  ])('R-C4: the Owner, %s → %s', (_label, change, expected) => {
    const d = decideScimIdentityChange(owner(), base, { ...base, ...change });
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it('R-C4: any member but the Owner may change identity', () => {
    for (const target of [admin(), standard()]) {
      expect(decideScimIdentityChange(target, base, { userName: 'x@corp.example', emails: [], active: false }).kind).toBe('allow');
    }
  });

  it('R-C4: the refusal names what changed and what to do instead', () => {
    const d = decideScimIdentityChange(owner(), base, { ...base, userName: 'x@corp.example', active: false });
    expect(d).toMatchObject({ kind: 'reject', code: 'owner_required' });
    expect(d.kind === 'reject' && d.message).toMatch(/userName and active cannot be changed through SCIM \(C4\).*hand over the Owner role/);
  });
});
