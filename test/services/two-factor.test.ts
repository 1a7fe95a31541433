/**
 * Second-factor reset over the real database, with the mail delivered over SMTP on loopback (U4).
 */
import { createTestContext, type TestContext } from '../support/app.js';
import { addMember, asUser, createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

let smtp: TestSmtpServer;
let ctx: TestContext;
let corp: OrgWithOwner;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ smtpUrl: smtp.url });
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@corp.test', name: 'Corp' });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** A member with a confirmed TOTP second factor. */
async function memberWithSecondFactor(email: string, role: 'admin' | 'standard' = 'standard') {
  const m = await addMember(ctx, corp.org.sid, email, role);
  await ctx.testDb.db('second_factors').insert({ user_sid: m.sid, secret_encrypted: 'encrypted-test-secret', confirmed_at: ctx.clock.now() });
  await ctx.store.transaction((repos) => repos.users.update(m.sid, { secondFactorRequired: false }));
  return m;
}

const secondFactorOf = (sid: string) => ctx.testDb.db('second_factors').where({ user_sid: sid }).first();

describe("an administrator's 2FA reset (U4)", () => {
  it('R-U4: removes the second factor, requires enrolment at the next sign-in, and tells the user by email', async () => {
    const m = await memberWithSecondFactor('alice@corp.test');
    await expect(ctx.services.twoFactor.adminReset(corp.ownerActor, corp.org.sid, m.sid)).resolves.toEqual({ userSid: m.sid, hadSecondFactor: true });
    expect(await secondFactorOf(m.sid)).toBeUndefined();
    expect(await ctx.store.read.users.get(m.sid)).toMatchObject({ secondFactorRequired: true });
    const mail = await smtp.waitFor('alice@corp.test');
    expect(mail.subject).toBe('Your two-factor authentication was reset');
    expect(mail.text).toContain('set up a new one');
    const { entries } = await ctx.services.auditLog.list(corp.ownerActor, corp.org.sid, { action: 'user.second_factor_reset' });
    expect(entries).toEqual([expect.objectContaining({ actor: corp.owner.sid, target: m.sid, before: { secondFactorRequired: false, hadSecondFactor: true }, after: { secondFactorRequired: true } })]);
    expect(JSON.stringify(entries)).not.toContain('encrypted-test-secret');
  });

  it('R-O3: a Standard User cannot reset a second factor', async () => {
    const standard = await addMember(ctx, corp.org.sid, 'standard@corp.test', 'standard');
    const m = await memberWithSecondFactor('bob@corp.test');
    await expect(ctx.services.twoFactor.adminReset(asUser(standard), corp.org.sid, m.sid)).rejects.toMatchObject({ code: 'forbidden' });
    expect(await secondFactorOf(m.sid)).toBeDefined();
  });

  it('R-U6: an administrator of another organization reaches nobody here', async () => {
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other.test' });
    const m = await memberWithSecondFactor('carol@corp.test');
    await expect(ctx.services.twoFactor.adminReset(other.ownerActor, corp.org.sid, m.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.twoFactor.adminReset(other.ownerActor, other.org.sid, m.sid)).rejects.toMatchObject({ code: 'not_a_member' });
    expect(await secondFactorOf(m.sid)).toBeDefined();
  });
});
