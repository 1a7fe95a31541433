/**
 * Organizations service over the real database: sign-up (O1, D6, U5/S7), creation by an
 * operator, operator settings (O5, B1, H1) and the refusal to delete (O4).
 */
import { verifyPassword } from '../../src/security/passwords.js';
import { createTestContext, type TestContext } from '../support/app.js';
import {
  OPERATOR, addAccount, addLoneUser, addMember, addVerifiedDomain, asUser, createOrgWithOwner, lastLinkTo, type OrgWithOwner,
} from '../support/fixtures.js';

const PASSWORD = 'correct horse battery staple';

let ctx: TestContext;
let corp: OrgWithOwner;

beforeAll(async () => {
  ctx = await createTestContext();
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@corp.test', name: 'Corp' });
  await addVerifiedDomain(ctx, corp.org.sid, 'corp.test', 'restricted');
  await addVerifiedDomain(ctx, corp.org.sid, 'auto.corp.test', 'auto_enrollment');
  await addVerifiedDomain(ctx, corp.org.sid, 'blocked.corp.test', 'blocked');
});
afterAll(async () => { await ctx.close(); });

const signUp = (email: string, extra: { organizationName?: string; password?: string } = {}) =>
  ctx.services.organizations.signUp({ email, password: extra.password ?? PASSWORD, ...(extra.organizationName && { organizationName: extra.organizationName }) });

describe('sign-up (O1, D6, U5)', () => {
  it('R-O1: signing up on a domain nobody verified creates an organization owned by the new user', async () => {
    const result = await signUp('Founder@Startup.test', { organizationName: 'Startup Inc' });
    expect(result.outcome).toBe('created_org');
    const org = await ctx.services.organizations.get(asUser({ sid: result.userSid }), result.orgSid);
    expect(org).toMatchObject({ sid: result.orgSid, name: 'Startup Inc', ownerSid: result.userSid, memberCount: 1, accountLimit: 10 });
    const member = await ctx.store.read.users.get(result.userSid);
    expect(member).toMatchObject({ email: 'founder@startup.test', role: 'owner' });
    expect(await verifyPassword(PASSWORD, (await ctx.store.read.users.credentials(result.userSid))!.password_hash)).toBe(true);
  });

  it('R-D2: a gmail.com user can create an organization', async () => {
    await expect(signUp('someone@gmail.com')).resolves.toMatchObject({ outcome: 'created_org' });
  });

  it('R-U1: an email already known (any case) is refused with user_exists', async () => {
    await signUp('taken@elsewhere.test');
    await expect(signUp('TAKEN@elsewhere.test')).rejects.toMatchObject({ code: 'user_exists' });
  });

  it('refuses a weak password before anything is stored', async () => {
    await expect(signUp('weak@weak.test', { password: 'short' })).rejects.toMatchObject({ code: 'weak_password' });
    expect(await ctx.store.read.users.getByEmail('weak@weak.test')).toBeUndefined();
  });

  it('R-D6: a Restricted domain refuses sign-up without an invitation', async () => {
    await expect(signUp('newcomer@corp.test')).rejects.toMatchObject({ code: 'invitation_required' });
    expect(await ctx.store.read.users.getByEmail('newcomer@corp.test')).toBeUndefined();
  });

  it('R-D6: an Auto-enrollment domain joins the organization as a Standard User', async () => {
    const result = await signUp('joiner@auto.corp.test');
    expect(result).toMatchObject({ outcome: 'joined', orgSid: corp.org.sid });
    expect(await ctx.store.read.users.get(result.userSid)).toMatchObject({ role: 'standard' });
  });

  it('R-D6: a Blocked domain refuses sign-up with domain_blocked', async () => {
    await expect(signUp('nope@blocked.corp.test')).rejects.toMatchObject({ code: 'domain_blocked' });
  });

  it('R-D6: on a Restricted domain a pending invitation lets the person sign up with the invited role', async () => {
    await ctx.services.invitations.invite(corp.ownerActor, corp.org.sid, { email: 'invited@corp.test', role: 'admin' });
    const result = await signUp('invited@corp.test');
    expect(result).toMatchObject({ outcome: 'joined', orgSid: corp.org.sid });
    expect(await ctx.store.read.users.get(result.userSid)).toMatchObject({ role: 'admin' });
    expect(await ctx.services.invitations.listPending(corp.ownerActor, corp.org.sid)).toEqual([]);
  });

  it('R-U5: sign-up is refused with sso_required when the domain enforces SSO', async () => {
    const domain = await addVerifiedDomain(ctx, corp.org.sid, 'sso.corp.test', 'auto_enrollment');
    await ctx.store.transaction((repos) => repos.domains.update(domain.id, { ssoEnforced: true }));
    await expect(signUp('person@sso.corp.test')).rejects.toMatchObject({ code: 'sso_required' });
  });
});

describe('creation by an operator', () => {
  it('creates an organization with a new Owner, who is mailed a link to set a password', async () => {
    const { orgSid, ownerSid } = await ctx.services.organizations.create(OPERATOR, { name: 'Operated', ownerEmail: 'Boss@Operated.test' });
    expect(await ctx.store.read.users.get(ownerSid)).toMatchObject({ email: 'boss@operated.test', orgSid, role: 'owner' });
    const token = await lastLinkTo(ctx, 'boss@operated.test', '/password-reset/');
    await ctx.services.passwords.completeReset(token, PASSWORD);
    expect(await verifyPassword(PASSWORD, (await ctx.store.read.users.credentials(ownerSid))!.password_hash)).toBe(true);
    const log = await ctx.services.auditLog.list(OPERATOR, orgSid);
    expect(log.entries[0]).toMatchObject({ actor: 'operator', action: 'organization.created', after: { name: 'Operated', ownerSid } });
  });

  it('makes an existing user without an organization the Owner', async () => {
    const lone = await addLoneUser(ctx, 'lone@lone.test');
    await expect(ctx.services.organizations.create(OPERATOR, { name: 'Lone', ownerEmail: 'LONE@lone.test' })).resolves.toMatchObject({ ownerSid: lone.sid });
  });

  it("R-A4: an existing user's accounts join the organization created for them, also on a common domain, its limit raised to fit", async () => {
    const lone = await addLoneUser(ctx, 'a4.owner@gmail.com');
    const accounts = [];
    for (let i = 0; i < 11; i += 1) accounts.push(await addAccount(ctx, { ownerSid: lone.sid, name: `Mine ${i}` }));
    const sub = await addAccount(ctx, { ownerSid: lone.sid, parentSid: accounts[0]!.sid, name: 'Mine sub' });
    const closed = await addAccount(ctx, { ownerSid: lone.sid, status: 'closed', name: 'Gone' });
    const { orgSid } = await ctx.services.organizations.create(OPERATOR, { name: 'Gmail Owner', ownerEmail: 'a4.owner@gmail.com' });
    for (const a of [...accounts, sub]) expect(await ctx.store.read.accounts.get(a.sid)).toMatchObject({ orgSid, management: 'managed', ownerSid: lone.sid });
    expect(await ctx.store.read.accounts.get(closed.sid)).toMatchObject({ orgSid: null });
    expect((await ctx.services.organizations.get(OPERATOR, orgSid)).accountLimit).toBe(11);
    await expect(ctx.services.accounts.makeIndependent(OPERATOR, accounts[1]!.sid)).rejects.toMatchObject({ code: 'owner_accounts_managed' });
  });

  it('R-U1: refuses an Owner who belongs to another organization', async () => {
    await expect(ctx.services.organizations.create(OPERATOR, { name: 'Second', ownerEmail: 'owner@corp.test' })).rejects.toMatchObject({ code: 'member_of_other_org' });
  });

  it('is for operators only', async () => {
    await expect(ctx.services.organizations.create(corp.ownerActor, { name: 'Mine', ownerEmail: 'x@mine.test' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses an empty name and changes nothing', async () => {
    await expect(ctx.services.organizations.create(OPERATOR, { name: '  ', ownerEmail: 'empty@name.test' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await ctx.store.read.users.getByEmail('empty@name.test')).toBeUndefined();
  });
});

describe('operator settings (O5, B1, H1)', () => {
  it('R-O5: the operator raises and lowers the account limit, never below what is held', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@limits.test' });
    for (let i = 0; i < 3; i += 1) await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid });
    await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, management: 'independent' });
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { accountLimit: 25 })).resolves.toMatchObject({ accountLimit: 25 });
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { accountLimit: 3 })).resolves.toMatchObject({ accountLimit: 3 });
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { accountLimit: 2 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { accountLimit: 1.5 })).rejects.toMatchObject({ code: 'invalid_input' });
    const log = await ctx.services.auditLog.list(OPERATOR, org.org.sid, { action: 'organization.settings_changed' });
    expect(log.entries.map((e) => [(e.before as { accountLimit: number }).accountLimit, (e.after as { accountLimit: number }).accountLimit])).toEqual([[10, 25], [25, 3]]);
  });

  it('R-B1: the operator enables bulk import', async () => {
    await expect(ctx.services.organizations.updateSettings(OPERATOR, corp.org.sid, { bulkImportEnabled: true })).resolves.toMatchObject({ bulkImportEnabled: true });
  });

  it('R-H1: the operator records the executed BAA once; it is not overwritten or withdrawn', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@hipaa.test' });
    const first = await ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { baaExecuted: true });
    expect(first.baaExecutedAt).toEqual(ctx.clock.now());
    ctx.clock.advance(60_000);
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { baaExecuted: true })).resolves.toMatchObject({ baaExecutedAt: first.baaExecutedAt });
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { baaExecuted: false })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { baaExecutedAt: new Date(Date.now() + 86_400_000) }))
      .resolves.toMatchObject({ baaExecutedAt: first.baaExecutedAt });
  });

  it('R-O3: the Owner cannot change operator settings', async () => {
    await expect(ctx.services.organizations.updateSettings(corp.ownerActor, corp.org.sid, { accountLimit: 50 })).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('reading and deleting', () => {
  it('R-U6: a member of another organization gets not_found', async () => {
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other.test' });
    await expect(ctx.services.organizations.get(other.ownerActor, corp.org.sid)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('R-O4: an organization cannot be deleted, not even by the operator', async () => {
    await expect(ctx.services.organizations.delete(OPERATOR, corp.org.sid)).rejects.toMatchObject({ code: 'organization_cannot_be_deleted' });
    await expect(ctx.services.organizations.delete(corp.ownerActor, corp.org.sid)).rejects.toMatchObject({ code: 'organization_cannot_be_deleted' });
    await expect(ctx.services.organizations.get(OPERATOR, corp.org.sid)).resolves.toMatchObject({ sid: corp.org.sid });
    const admin = await addMember(ctx, corp.org.sid, 'admin@corp.test', 'admin');
    await expect(ctx.services.organizations.delete(asUser(admin), corp.org.sid)).rejects.toMatchObject({ code: 'organization_cannot_be_deleted' });
  });
});
