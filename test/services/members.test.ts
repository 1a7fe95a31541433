/**
 * Members service over the real database: roles (O3), the Owner hand-over (O2), removal (C4, U6),
 * suspension (C3) and account grants; plus the cores SCIM reuses (removeMember, setMemberStatus).
 */
import { removeMember, setMemberStatus } from '../../src/services/members.js';
import type { Actor } from '../../src/types.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { OPERATOR, addAccount, addMember, asUser, createOrgWithOwner, grantAccount, type OrgWithOwner } from '../support/fixtures.js';
import { insertSession, isLive } from './sessions-fixture.js';

let ctx: TestContext;
let corp: OrgWithOwner;
let other: OrgWithOwner;
let n = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  corp = await createOrgWithOwner(ctx, { ownerEmail: 'owner@corp.test', name: 'Corp' });
  other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other.test', name: 'Other' });
});
afterAll(async () => { await ctx.close(); });

/** A fresh member of Corp. */
const member = (role: 'admin' | 'standard' = 'standard') => addMember(ctx, corp.org.sid, `m${(n += 1)}@corp.test`, role);
const owners = async (orgSid: string) => (await ctx.store.read.users.listByOrg(orgSid)).filter((m) => m.role === 'owner').map((m) => m.sid);

describe('roles (O3)', () => {
  it('R-O3: an administrator promotes and demotes members', async () => {
    const admin = await member('admin');
    const target = await member();
    await expect(ctx.services.members.changeRole(asUser(admin), corp.org.sid, target.sid, 'admin')).resolves.toMatchObject({ role: 'admin' });
    await expect(ctx.services.members.changeRole(asUser(admin), corp.org.sid, target.sid, 'standard')).resolves.toMatchObject({ role: 'standard' });
    const log = await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { action: 'user.role_changed', limit: 500 });
    expect(log.entries.filter((e) => e.target === target.sid).map((e) => e.after)).toEqual([{ role: 'admin' }, { role: 'standard' }]);
  });

  it('R-O2: nobody is made Owner, and the Owner is not demoted, by a role change (owner_required)', async () => {
    const target = await member();
    await expect(ctx.services.members.changeRole(corp.ownerActor, corp.org.sid, target.sid, 'owner')).rejects.toMatchObject({ code: 'owner_required' });
    await expect(ctx.services.members.changeRole(corp.ownerActor, corp.org.sid, corp.owner.sid, 'admin')).rejects.toMatchObject({ code: 'owner_required' });
  });

  it('R-O3: a Standard User cannot change roles; an administrator cannot change the Owner', async () => {
    const standard = await member();
    const admin = await member('admin');
    await expect(ctx.services.members.changeRole(asUser(standard), corp.org.sid, admin.sid, 'standard')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.members.changeRole(asUser(admin), corp.org.sid, corp.owner.sid, 'standard')).rejects.toMatchObject({ code: 'owner_required' });
    expect(await owners(corp.org.sid)).toEqual([corp.owner.sid]);
  });

  it('R-U6: administrators act only on members of their own organization', async () => {
    const admin = await member('admin');
    await expect(ctx.services.members.changeRole(asUser(admin), corp.org.sid, other.owner.sid, 'standard')).rejects.toMatchObject({ code: 'not_a_member' });
    await expect(ctx.services.members.list(asUser(admin), other.org.sid)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists members for those who manage users; a Standard User sees only themselves', async () => {
    const standard = await member();
    expect((await ctx.services.members.list(corp.ownerActor, corp.org.sid)).map((m) => m.sid)).toContain(standard.sid);
    await expect(ctx.services.members.list(asUser(standard), corp.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.members.get(asUser(standard), corp.org.sid, standard.sid)).resolves.toMatchObject({ sid: standard.sid, grantedAccountSids: [] });
    await expect(ctx.services.members.get(asUser(standard), corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('Owner hand-over (O2)', () => {
  it('R-O2: the Owner hands over; the former Owner becomes Administrator; exactly one Owner remains', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'first@handover.test' });
    const next = await addMember(ctx, org.org.sid, 'next@handover.test', 'standard');
    await expect(ctx.services.members.handOverOwnership(org.ownerActor, org.org.sid, next.sid)).resolves.toEqual({ ownerSid: next.sid, formerOwnerSid: org.owner.sid, accountsJoined: [] });
    expect(await ctx.store.read.users.get(org.owner.sid)).toMatchObject({ role: 'admin' });
    expect(await owners(org.org.sid)).toEqual([next.sid]);
    // The former Owner, now an administrator, cannot take it back.
    await expect(ctx.services.members.handOverOwnership(org.ownerActor, org.org.sid, org.owner.sid)).rejects.toMatchObject({ code: 'owner_required' });
  });

  it("R-A4: at a hand-over the new Owner's accounts outside the organization, or independent in it, join as managed accounts", async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'first@a4-handover.test' });
    const next = await addMember(ctx, org.org.sid, 'next@a4-handover.test', 'admin');
    const outside = await addAccount(ctx, { ownerSid: next.sid, name: 'Outside' });
    const outsideSub = await addAccount(ctx, { ownerSid: next.sid, parentSid: outside.sid, name: 'Outside sub' });
    const independent = await addAccount(ctx, { ownerSid: next.sid, orgSid: org.org.sid, management: 'independent', name: 'Independent' });
    const elsewhere = await addAccount(ctx, { ownerSid: next.sid, orgSid: other.org.sid, management: 'independent', name: 'Held by Other' });
    const result = await ctx.services.members.handOverOwnership(org.ownerActor, org.org.sid, next.sid);
    expect([...result.accountsJoined].sort()).toEqual([outside.sid, independent.sid].sort());
    for (const sid of [outside.sid, outsideSub.sid, independent.sid]) {
      expect(await ctx.store.read.accounts.get(sid)).toMatchObject({ orgSid: org.org.sid, management: 'managed', ownerSid: next.sid });
    }
    // Another organization's account is not taken from it.
    expect(await ctx.store.read.accounts.get(elsewhere.sid)).toMatchObject({ orgSid: other.org.sid, management: 'independent' });
    const log = await ctx.services.auditLog.list(OPERATOR, org.org.sid, { action: 'account.joined_with_owner', limit: 500 });
    expect(log.entries.map((e) => e.target).sort()).toEqual([outside.sid, independent.sid].sort());
    // Now the Owner's, they cannot be released (A4).
    await expect(ctx.services.accounts.makeIndependent(org.ownerActor, independent.sid)).rejects.toMatchObject({ code: 'owner_accounts_managed' });
  });

  it('R-A4/O5: a hand-over whose new Owner\'s accounts would pass the account limit is refused until the operator raises it', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'first@a4-limit.test' });
    const next = await addMember(ctx, org.org.sid, 'next@a4-limit.test', 'admin');
    for (let i = 0; i < 9; i += 1) await ctx.services.accounts.create(org.ownerActor, org.org.sid, { name: `Held ${i}`, usage: 'twilio' });
    await addAccount(ctx, { ownerSid: next.sid, name: 'Outside 1' });
    await addAccount(ctx, { ownerSid: next.sid, name: 'Outside 2' });
    const error = await ctx.services.members.handOverOwnership(org.ownerActor, org.org.sid, next.sid).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'account_limit_reached' });
    expect((error as Error).message).toContain(`orgward org set --org ${org.org.sid} --account-limit 11`);
    expect(await owners(org.org.sid)).toEqual([org.owner.sid]);
    await ctx.services.organizations.updateSettings(OPERATOR, org.org.sid, { accountLimit: 11 });
    await expect(ctx.services.members.handOverOwnership(org.ownerActor, org.org.sid, next.sid)).resolves.toMatchObject({ ownerSid: next.sid });
  });

  it('R-O2: only the Owner hands over; not an administrator, not the operator', async () => {
    const admin = await member('admin');
    const target = await member();
    await expect(ctx.services.members.handOverOwnership(asUser(admin), corp.org.sid, target.sid)).rejects.toMatchObject({ code: 'owner_required' });
    await expect(ctx.services.members.handOverOwnership(OPERATOR, corp.org.sid, target.sid)).rejects.toMatchObject({ code: 'owner_required' });
    expect(await owners(corp.org.sid)).toEqual([corp.owner.sid]);
  });

  it('R-O2: hands over only to an active member of the same organization', async () => {
    const suspended = await member();
    await ctx.services.members.suspend(corp.ownerActor, corp.org.sid, suspended.sid);
    await expect(ctx.services.members.handOverOwnership(corp.ownerActor, corp.org.sid, suspended.sid)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.members.handOverOwnership(corp.ownerActor, corp.org.sid, other.owner.sid)).rejects.toMatchObject({ code: 'not_a_member' });
  });

  it('R-O2: the database keeps exactly one Owner even if a change bypasses the rules', async () => {
    const target = await member();
    await expect(ctx.store.transaction((repos) => repos.users.setRole(target.sid, corp.org.sid, 'owner'))).rejects.toMatchObject({ code: 'owner_required' });
    await expect(ctx.store.transaction((repos) => repos.users.setRole(corp.owner.sid, corp.org.sid, 'admin'))).rejects.toMatchObject({ code: 'owner_required' });
    expect(await owners(corp.org.sid)).toEqual([corp.owner.sid]);
  });
});

describe('removal (C4, U6)', () => {
  it('R-C4: managed accounts pass to the Owner, grants and sessions end, the membership ends', async () => {
    const leaving = await member();
    const managed = await addAccount(ctx, { ownerSid: leaving.sid, orgSid: corp.org.sid });
    const independent = await addAccount(ctx, { ownerSid: leaving.sid, orgSid: corp.org.sid, management: 'independent' });
    const granted = await addAccount(ctx, { ownerSid: corp.owner.sid, orgSid: corp.org.sid });
    await grantAccount(ctx, corp.org.sid, leaving.sid, granted.sid);
    const session = await insertSession(ctx, leaving.sid);

    const result = await ctx.services.members.remove(corp.ownerActor, corp.org.sid, leaving.sid);
    expect(result).toMatchObject({ userSid: leaving.sid, accountsPassedToOwner: [managed.sid], ownerSid: corp.owner.sid, sessionsRevoked: 1 });
    expect(await ctx.store.read.accounts.get(managed.sid)).toMatchObject({ ownerSid: corp.owner.sid, management: 'managed' });
    // A1: an independent account is not the organization's to change.
    expect(await ctx.store.read.accounts.get(independent.sid)).toMatchObject({ ownerSid: leaving.sid });
    expect(await ctx.store.read.accounts.grantsOf(corp.org.sid, leaving.sid)).toEqual([]);
    expect(await isLive(ctx, session)).toBe(false);
    expect(await ctx.store.read.users.get(leaving.sid)).toMatchObject({ orgSid: null, role: null });
    const log = await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { limit: 500 });
    expect(log.entries.filter((e) => e.target === managed.sid || e.target === leaving.sid).map((e) => e.action).slice(-3))
      .toEqual(['account.owner_changed', 'session.revoked', 'user.removed']);
  });

  it('R-O2: the Owner cannot be removed or suspended', async () => {
    const admin = await member('admin');
    await expect(ctx.services.members.remove(corp.ownerActor, corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'owner_required' });
    await expect(ctx.services.members.remove(OPERATOR, corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'owner_required' });
    await expect(ctx.services.members.suspend(asUser(admin), corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'owner_required' });
    await expect(ctx.services.members.suspend(corp.ownerActor, corp.org.sid, corp.owner.sid)).rejects.toMatchObject({ code: 'owner_required' });
  });

  it('R-U6: an administrator cannot remove a member of another organization', async () => {
    const admin = await member('admin');
    const outsider = await addMember(ctx, other.org.sid, 'outsider@other.test');
    await expect(ctx.services.members.remove(asUser(admin), corp.org.sid, outsider.sid)).rejects.toMatchObject({ code: 'not_a_member' });
    expect(await ctx.store.read.users.get(outsider.sid)).toMatchObject({ orgSid: other.org.sid });
  });
});

describe('suspension (C3)', () => {
  it('R-C3: suspension ends every session at once; restoring makes the user active again', async () => {
    const target = await member();
    const session = await insertSession(ctx, target.sid);
    await expect(ctx.services.members.suspend(corp.ownerActor, corp.org.sid, target.sid)).resolves.toMatchObject({ changed: true, member: { status: 'suspended' } });
    expect(await isLive(ctx, session)).toBe(false);
    await expect(ctx.services.members.suspend(corp.ownerActor, corp.org.sid, target.sid)).resolves.toMatchObject({ changed: false });
    await expect(ctx.services.members.restore(corp.ownerActor, corp.org.sid, target.sid)).resolves.toMatchObject({ changed: true, member: { status: 'active' } });
  });

  it('R-C3: a suspended administrator can no longer manage users', async () => {
    const admin = await member('admin');
    const target = await member();
    await ctx.services.members.suspend(corp.ownerActor, corp.org.sid, admin.sid);
    await expect(ctx.services.members.suspend(asUser(admin), corp.org.sid, target.sid)).rejects.toMatchObject({ code: 'user_suspended' });
  });
});

describe('cores shared with SCIM (C1, C3, C4)', () => {
  const scim = (orgSid: string): Actor => ({ kind: 'scim', tokenId: 'tok-1', orgSid });

  it('R-C4: a SCIM token removes a member of its organization, and never the Owner', async () => {
    const target = await member();
    await expect(ctx.store.transaction((repos) => removeMember(repos, scim(corp.org.sid), corp.org.sid, target.sid, ctx.clock.now())))
      .resolves.toMatchObject({ userSid: target.sid });
    await expect(ctx.store.transaction((repos) => removeMember(repos, scim(corp.org.sid), corp.org.sid, corp.owner.sid, ctx.clock.now())))
      .rejects.toMatchObject({ code: 'owner_required' });
    const log = await ctx.services.auditLog.list(OPERATOR, corp.org.sid, { action: 'user.removed', limit: 500 });
    expect(log.entries.find((e) => e.target === target.sid)?.actor).toBe('scim:tok-1');
  });

  it('R-C1: a SCIM token of another organization reaches nobody here', async () => {
    const target = await member();
    await expect(ctx.store.transaction((repos) => setMemberStatus(repos, scim(other.org.sid), corp.org.sid, target.sid, 'suspended', ctx.clock.now())))
      .rejects.toMatchObject({ kind: 'not_found' });
    await expect(ctx.store.transaction((repos) => setMemberStatus(repos, scim(other.org.sid), other.org.sid, target.sid, 'suspended', ctx.clock.now())))
      .rejects.toMatchObject({ kind: 'not_found' });
    expect(await ctx.store.read.users.get(target.sid)).toMatchObject({ status: 'active' });
  });
});

describe('account grants (O3)', () => {
  it('grants and revokes access to an account of the organization', async () => {
    const target = await member();
    const account = await addAccount(ctx, { ownerSid: corp.owner.sid, orgSid: corp.org.sid });
    await expect(ctx.services.members.grantAccount(corp.ownerActor, corp.org.sid, target.sid, account.sid)).resolves.toEqual({ changed: true });
    await expect(ctx.services.members.grantAccount(corp.ownerActor, corp.org.sid, target.sid, account.sid)).resolves.toEqual({ changed: false });
    expect((await ctx.services.members.get(corp.ownerActor, corp.org.sid, target.sid)).grantedAccountSids).toEqual([account.sid]);
    await expect(ctx.services.members.revokeAccount(corp.ownerActor, corp.org.sid, target.sid, account.sid)).resolves.toEqual({ changed: true });
    await expect(ctx.services.members.revokeAccount(corp.ownerActor, corp.org.sid, target.sid, account.sid)).resolves.toEqual({ changed: false });
    expect(await ctx.store.read.accounts.grantsOf(corp.org.sid, target.sid)).toEqual([]);
  });

  it('refuses accounts of another organization (not_found) and pending imports', async () => {
    const target = await member();
    const foreign = await addAccount(ctx, { ownerSid: other.owner.sid, orgSid: other.org.sid });
    const pending = await addAccount(ctx, { ownerSid: corp.owner.sid, orgSid: corp.org.sid, management: 'pending' });
    await expect(ctx.services.members.grantAccount(corp.ownerActor, corp.org.sid, target.sid, foreign.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.members.grantAccount(corp.ownerActor, corp.org.sid, target.sid, pending.sid)).rejects.toMatchObject({ code: 'account_pending' });
  });

  it('R-A7: a subaccount has no users of its own: a direct grant on it is refused (subaccount_not_grantable), the parent named', async () => {
    const target = await member();
    const parent = await addAccount(ctx, { ownerSid: corp.owner.sid, orgSid: corp.org.sid });
    const sub = await addAccount(ctx, { ownerSid: corp.owner.sid, orgSid: corp.org.sid, parentSid: parent.sid });
    const error = await ctx.services.members.grantAccount(corp.ownerActor, corp.org.sid, target.sid, sub.sid).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'subaccount_not_grantable' });
    expect((error as Error).message).toContain(parent.sid);
    expect(await ctx.store.read.accounts.grantsOf(corp.org.sid, target.sid)).toEqual([]);
  });
});
