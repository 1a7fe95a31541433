/**
 * C4 (an organization with members has exactly one Owner), as the database enforces it: the
 * deferred constraint trigger memberships_owner_required fires for what can take the Owner away
 * (a membership's insert, delete, organization or role), not for a rename, which only copies the
 * new display name or email into the membership's search keys (migration 20261210300000, issue 14:
 * every SCIM PUT of a new name paid for the check).
 *
 * To tell the two apart the test needs an organization without an Owner, which the trigger exists
 * to prevent: it is made with the trigger disabled for one statement, then the trigger is back.
 */
import { newSid } from '../../src/ids.js';
import { createTestContext, type TestContext } from '../support/app.js';

let ctx: TestContext;
const orgSid = newSid('OR');
const memberSid = newSid('US');

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.testDb.db;
  await ctx.store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Ownerless' });
    await repos.users.insert({ sid: memberSid, email: 'member@ownerless.example', displayName: 'Member' });
  });
  await db.raw('ALTER TABLE memberships DISABLE TRIGGER memberships_owner_required');
  try {
    await db.raw("INSERT INTO memberships (user_sid, org_sid, role) VALUES (?, ?, 'standard')", [memberSid, orgSid]);
  } finally {
    await db.raw('ALTER TABLE memberships ENABLE TRIGGER memberships_owner_required');
  }
});

afterAll(async () => { await ctx.close(); });

describe('memberships_owner_required (C4)', () => {
  it('does not fire for a rename: the search keys follow the new name and email', async () => {
    await ctx.testDb.db.raw("UPDATE users SET display_name = 'Renamed', email = 'renamed@ownerless.example' WHERE sid = ?", [memberSid]);
    const { rows } = await ctx.testDb.db.raw('SELECT email_key, name_key FROM memberships WHERE user_sid = ?', [memberSid]);
    expect(rows).toEqual([{ email_key: 'renamed@ownerless.example', name_key: 'renamed' }]);
  });

  it('still fires for a change of role in an organization left without its Owner', async () => {
    await expect(ctx.testDb.db.raw("UPDATE memberships SET role = 'admin' WHERE user_sid = ?", [memberSid]))
      .rejects.toThrow(/has no owner/);
  });

  it('still fires for a new member of an organization without an Owner', async () => {
    const sid = newSid('US');
    await ctx.store.transaction(async (repos) => { await repos.users.insert({ sid, email: 'new@ownerless.example', displayName: null }); });
    await expect(ctx.store.transaction(async (repos) => { await repos.users.join(sid, orgSid, 'standard'); })).rejects.toThrow();
  });
});
