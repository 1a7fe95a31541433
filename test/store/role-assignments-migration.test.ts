// Issue 10: existing account grants and SCIM group mappings become role assignments (R1: a grant
// without a role is Developer; R4: none names a subaccount). Runs the migration's down (back to
// account_grants), writes data as the old schema held it, and migrates up again.
import * as migration from '../../migrations/20261207110000_create_role_assignments.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { addAccount, addMember, createOrgWithOwner } from '../support/fixtures.js';
import { DEVELOPER_ROLE_SID } from '../../src/rules/role-catalogue.js';

let ctx: TestContext;
afterAll(async () => { await ctx.close(); });

it('R1, R4: grants become Developer assignments (a subaccount grant moves to its parent); mappings get (account, Developer) pairs', async () => {
  ctx = await createTestContext();
  const db = ctx.testDb.db;
  const org = await createOrgWithOwner(ctx, { ownerEmail: 'olga@migrate.example' });
  const sam = await addMember(ctx, org.org.sid, 'sam@migrate.example');
  const parent = await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid });
  const other = await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, management: 'independent' });
  const sub = await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, parentSid: parent.sid });

  await migration.down(db);
  await db('account_grants').insert([
    { org_sid: org.org.sid, user_sid: sam.sid, account_sid: other.sid, source: 'direct' },
    { org_sid: org.org.sid, user_sid: sam.sid, account_sid: other.sid, source: 'scim' },
    { org_sid: org.org.sid, user_sid: sam.sid, account_sid: sub.sid, source: 'direct' },
    { org_sid: org.org.sid, user_sid: sam.sid, account_sid: parent.sid, source: 'direct' },
  ]);
  await db('scim_group_mappings').insert([
    { org_sid: org.org.sid, group_ref: 'Devs', role: 'standard', account_sids: [parent.sid, other.sid], created_by: 'operator' },
    { org_sid: org.org.sid, group_ref: 'Admins', role: 'admin', account_sids: [], created_by: 'operator' },
  ]);
  await migration.up(db);

  const rows = await db('role_assignments').where({ user_sid: sam.sid }).orderBy(['account_sid', 'source']);
  expect(rows.map((r) => [r.account_sid, r.role_sid, r.source])).toEqual([
    [parent.sid, DEVELOPER_ROLE_SID, 'direct'],
    [other.sid, DEVELOPER_ROLE_SID, 'direct'],
    [other.sid, DEVELOPER_ROLE_SID, 'scim'],
  ].sort((x, y) => `${x[0]}${x[2]}`.localeCompare(`${y[0]}${y[2]}`)));
  for (const r of rows) expect(r.sid).toMatch(/^IY[0-9a-f]{32}$/);
  expect(await db.schema.hasTable('account_grants')).toBe(false);

  const mappings = await ctx.store.read.scimAccess.listMappings(org.org.sid);
  expect(mappings.map((m) => [m.groupRef, m.accountRoles])).toEqual([
    ['Admins', []],
    ['Devs', [{ accountSid: parent.sid, roleSid: DEVELOPER_ROLE_SID }, { accountSid: other.sid, roleSid: DEVELOPER_ROLE_SID }]],
  ]);
  expect(await ctx.store.read.accounts.grantsOf(org.org.sid, sam.sid)).toEqual([parent.sid, other.sid].sort());
});
