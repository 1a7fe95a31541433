/**
 * The one-statement SCIM update (C3, C4, L1) writes only when the member is still as the rules
 * saw them: same version, same organization, same role, checked under the row locks it takes.
 * Otherwise nothing is written and the service decides again in a transaction.
 */
import { createTestContext, type TestContext } from '../support/app.js';
import { createScimOrg, userBody, type ScimOrg } from '../support/scim-fixtures.js';
import { insertSession, isLive } from '../services/sessions-fixture.js';
import type { Repos } from '../../src/store/index.js';
import type { ScimUserRecord, ScimUserUpdate } from '../../src/store/scim-users.js';

let ctx: TestContext;
let org: ScimOrg;
beforeAll(async () => { ctx = await createTestContext(); org = await createScimOrg(ctx); });
afterAll(async () => { await ctx.close(); });

let counter = 0;
async function provisioned(): Promise<ScimUserRecord> {
  const id = (await org.client.post('/Users', userBody(`guard${++counter}@${org.domain}`)).expect(201)).body.id as string;
  return (await ctx.store.read.scimUsers.get(org.org.sid, id))!;
}

/** C3: the suspension the rules decide for `seen` (the member as read). */
const suspension = (seen: ScimUserRecord): ScimUserUpdate => ({
  orgSid: seen.orgSid, userSid: seen.userSid, seenVersion: seen.version, seenRole: seen.role,
  user: { status: 'suspended', displayName: seen.displayName, givenName: seen.givenName, familyName: seen.familyName },
  scim: null, endSessions: { reason: 'suspended', at: ctx.clock.now() },
  audit: [{ action: 'user.suspended', before: { status: 'active' }, after: { status: 'suspended' } }],
  actor: `scim:${org.tokenId}`, requestId: 'req-guard',
});

const auditOf = async (userSid: string) => (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.target === userSid);

describe('SCIM one-statement update: the guard under the row locks', () => {
  it('R-C3, L1: writes the status, ends the sessions and writes the audit entry and its lifecycle event, in one statement', async () => {
    const seen = await provisioned();
    const session = await insertSession(ctx, seen.userSid);
    const written = await ctx.store.read.scimUsers.updateMember(suspension(seen));
    expect(written).toMatchObject({ userSid: seen.userSid, status: 'suspended', userName: seen.userName, role: 'standard' });
    expect(written!.version).not.toBe(seen.version);
    expect(await ctx.store.read.scimUsers.get(org.org.sid, seen.userSid)).toEqual(written);
    expect(await isLive(ctx, session)).toBe(false);
    const entry = (await auditOf(seen.userSid)).find((e) => e.action === 'user.suspended')!;
    expect(entry).toMatchObject({ actor: `scim:${org.tokenId}`, before: { status: 'active' }, after: { status: 'suspended' }, requestId: 'req-guard' });
    const events = (await ctx.testDb.db.raw('SELECT count(*) AS n FROM events WHERE audit_id = ?', [entry.id])).rows as { n: string | number }[];
    expect(Number(events[0]!.n)).toBe(1);
  });

  it.each([
    ['changed since the read (its version moved on)', async (seen: ScimUserRecord) => {
      await ctx.store.transaction((repos) => repos.scimUsers.save(seen.orgSid, seen.userSid, { userName: seen.userName, externalId: 'moved', attributes: {} }));
    }],
    ['was given another role since the read (C4: the rules decided on the role they saw)', async (seen: ScimUserRecord) => {
      await ctx.store.transaction((repos) => repos.users.setRole(seen.userSid, seen.orgSid, 'admin'));
    }],
    ['left the organization since the read', async (seen: ScimUserRecord) => {
      await ctx.store.transaction((repos) => repos.users.leave(seen.userSid, seen.orgSid));
    }],
  ])('a member who %s: nothing is written, undefined', async (_what, change) => {
    const seen = await provisioned();
    const session = await insertSession(ctx, seen.userSid);
    await change(seen);
    expect(await ctx.store.read.scimUsers.updateMember(suspension(seen))).toBeUndefined();
    expect((await ctx.store.read.users.get(seen.userSid))!.status).toBe('active');
    expect(await isLive(ctx, session)).toBe(true);
    expect((await auditOf(seen.userSid)).map((e) => e.action)).not.toContain('user.suspended');
  });

  it.each([
    ['its SCIM row', (seen: ScimUserRecord) => async (repos: Repos) => repos.scimUsers.save(seen.orgSid, seen.userSid, { userName: seen.userName, externalId: 'racing', attributes: {} })],
    ['its role', (seen: ScimUserRecord) => async (repos: Repos) => repos.users.setRole(seen.userSid, seen.orgSid, 'admin')],
  ])('a change to %s committed while the statement waits for the member\'s row lock is seen: nothing is written', async (_what, change) => {
    const seen = await provisioned();
    let waiting: Promise<ScimUserRecord | undefined> | undefined;
    await ctx.store.transaction(async (repos) => {
      await repos.users.lock(seen.userSid);
      await change(seen)(repos);
      // On PostgreSQL the statement starts now and waits for the lock; PGlite runs it after the commit.
      waiting = ctx.store.read.scimUsers.updateMember(suspension(seen));
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    expect(await waiting).toBeUndefined();
    expect((await ctx.store.read.users.get(seen.userSid))!.status).toBe('active');
  });

  it('the same member twice in one batch: the first change is written, the second is left to the transaction (it must see the first)', async () => {
    const seen = await provisioned();
    const titled: ScimUserUpdate = { ...suspension(seen), user: null, endSessions: null, scim: { userName: seen.userName, externalId: null, attributes: { title: 'Second' } }, audit: [] };
    const [first, second] = await Promise.all([ctx.store.read.scimUsers.updateMember(suspension(seen)), ctx.store.read.scimUsers.updateMember(titled)]);
    expect(first?.status).toBe('suspended');
    expect(second).toBeUndefined();
    expect((await ctx.store.read.scimUsers.get(org.org.sid, seen.userSid))!.attributes.title).toBeUndefined();
  });

  it('a batch that fails (a duplicate userName) is retried one by one: each update gets its own answer', async () => {
    const [a, b, c] = [await provisioned(), await provisioned(), await provisioned()];
    const rename = (seen: ScimUserRecord, userName: string): ScimUserUpdate => ({
      ...suspension(seen), user: null, endSessions: null, scim: { userName, externalId: null, attributes: {} }, audit: [],
    });
    const results = await Promise.allSettled([
      ctx.store.read.scimUsers.updateMember(rename(a, `renamed-${a.userSid}`)),
      ctx.store.read.scimUsers.updateMember(rename(b, c.userName.toUpperCase())),
      ctx.store.read.scimUsers.updateMember(suspension(c)),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { userName: `renamed-${a.userSid}` } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'scim_user_exists' } });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { status: 'suspended' } });
  });
});
