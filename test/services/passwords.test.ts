/**
 * Password resets over the real database, with mail delivered to a real SMTP server on loopback
 * and the link in it followed (U3, S7).
 */
import { RESET_TOKEN_TTL_MS } from '../../src/rules/passwords.js';
import { hashPassword, verifyPassword } from '../../src/security/passwords.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { addMember, addVerifiedDomain, asUser, createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { insertSession, isLive } from './sessions-fixture.js';

const OLD = 'the old password, long enough';
const NEW = 'a brand new password, long enough';

let smtp: TestSmtpServer;
let ctx: TestContext;
let corp: OrgWithOwner;
let n = 0;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ smtpUrl: smtp.url });
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@corp.test', name: 'Corp' });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** A member of Corp with a password and a live session. */
async function memberWithPassword(role: 'admin' | 'standard' = 'standard') {
  const m = await addMember(ctx, corp.org.sid, `user${(n += 1)}@corp.test`, role);
  const hash = await hashPassword(OLD);
  await ctx.store.transaction((repos) => repos.users.update(m.sid, { passwordHash: hash, passwordChangedAt: ctx.clock.now() }));
  return { member: m, session: await insertSession(ctx, m.sid) };
}

const passwordHash = async (sid: string) => (await ctx.store.read.users.credentials(sid))!.password_hash;

/** The reset token in the next message delivered to `email`. */
async function mailedToken(email: string): Promise<string> {
  const mail = await smtp.waitFor(email);
  const url = mail.links.find((l) => l.startsWith(`${ctx.baseUrl}/password-reset/`));
  if (!url) throw new Error(`no reset link in ${mail.text}`);
  return url.slice(`${ctx.baseUrl}/password-reset/`.length);
}

describe("an administrator's password reset (U3)", () => {
  it('R-U3: signs the user out everywhere, makes the old password unusable, mails a link that works once', async () => {
    const { member, session } = await memberWithPassword();
    const before = (await ctx.store.read.users.get(member.sid))!.passwordChangedAt!;
    ctx.clock.advance(1000);
    const result = await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    expect(result).toEqual({ userSid: member.sid, sessionsRevoked: 1, linkExpiresAt: new Date(ctx.clock.now().getTime() + RESET_TOKEN_TTL_MS) });
    expect(await isLive(ctx, session)).toBe(false);
    expect(await passwordHash(member.sid)).toBeNull();
    expect(await verifyPassword(OLD, await passwordHash(member.sid))).toBe(false);
    expect((await ctx.store.read.users.get(member.sid))!.passwordChangedAt!.getTime()).toBeGreaterThan(before.getTime());

    const token = await mailedToken(member.email);
    const later = await insertSession(ctx, member.sid);
    await expect(ctx.services.passwords.completeReset(token, NEW)).resolves.toEqual({ userSid: member.sid });
    expect(await verifyPassword(NEW, await passwordHash(member.sid))).toBe(true);
    expect(await isLive(ctx, later)).toBe(false);
    await expect(ctx.services.passwords.completeReset(token, 'yet another password here')).rejects.toMatchObject({ code: 'token_invalid' });
    expect(await verifyPassword(NEW, await passwordHash(member.sid))).toBe(true);
  });

  it('R-U3: the link stops working 24 hours after it was sent', async () => {
    const { member } = await memberWithPassword();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    const token = await mailedToken(member.email);
    ctx.clock.advance(RESET_TOKEN_TTL_MS);
    await expect(ctx.services.passwords.completeReset(token, NEW)).rejects.toMatchObject({ code: 'token_invalid' });
    expect(await passwordHash(member.sid)).toBeNull();
  });

  it('R-U3: the link still works just before 24 hours', async () => {
    const { member } = await memberWithPassword();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    const token = await mailedToken(member.email);
    ctx.clock.advance(RESET_TOKEN_TTL_MS - 1000);
    await expect(ctx.services.passwords.completeReset(token, NEW)).resolves.toEqual({ userSid: member.sid });
  });

  it('R-U3: a second reset makes the first link useless', async () => {
    const { member } = await memberWithPassword();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    const first = await mailedToken(member.email);
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    const second = await mailedToken(member.email);
    await expect(ctx.services.passwords.completeReset(first, NEW)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(ctx.services.passwords.completeReset(second, NEW)).resolves.toEqual({ userSid: member.sid });
  });

  it('a weak new password is refused and does not use up the link', async () => {
    const { member } = await memberWithPassword();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    const token = await mailedToken(member.email);
    await expect(ctx.services.passwords.completeReset(token, 'short')).rejects.toMatchObject({ code: 'weak_password' });
    await expect(ctx.services.passwords.completeReset(token, NEW)).resolves.toEqual({ userSid: member.sid });
  });

  it('R-O3, U6: a Standard User cannot reset passwords; an administrator cannot reset the Owner', async () => {
    const { member: standard } = await memberWithPassword('standard');
    const { member: admin } = await memberWithPassword('admin');
    await expect(ctx.services.passwords.adminReset(asUser(standard), corp.org.sid, admin.sid)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.passwords.adminReset(asUser(admin), corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other.test' });
    await expect(ctx.services.passwords.adminReset(asUser(admin), corp.org.sid, other.owner.sid)).rejects.toMatchObject({ code: 'not_a_member' });
    expect(await passwordHash(admin.sid)).not.toBeNull();
  });

  it('R-L1: the reset is audited without the token or any hash', async () => {
    const { member } = await memberWithPassword();
    await ctx.services.passwords.adminReset(corp.ownerActor, corp.org.sid, member.sid);
    const token = await mailedToken(member.email);
    const { entries } = await ctx.services.auditLog.list(corp.ownerActor, corp.org.sid, { action: 'user.password_reset', limit: 500 });
    const entry = entries.find((e) => e.target === member.sid);
    expect(entry).toMatchObject({ actor: corp.owner.sid, after: { sessionsRevoked: 1, linkSent: true } });
    expect(JSON.stringify(entries)).not.toContain(token);
    expect(JSON.stringify(entries)).not.toMatch(/scrypt\$/);
  });
});

describe('self-service reset requests', () => {
  it('mails a link to a known address and answers the same for an unknown one', async () => {
    const { member } = await memberWithPassword();
    const known = await ctx.services.passwords.requestReset(member.email.toUpperCase());
    const unknown = await ctx.services.passwords.requestReset('nobody@corp.test');
    expect(known).toMatchObject({ accepted: true });
    expect(unknown).toMatchObject({ accepted: true });
    await Promise.all([known.settled, unknown.settled]);
    const token = await mailedToken(member.email);
    // A request alone does not sign anyone out or disable the password: anyone can ask.
    expect(await verifyPassword(OLD, await passwordHash(member.sid))).toBe(true);
    await expect(ctx.services.passwords.completeReset(token, NEW)).resolves.toEqual({ userSid: member.sid });
    await ctx.mailer.flush();
    expect(smtp.to('nobody@corp.test')).toEqual([]);
  });

  it('R-S7: a reset request is refused with sso_required when the domain enforces SSO', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@sso.test' });
    const domain = await addVerifiedDomain(ctx, org.org.sid, 'sso.test');
    await ctx.store.transaction((repos) => repos.domains.update(domain.id, { ssoEnforced: true }));
    await expect(ctx.services.passwords.requestReset('owner@sso.test')).rejects.toMatchObject({ code: 'sso_required' });
    // Unknown addresses on the domain get the same answer: nothing about the address is revealed.
    await expect(ctx.services.passwords.requestReset('nobody@sso.test')).rejects.toMatchObject({ code: 'sso_required' });
  });
});
