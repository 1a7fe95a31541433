/**
 * The questions of the Twilio Organizations FAQ, answered as end-to-end service tests over the real
 * database, a real DNS server and a real SMTP server on loopback. Every organization, domain and
 * user here is made through the services, the way people would.
 *
 * Not here: merging organizations by invitation (M1-M3) and bulk user import (B1, B2) have their
 * own scenario tests next to the merge and bulk-import services.
 */
import { verifyPassword } from '../../src/security/passwords.js';
import type { Actor } from '../../src/types.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { OPERATOR, addAccount, addLoneUser } from '../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { insertSession, isLive } from './sessions-fixture.js';

const PASSWORD = 'twilio faq password 1';

let dns: TestDnsServer;
let smtp: TestSmtpServer;
let ctx: TestContext;

beforeAll(async () => {
  dns = await startDnsServer();
  smtp = await startSmtpServer();
  ctx = await createTestContext({ dnsServers: [dns.address], smtpUrl: smtp.url });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
  await dns.close();
});

interface Org { orgSid: string; ownerSid: string; owner: Actor }

/** O1: someone signs up and gets their own organization. */
async function signUpOrg(email: string, organizationName?: string): Promise<Org> {
  const r = await ctx.services.organizations.signUp({ email, password: PASSWORD, ...(organizationName && { organizationName }) });
  expect(r.outcome).toBe('created_org');
  return { orgSid: r.orgSid, ownerSid: r.userSid, owner: { kind: 'user', userSid: r.userSid } };
}

/** D3: register, publish the TXT record at the DNS provider, verify. */
async function verifyDomain(org: Org, domain: string): Promise<void> {
  const record = await ctx.services.domains.add(org.owner, org.orgSid, domain);
  dns.publish(record.txtName, record.txtValue);
  await ctx.services.domains.verify(org.owner, org.orgSid, domain);
}

/** An invitation sent, followed from the mailbox, and accepted. */
async function joinByInvitation(org: Org, email: string, role: 'admin' | 'standard'): Promise<Actor> {
  await ctx.services.invitations.invite(org.owner, org.orgSid, { email, role });
  const mail = await smtp.waitFor(email);
  const token = mail.links.find((l) => l.includes('/invitations/'))!.split('/invitations/')[1]!;
  const { userSid } = await ctx.services.invitations.accept(token, { password: PASSWORD });
  return { kind: 'user', userSid };
}

const sidOf = (actor: Actor): string => (actor.kind === 'user' ? actor.userSid : '');

describe('Twilio Organizations FAQ', () => {
  it('R-O1/A4: "Is an organization created for me?" Signing up creates one, with me as Owner; my accounts join it', async () => {
    const org = await signUpOrg('founder@faq-o1.test', 'FAQ Founders');
    await expect(ctx.services.organizations.get(org.owner, org.orgSid)).resolves.toMatchObject({ name: 'FAQ Founders', ownerSid: org.ownerSid, memberCount: 1 });
    // An existing person with an account outside any organization becomes Owner of a new one; A4: the account joins it, managed.
    const lone = await addLoneUser(ctx, 'lone@faq-o1b.test');
    const account = await addAccount(ctx, { ownerSid: lone.sid });
    const { orgSid } = await ctx.services.organizations.create(OPERATOR, { name: 'Lone Org', ownerEmail: 'lone@faq-o1b.test' });
    expect(await ctx.store.read.accounts.get(account.sid)).toMatchObject({ orgSid, management: 'managed' });
  });

  it('R-D2: "Can I verify gmail.com?" No; but a gmail.com user can still create an organization', async () => {
    const org = await signUpOrg('someone.faq@gmail.com');
    await expect(ctx.services.domains.add(org.owner, org.orgSid, 'gmail.com')).rejects.toMatchObject({ code: 'common_domain' });
  });

  it('R-D4: "Can two organizations verify one domain? And subdomains?" One organization per domain; a subdomain is separate', async () => {
    const first = await signUpOrg('it@faq-d4.test');
    const second = await signUpOrg('it@stage.faq-d4.test');
    await verifyDomain(first, 'faq-d4.test');
    await expect(ctx.services.domains.add(second.owner, second.orgSid, 'faq-d4.test')).rejects.toMatchObject({ code: 'domain_claimed' });
    await expect(verifyDomain(second, 'stage.faq-d4.test')).resolves.toBeUndefined();
  });

  it('R-D1: "Should I include www.?" No: enter corporate.com; www. is refused with the form to use', async () => {
    const org = await signUpOrg('it@faq-d1.test');
    const error = await ctx.services.domains.add(org.owner, org.orgSid, 'www.faq-d1.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_domain', details: { suggestion: 'faq-d1.test' } });
    expect((error as Error).message).toContain('faq-d1.test');
  });

  it('R-D3: "How do I verify my domain?" Publish the TXT record we show; verification finds the exact value', async () => {
    const org = await signUpOrg('it@faq-d3.test');
    const record = await ctx.services.domains.add(org.owner, org.orgSid, 'faq-d3.test');
    expect(record.txtName).toBe('_orgward-verification.faq-d3.test');
    await expect(ctx.services.domains.verify(org.owner, org.orgSid, 'faq-d3.test')).rejects.toMatchObject({ code: 'dns_txt_missing' });
    dns.publish(record.txtName, record.txtValue);
    await expect(ctx.services.domains.verify(org.owner, org.orgSid, 'faq-d3.test')).resolves.toMatchObject({ verified: true });
  });

  it('R-O3: "What roles are there?" Owner does everything; Administrators manage; Standard Users only use granted accounts', async () => {
    const org = await signUpOrg('owner@faq-o3.test');
    await verifyDomain(org, 'faq-o3.test');
    const admin = await joinByInvitation(org, 'admin@faq-o3.test', 'admin');
    const standard = await joinByInvitation(org, 'standard@faq-o3.test', 'standard');
    // Administrators invite users and manage domains; they cannot hand over the Owner role.
    await expect(ctx.services.invitations.invite(admin, org.orgSid, { email: 'another@faq-o3.test', role: 'standard' })).resolves.toBeDefined();
    await expect(ctx.services.domains.list(admin, org.orgSid)).resolves.toHaveLength(1);
    await expect(ctx.services.members.handOverOwnership(admin, org.orgSid, sidOf(standard))).rejects.toMatchObject({ code: 'owner_required' });
    // Standard Users manage nothing.
    await expect(ctx.services.invitations.invite(standard, org.orgSid, { email: 'x@faq-o3.test', role: 'standard' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.domains.add(standard, org.orgSid, 'other-faq-o3.test')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.auditLog.list(standard, org.orgSid)).rejects.toMatchObject({ code: 'forbidden' });
    // The Owner hands over the role and becomes an Administrator (O2).
    await ctx.services.members.handOverOwnership(org.owner, org.orgSid, sidOf(admin));
    expect(await ctx.store.read.users.get(org.ownerSid)).toMatchObject({ role: 'admin' });
    expect(await ctx.store.read.users.get(sidOf(admin))).toMatchObject({ role: 'owner' });
  });

  it('R-U1: "Can a user be in several organizations?" No; a plus-address is another user', async () => {
    const first = await signUpOrg('owner@faq-u1.test');
    await verifyDomain(first, 'faq-u1.test');
    const alice = await joinByInvitation(first, 'alice@faq-u1.test', 'standard');
    // Another organization cannot take Alice (compared case-insensitively): she would need to leave the first one.
    await expect(ctx.services.organizations.create(OPERATOR, { name: 'Second', ownerEmail: 'ALICE@faq-u1.test' })).rejects.toMatchObject({ code: 'member_of_other_org' });
    expect(await ctx.store.read.users.get(sidOf(alice))).toMatchObject({ orgSid: first.orgSid });
    // alice+test@ is a different user.
    const plus = await joinByInvitation(first, 'alice+test@faq-u1.test', 'standard');
    expect(sidOf(plus)).not.toBe(sidOf(alice));
  });

  it("R-A4: \"What happens to the Owner's accounts?\" They are in the organization and cannot be made independent", async () => {
    const org = await signUpOrg('owner@faq-a4.test');
    const account = await ctx.services.accounts.create(org.owner, org.orgSid, { name: 'Owner account', usage: 'twilio' });
    expect(account).toMatchObject({ orgSid: org.orgSid, management: 'managed', ownerSid: org.ownerSid });
    await expect(ctx.services.accounts.makeIndependent(org.owner, account.sid)).rejects.toMatchObject({ code: 'owner_accounts_managed' });
  });

  it('R-A5: "Do new accounts join the organization?" Accounts any member creates join as managed accounts', async () => {
    const org = await signUpOrg('owner@faq-a5.test');
    await verifyDomain(org, 'faq-a5.test');
    const standard = await joinByInvitation(org, 'dev@faq-a5.test', 'standard');
    const account = await ctx.services.accounts.create(standard, org.orgSid, { name: 'Dev account', usage: 'flex' });
    expect(account).toMatchObject({ orgSid: org.orgSid, management: 'managed', ownerSid: sidOf(standard) });
  });

  it('R-D6: "What sign-up policies are there?" Restricted (invitation only), Auto-enrollment, Blocked', async () => {
    const org = await signUpOrg('owner@faq-d6.test');
    await verifyDomain(org, 'faq-d6.test');
    const signUp = (email: string) => ctx.services.organizations.signUp({ email, password: PASSWORD });
    await expect(signUp('restricted@faq-d6.test')).rejects.toMatchObject({ code: 'invitation_required' });
    await ctx.services.domains.setPolicy(org.owner, org.orgSid, 'faq-d6.test', 'auto-enrollment');
    await expect(signUp('auto@faq-d6.test')).resolves.toMatchObject({ outcome: 'joined', orgSid: org.orgSid });
    await ctx.services.domains.setPolicy(org.owner, org.orgSid, 'faq-d6.test', 'blocked');
    await expect(signUp('blocked@faq-d6.test')).rejects.toMatchObject({ code: 'domain_blocked' });
    await expect(ctx.services.invitations.invite(org.owner, org.orgSid, { email: 'invited@faq-d6.test', role: 'standard' })).rejects.toMatchObject({ code: 'domain_blocked' });
  });

  it("R-U3: \"How do I reset a user's password?\" Everywhere signed out, old password dead, a 24-hour single-use link by mail", async () => {
    const org = await signUpOrg('owner@faq-u3.test');
    await verifyDomain(org, 'faq-u3.test');
    const user = await joinByInvitation(org, 'user@faq-u3.test', 'standard');
    const session = await insertSession(ctx, sidOf(user));
    await ctx.services.passwords.adminReset(org.owner, org.orgSid, sidOf(user));
    expect(await isLive(ctx, session)).toBe(false);
    expect(await verifyPassword(PASSWORD, (await ctx.store.read.users.credentials(sidOf(user)))!.password_hash)).toBe(false);
    const mail = await smtp.waitFor('user@faq-u3.test');
    const token = mail.links.find((l) => l.includes('/password-reset/'))!.split('/password-reset/')[1]!;
    await ctx.services.passwords.completeReset(token, 'my new faq password');
    await expect(ctx.services.passwords.completeReset(token, 'my other faq password')).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it('R-U4: "How do I reset two-factor authentication?" The factor is removed, a new one is required, the user is told', async () => {
    const org = await signUpOrg('owner@faq-u4.test');
    await verifyDomain(org, 'faq-u4.test');
    const user = await joinByInvitation(org, 'user@faq-u4.test', 'standard');
    await ctx.testDb.db('second_factors').insert({ user_sid: sidOf(user), secret_encrypted: 'enc', confirmed_at: ctx.clock.now() });
    await expect(ctx.services.twoFactor.adminReset(org.owner, org.orgSid, sidOf(user))).resolves.toMatchObject({ hadSecondFactor: true });
    expect(await ctx.store.read.users.get(sidOf(user))).toMatchObject({ secondFactorRequired: true });
    expect((await smtp.waitFor('user@faq-u4.test')).subject).toContain('two-factor');
  });

  it('R-O4: "Can I delete my organization?" No; it can only be merged into another', async () => {
    const org = await signUpOrg('owner@faq-o4.test');
    const error = await ctx.services.organizations.delete(org.owner, org.orgSid).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'organization_cannot_be_deleted' });
    expect((error as Error).message).toContain('merged');
    await expect(ctx.services.organizations.get(org.owner, org.orgSid)).resolves.toMatchObject({ sid: org.orgSid });
  });
});
