/**
 * Invitations over the real database, with the mail delivered to a real SMTP server on loopback
 * and the link in it followed (D6, D7, U1, S7).
 */
import { verifyPassword } from '../../src/security/passwords.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { addLoneUser, addMember, addVerifiedDomain, asUser, createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const PASSWORD = 'a long enough passphrase';
const DAY = 24 * 60 * 60 * 1000;

let smtp: TestSmtpServer;
let ctx: TestContext;
let corp: OrgWithOwner;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ smtpUrl: smtp.url });
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@corp.test', name: 'Corp' });
  await addVerifiedDomain(ctx, corp.org.sid, 'corp.test', 'restricted');
  await addVerifiedDomain(ctx, corp.org.sid, 'blocked.corp.test', 'blocked');
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

const invite = (email: string, role: 'admin' | 'standard' = 'standard') => ctx.services.invitations.invite(corp.ownerActor, corp.org.sid, { email, role });

/** The token of the invitation link in the next message delivered to `email`. */
async function mailedToken(email: string): Promise<string> {
  const mail = await smtp.waitFor(email);
  const url = mail.links.find((l) => l.startsWith(`${ctx.baseUrl}/invitations/`));
  if (!url) throw new Error(`no invitation link in ${mail.text}`);
  return url.slice(`${ctx.baseUrl}/invitations/`.length);
}

describe('inviting (D7, D6, U1)', () => {
  it('R-D7: mails a 7-day link; accepting creates the user with the invited role and password', async () => {
    const invitation = await invite('New.Admin@corp.test', 'admin');
    expect(invitation).toMatchObject({ email: 'new.admin@corp.test', role: 'admin', expiresAt: new Date(ctx.clock.now().getTime() + 7 * DAY) });
    const token = await mailedToken('new.admin@corp.test');
    const { userSid, orgSid } = await ctx.services.invitations.accept(token, { password: PASSWORD, displayName: 'New Admin' });
    expect(orgSid).toBe(corp.org.sid);
    expect(await ctx.store.read.users.get(userSid)).toMatchObject({ role: 'admin', displayName: 'New Admin', orgSid: corp.org.sid });
    expect(await verifyPassword(PASSWORD, (await ctx.store.read.users.credentials(userSid))!.password_hash)).toBe(true);
    await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('stores only a digest of the link token', async () => {
    const invitation = await invite('digest@corp.test');
    const token = await mailedToken('digest@corp.test');
    const row = await ctx.testDb.db('invitations').where({ id: invitation.invitationId }).first();
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('R-D7: refuses people whose domain the organization has not verified, common domains included', async () => {
    await expect(invite('someone@unverified.test')).rejects.toMatchObject({ code: 'domain_not_verified' });
    await expect(invite('someone@gmail.com')).rejects.toMatchObject({ code: 'domain_not_verified' });
    await expect(invite('someone@sub.corp.test')).rejects.toMatchObject({ code: 'domain_not_verified' });
  });

  it('R-D6: refuses people on a Blocked domain', async () => {
    await expect(invite('someone@blocked.corp.test')).rejects.toMatchObject({ code: 'domain_blocked' });
  });

  it('R-U1: refuses a person who belongs to another organization', async () => {
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'elsewhere@corp.test' });
    expect(other.owner.orgSid).not.toBe(corp.org.sid);
    await expect(invite('ELSEWHERE@corp.test')).rejects.toMatchObject({ code: 'member_of_other_org' });
  });

  it('refuses inviting a member of the organization', async () => {
    await addMember(ctx, corp.org.sid, 'member@corp.test');
    await expect(invite('member@corp.test')).rejects.toMatchObject({ code: 'user_exists' });
  });

  it('R-O3: a Standard User cannot invite', async () => {
    const standard = await addMember(ctx, corp.org.sid, 'plain@corp.test', 'standard');
    await expect(ctx.services.invitations.invite(asUser(standard), corp.org.sid, { email: 'x@corp.test', role: 'standard' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses to invite anyone as Owner (O2)', async () => {
    await expect(ctx.services.invitations.invite(corp.ownerActor, corp.org.sid, { email: 'x@corp.test', role: 'owner' as 'admin' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('accepting', () => {
  it('inviting again with the same role renews the pending invitation: the old link stops working', async () => {
    const first = await invite('again@corp.test', 'admin');
    const oldToken = await mailedToken('again@corp.test');
    const second = await invite('again@corp.test', 'admin');
    expect(second.replaced).toEqual({ invitationId: first.invitationId, role: { from: 'admin', to: 'admin' }, expiresAt: { from: first.expiresAt } });
    const newToken = await mailedToken('again@corp.test');
    expect((await ctx.services.invitations.listPending(corp.ownerActor, corp.org.sid)).filter((i) => i.email === 'again@corp.test')).toHaveLength(1);
    await expect(ctx.services.invitations.accept(oldToken)).rejects.toMatchObject({ code: 'token_invalid' });
    const { userSid } = await ctx.services.invitations.accept(newToken, { password: PASSWORD });
    expect(await ctx.store.read.users.get(userSid)).toMatchObject({ role: 'admin' });
  });

  it('re-inviting with another role is refused unless asked to replace, and says what changed', async () => {
    const first = await invite('switch@corp.test', 'admin');
    const oldToken = await mailedToken('switch@corp.test');
    const refusal = ctx.services.invitations.invite(corp.ownerActor, corp.org.sid, { email: 'Switch@corp.test', role: 'standard' });
    await expect(refusal).rejects.toMatchObject({ code: 'invitation_pending', message: expect.stringContaining('--replace') });
    await expect(refusal).rejects.toMatchObject({ message: expect.stringContaining('an Administrator') });
    // Nothing changed: the first invitation still offers Administrator and its link still works later.
    expect((await ctx.services.invitations.listPending(corp.ownerActor, corp.org.sid)).filter((i) => i.email === 'switch@corp.test'))
      .toEqual([expect.objectContaining({ invitationId: first.invitationId, role: 'admin' })]);

    const replaced = await ctx.services.invitations.invite(corp.ownerActor, corp.org.sid, { email: 'switch@corp.test', role: 'standard', replace: true });
    expect(replaced).toMatchObject({ role: 'standard', replaced: { invitationId: first.invitationId, role: { from: 'admin', to: 'standard' } } });
    const { entries } = await ctx.services.auditLog.list(corp.ownerActor, corp.org.sid, { limit: 500 });
    expect(entries.find((e) => e.target === replaced.invitationId)?.after).toMatchObject({ replaced: { role: { from: 'admin', to: 'standard' } } });
    await expect(ctx.services.invitations.accept(oldToken)).rejects.toMatchObject({ code: 'token_invalid' });
    const { userSid } = await ctx.services.invitations.accept(await mailedToken('switch@corp.test'), { password: PASSWORD });
    expect(await ctx.store.read.users.get(userSid)).toMatchObject({ role: 'standard' });
  });

  it('a first invitation reports nothing replaced; an expired one does not block another role', async () => {
    expect((await invite('fresh@corp.test', 'admin')).replaced).toBeNull();
    await mailedToken('fresh@corp.test');
    ctx.clock.advance(8 * DAY);
    try {
      expect((await invite('fresh@corp.test', 'standard')).replaced).toBeNull();
      await mailedToken('fresh@corp.test');
    } finally {
      ctx.clock.advance(-8 * DAY);
    }
  });

  it('a link expires after 7 days', async () => {
    await invite('late@corp.test');
    const token = await mailedToken('late@corp.test');
    ctx.clock.advance(7 * DAY);
    try {
      await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'token_invalid' });
    } finally {
      ctx.clock.advance(-7 * DAY);
    }
  });

  it('a revoked invitation cannot be accepted', async () => {
    const invitation = await invite('revoked@corp.test');
    const token = await mailedToken('revoked@corp.test');
    await expect(ctx.services.invitations.revoke(corp.ownerActor, corp.org.sid, invitation.invitationId)).resolves.toMatchObject({ revoked: true });
    await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(ctx.services.invitations.revoke(corp.ownerActor, corp.org.sid, invitation.invitationId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.invitations.revoke(corp.ownerActor, corp.org.sid, 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an existing user without an organization joins and keeps their account', async () => {
    const lone = await addLoneUser(ctx, 'lone@corp.test');
    await invite('lone@corp.test');
    const { userSid } = await ctx.services.invitations.accept(await mailedToken('lone@corp.test'), { password: PASSWORD });
    expect(userSid).toBe(lone.sid);
    expect(await ctx.store.read.users.get(lone.sid)).toMatchObject({ orgSid: corp.org.sid, role: 'standard' });
  });

  it('R-D6: acceptance checks the rules again: a domain blocked since the invitation refuses it', async () => {
    const domain = await addVerifiedDomain(ctx, corp.org.sid, 'later-blocked.corp.test', 'restricted');
    await invite('person@later-blocked.corp.test');
    const token = await mailedToken('person@later-blocked.corp.test');
    await ctx.services.domains.setPolicy(corp.ownerActor, corp.org.sid, domain.name, 'blocked');
    await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'domain_blocked' });
    expect(await ctx.store.read.users.getByEmail('person@later-blocked.corp.test')).toBeUndefined();
  });

  it('R-S7: an invitation on a domain that enforces SSO is accepted only through SSO, not here', async () => {
    const domain = await addVerifiedDomain(ctx, corp.org.sid, 'sso.corp.test', 'restricted');
    await invite('person@sso.corp.test');
    const token = await mailedToken('person@sso.corp.test');
    await ctx.store.transaction((repos) => repos.domains.update(domain.id, { ssoEnforced: true }));
    await expect(ctx.services.invitations.accept(token, { password: PASSWORD })).rejects.toMatchObject({ code: 'sso_required' });
    await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'sso_required' });
    expect((await ctx.services.invitations.listPending(corp.ownerActor, corp.org.sid)).map((i) => i.email)).toContain('person@sso.corp.test');
  });

  it('a person without a password must choose one (password_required), without using up the link', async () => {
    await invite('nopass@corp.test');
    const token = await mailedToken('nopass@corp.test');
    await expect(ctx.services.invitations.accept(token)).rejects.toMatchObject({ code: 'password_required' });
    expect(await ctx.store.read.users.getByEmail('nopass@corp.test')).toBeUndefined();
    const lone = await addLoneUser(ctx, 'nopass-lone@corp.test');
    await invite('nopass-lone@corp.test');
    await expect(ctx.services.invitations.accept(await mailedToken('nopass-lone@corp.test'))).rejects.toMatchObject({ code: 'password_required' });
    expect((await ctx.store.read.users.get(lone.sid))?.orgSid).toBeNull();
    await expect(ctx.services.invitations.accept(token, { password: PASSWORD })).resolves.toMatchObject({ orgSid: corp.org.sid });
  });

  it('refuses a weak password without using up the link', async () => {
    await invite('weak@corp.test');
    const token = await mailedToken('weak@corp.test');
    await expect(ctx.services.invitations.accept(token, { password: 'short' })).rejects.toMatchObject({ code: 'weak_password' });
    await expect(ctx.services.invitations.accept(token, { password: PASSWORD })).resolves.toMatchObject({ orgSid: corp.org.sid });
  });

  it('R-L1: the invitation, its acceptance and the join are audited without the token', async () => {
    const invitation = await invite('audit@corp.test');
    const token = await mailedToken('audit@corp.test');
    const { userSid } = await ctx.services.invitations.accept(token, { password: PASSWORD });
    const { entries } = await ctx.services.auditLog.list(corp.ownerActor, corp.org.sid, { limit: 500 });
    const related = entries.filter((e) => e.target === invitation.invitationId || e.target === userSid);
    expect(related.map((e) => e.action)).toEqual(['invitation.created', 'user.joined', 'invitation.accepted']);
    expect(JSON.stringify(entries)).not.toContain(token);
  });
});
