import { describe, expect, it } from '@jest/globals';
import { MAX_BULK_IMPORT_ROWS, planBulkImport } from '../../src/rules/index.js';
import type { BulkImportContext, BulkImportRow } from '../../src/rules/index.js';
import { ORG_B, STANDARD, admin, domain, member, org, owner, sid, standard } from './builders.js';

const context = (over: Partial<BulkImportContext> = {}): BulkImportContext => ({
  org: org(),
  orgDomains: [domain(), domain({ name: 'blocked.com', policy: 'blocked' }), domain({ name: 'pending.com', verified: false })],
  members: [
    owner(),
    admin(),
    standard(),
    member({ userSid: sid('US', 0x40), orgSid: ORG_B, role: 'standard', email: 'elsewhere@corporate.com' }),
    member({ userSid: sid('US', 0x41), orgSid: null, role: null, email: 'loner@corporate.com' }),
  ],
  ...over,
});

describe('planBulkImport (B1)', () => {
  it('R-B1: refused while an operator has not enabled it', () => {
    expect(planBulkImport([{ line: 2, email: 'new@corporate.com' }], context({ org: org({ bulkImportEnabled: false }) })))
      .toMatchObject({ kind: 'reject', code: 'bulk_import_disabled' });
  });

  it.each([
    ['an empty file', 0],
    ['a file over the row limit', MAX_BULK_IMPORT_ROWS + 1],
  ])('R-B2: %s is refused as a whole', (_label, count) => {
    const rows = Array.from({ length: count }, (_, i) => ({ line: i + 2, email: `u${i}@corporate.com` }));
    expect(planBulkImport(rows, context())).toMatchObject({ kind: 'reject', code: 'invalid_input' });
  });
});

describe('planBulkImport (B2)', () => {
  // Each row on its own: where it lands, and the code or action.
  it.each<[string, BulkImportRow, string]>([
    ['a new person, no role', { line: 2, email: 'New@Corporate.com' }, 'apply:add:standard'],
    ['a new person as admin', { line: 2, email: 'new@corporate.com', role: ' Admin ' }, 'apply:add:admin'],
    ['a user without organization', { line: 2, email: 'loner@corporate.com' }, 'apply:add:standard'],
    ['a member with the same role', { line: 2, email: 'sam@corporate.com', role: 'standard' }, 'skip:already_member'],
    ['a member with another role', { line: 2, email: 'sam@corporate.com', role: 'admin' }, 'skip:role_not_updated'],
    ['an Administrator as standard', { line: 2, email: 'adam@corporate.com', role: 'standard' }, 'skip:role_not_updated'],
    ['the Owner as standard', { line: 2, email: 'olga@corporate.com', role: 'standard' }, 'skip:role_not_updated'],
    ['an owner role', { line: 2, email: 'new@corporate.com', role: 'owner' }, 'error:invalid_input'],
    ['an unknown role', { line: 2, email: 'new@corporate.com', role: 'superuser' }, 'error:invalid_input'],
    ['an invalid email', { line: 2, email: 'not-an-email' }, 'error:invalid_input'],
    ['an unverified domain', { line: 2, email: 'x@pending.com' }, 'error:domain_not_verified'],
    ['a common domain', { line: 2, email: 'x@gmail.com' }, 'error:domain_not_verified'],
    ['a subdomain of a verified domain', { line: 2, email: 'x@stage.corporate.com' }, 'error:domain_not_verified'],
    ['a blocked domain', { line: 2, email: 'x@blocked.com' }, 'error:domain_blocked'],
    ['a member of another org', { line: 2, email: 'elsewhere@corporate.com' }, 'error:member_of_other_org'],
    ['a too-long name', { line: 2, email: 'new@corporate.com', name: 'n'.repeat(129) }, 'error:invalid_input'],
  ])('R-B2: %s → %s', (_label, row, expected) => {
    const plan = planBulkImport([row], context());
    if (plan.kind !== 'plan') throw new Error('expected a plan');
    const found = [
      ...plan.apply.map((a) => `apply:${a.action}:${a.role}`),
      ...plan.skip.map((s) => `skip:${s.reason}`),
      ...plan.errors.map((e) => `error:${e.code}`),
    ];
    expect(found).toEqual([expected]);
  });

  it('R-B2: bad rows are reported with their line, good rows applied, duplicates caught', () => {
    const rows: BulkImportRow[] = [
      { line: 2, email: 'ann@corporate.com', name: '  Ann Lee ' },
      { line: 3, email: 'bad' },
      { line: 4, email: 'ANN@corporate.com', role: 'admin' },
      { line: 5, email: 'adam@corporate.com', role: 'admin' },
      { line: 6, email: 'ann+2@corporate.com' },
    ];
    const plan = planBulkImport(rows, context());
    expect(plan).toEqual({
      kind: 'plan',
      apply: [
        { line: 2, email: 'ann@corporate.com', role: 'standard', name: 'Ann Lee', action: 'add', userSid: null },
        { line: 6, email: 'ann+2@corporate.com', role: 'standard', name: null, action: 'add', userSid: null },
      ],
      skip: [{ line: 5, email: 'adam@corporate.com', reason: 'already_member', role: 'admin' }],
      errors: [
        { line: 3, email: 'bad', code: 'invalid_input', message: expect.any(String) },
        { line: 4, email: 'ANN@corporate.com', code: 'invalid_input', message: expect.stringContaining('line 2') },
      ],
    });
  });

  it('R-B2: an existing member keeps their role and is reported unchanged, with the role asked for', () => {
    const plan = planBulkImport([{ line: 4, email: 'adam@corporate.com', role: 'standard' }], context());
    expect(plan).toEqual({
      kind: 'plan', apply: [], errors: [],
      skip: [{ line: 4, email: 'adam@corporate.com', reason: 'role_not_updated', role: 'admin', requestedRole: 'standard' }],
    });
  });

  it.each<[string, BulkImportRow, string]>([
    ['a member with another role', { line: 2, email: 'sam@corporate.com', role: 'admin' }, 'apply:change_role:admin'],
    ['an Administrator as standard', { line: 2, email: 'adam@corporate.com', role: 'standard' }, 'apply:change_role:standard'],
    ['a member with the same role', { line: 2, email: 'sam@corporate.com', role: 'standard' }, 'skip:already_member'],
    ['the Owner as standard (O2)', { line: 2, email: 'olga@corporate.com', role: 'standard' }, 'error:owner_required'],
    ['a new person', { line: 2, email: 'new@corporate.com', role: 'admin' }, 'apply:add:admin'],
  ])('R-B2: asked to update roles: %s → %s', (_label, row, expected) => {
    const plan = planBulkImport([row], context({ updateRoles: true }));
    if (plan.kind !== 'plan') throw new Error('expected a plan');
    expect([
      ...plan.apply.map((a) => `apply:${a.action}:${a.role}`),
      ...plan.skip.map((s) => `skip:${s.reason}`),
      ...plan.errors.map((e) => `error:${e.code}`),
    ]).toEqual([expected]);
  });

  it('R-B2: running the same file again changes nothing', () => {
    const rows: BulkImportRow[] = [
      { line: 2, email: 'ann@corporate.com', role: 'admin' },
      { line: 3, email: 'sam@corporate.com', role: 'admin' },
    ];
    const first = planBulkImport(rows, context({ updateRoles: true }));
    if (first.kind !== 'plan') throw new Error('expected a plan');
    expect(first.apply).toHaveLength(2);
    // Apply the first run: Ann joins as admin, Sam becomes admin.
    const after = context({
      members: [owner(), admin(), standard({ role: 'admin' }), member({ userSid: sid('US', 0x50), email: 'ann@corporate.com', role: 'admin' })],
    });
    const second = planBulkImport(rows, { ...after, updateRoles: true });
    expect(second).toMatchObject({ kind: 'plan', apply: [], errors: [] });
    if (second.kind === 'plan') expect(second.skip.map((s) => s.line)).toEqual([2, 3]);
  });

  it('R-B2: a role change names the existing user', () => {
    const plan = planBulkImport([{ line: 9, email: 'sam@corporate.com', role: 'admin' }], context({ updateRoles: true }));
    expect(plan).toMatchObject({ apply: [{ action: 'change_role', userSid: STANDARD }] });
  });
});
