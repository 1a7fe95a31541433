import { describe, expect, it } from '@jest/globals';
import { decideBaaRecording, decideHipaaFlag, initialHipaaFlag, isHipaaDesignated } from '../../src/rules/index.js';
import type { AccountSnapshot, MemberSnapshot, OrgSnapshot } from '../../src/rules/index.js';
import { ORG_B, account, admin, org, outsider, owner, standard } from './builders.js';

const code = (d: { kind: string; code?: string }): string => d.kind === 'reject' ? (d.code ?? '') : d.kind;
const NOW = new Date('2025-06-01T12:00:00Z');
const SIGNED = new Date('2025-05-01T00:00:00Z');
const designated = org({ baaExecutedAt: SIGNED });

describe('BAA and designation (H1)', () => {
  it.each([
    [null, false],
    [SIGNED, true],
  ])('R-H1: BAA recorded %p → designated %s', (baaExecutedAt, expected) => {
    expect(isHipaaDesignated(org({ baaExecutedAt }))).toBe(expected);
  });

  it.each<[string, OrgSnapshot, Date, string]>([
    ['a past date', org(), SIGNED, 'record'],
    ['exactly now', org(), NOW, 'record'],
    ['a future date', org(), new Date(NOW.getTime() + 1), 'invalid_input'],
    ['an invalid date', org(), new Date('nope'), 'invalid_input'],
    ['a second time', designated, new Date('2025-05-20T00:00:00Z'), 'unchanged'],
  ])('R-H1: an operator records %s → %s', (_label, o, date, expected) => {
    const d = decideBaaRecording(o, date, NOW);
    expect(code(d)).toBe(expected);
    if (d.kind === 'unchanged') expect(d.baaExecutedAt).toBe(SIGNED);
  });
});

describe('decideHipaaFlag (H2)', () => {
  it.each<[string, MemberSnapshot, OrgSnapshot, AccountSnapshot, boolean, string]>([
    ['Owner flags a managed account', owner(), designated, account(), true, 'set'],
    ['admin flags a managed account', admin(), designated, account(), true, 'set'],
    ['admin clears the flag', admin(), designated, account({ hipaa: true }), false, 'set'],
    ['admin flags a flagged account', admin(), designated, account({ hipaa: true }), true, 'unchanged'],
    ['admin flags before designation', admin(), org(), account(), true, 'baa_required'],
    ['standard user flags', standard(), designated, account(), true, 'forbidden'],
    ['admin of another org flags', outsider(), designated, account(), true, 'forbidden'],
    ['admin flags an independent account', admin(), designated, account({ management: 'independent' }), true, 'account_not_managed'],
    ['admin flags a pending account', admin(), designated, account({ management: 'pending' }), true, 'account_pending'],
    ['admin flags a closed account', admin(), designated, account({ status: 'closed' }), true, 'account_closed'],
    ['admin flags an account of another org', admin(), designated, account({ orgSid: ORG_B }), true, 'not_found'],
  ])('R-H2: %s → %s', (_label, actor, o, a, hipaa, expected) => {
    expect(code(decideHipaaFlag({ actor, org: o, account: a, hipaa }))).toBe(expected);
  });

  it('R-H2: baa_required explains that a BAA is needed', () => {
    const d = decideHipaaFlag({ actor: admin(), org: org(), account: account(), hipaa: true });
    expect(d.kind === 'reject' && d.message).toContain('BAA');
  });
});

describe('initialHipaaFlag (H3)', () => {
  it.each([
    [false, null, false],
    [true, null, true],
    [false, false, false],
    [false, true, true],
    [true, false, false],
    [true, true, true],
  ])('R-H3: designated %s, parent flag %p → %s', (orgDesignated, parentHipaa, expected) => {
    expect(initialHipaaFlag({ orgDesignated, parentHipaa })).toBe(expected);
  });
});
