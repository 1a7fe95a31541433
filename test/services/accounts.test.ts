import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newSid } from '../../src/ids.js';
import { createTestContext, type TestContext } from '../support/app.js';
import {
  OPERATOR, addAccount, addMember, addVerifiedDomain, asUser, createOrgWithOwner, grantAccount, setOrgSettings, type OrgWithOwner,
} from '../support/fixtures.js';

let ctx: TestContext;
let n = 0;
/** A fresh organization per test, so tests never depend on each other. */
async function freshOrg(): Promise<OrgWithOwner & { admin: Awaited<ReturnType<typeof addMember>>; standard: Awaited<ReturnType<typeof addMember>> }> {
  n += 1;
  const domain = `acme${n}.com`;
  const base = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}`, name: `Acme ${n}` });
  await addVerifiedDomain(ctx, base.org.sid, domain);
  const admin = await addMember(ctx, base.org.sid, `admin@${domain}`, 'admin');
  const standard = await addMember(ctx, base.org.sid, `sam@${domain}`, 'standard');
  return { ...base, admin, standard };
}
/**
 * Opens `size` pooled connections (on PostgreSQL) so that the racing transactions really overlap
 * instead of being staggered by connection set-up. PGlite has one connection and serialises them.
 */
async function warmPool(size: number): Promise<void> {
  await Promise.all(Array.from({ length: size }, () => ctx.testDb.db.raw('select pg_sleep(0.05)')));
}
const auditActions = async (orgSid: string) => (await ctx.store.read.audit.list(orgSid, { limit: 1000 })).map((e) => e.action);

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('accounts.create (A2, A5, O5, H3)', () => {
  it('R-A2/A5: the Owner creates a managed, active trial account with fresh defaults, owned by them, audited', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: '  Production ', usage: 'twilio' });
    expect(account).toMatchObject({
      name: 'Production', usage: 'twilio', plan: 'trial', status: 'active', management: 'managed',
      orgSid: o.org.sid, ownerSid: o.owner.sid, parentSid: null, hipaa: false,
    });
    expect(account.sid).toMatch(/^AC[0-9a-f]{32}$/);
    const entries = await ctx.store.read.audit.list(o.org.sid, { action: 'account.created' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: o.owner.sid, target: account.sid });
  });

  it.each(['admin', 'standard'] as const)('R-A5: a %s user creates an account: it is managed and theirs', async (role) => {
    const o = await freshOrg();
    const creator = role === 'admin' ? o.admin : o.standard;
    const account = await ctx.services.accounts.create(asUser(creator), o.org.sid, { name: 'Flex desk', usage: 'flex' });
    expect(account).toMatchObject({ management: 'managed', ownerSid: creator.sid, usage: 'flex', orgSid: o.org.sid });
  });

  it('R-A5: an Administrator may create an account for another member; a Standard User may not', async () => {
    const o = await freshOrg();
    const forSam = await ctx.services.accounts.create(asUser(o.admin), o.org.sid, { name: 'For Sam', usage: 'twilio', ownerSid: o.standard.sid });
    expect(forSam.ownerSid).toBe(o.standard.sid);
    await expect(ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'For admin', usage: 'twilio', ownerSid: o.admin.sid }))
      .rejects.toMatchObject({ code: 'forbidden' });
  });

  it('R-A5: the operator must name a member as owner', async () => {
    const o = await freshOrg();
    await expect(ctx.services.accounts.create(OPERATOR, o.org.sid, { name: 'X', usage: 'twilio' })).rejects.toMatchObject({ code: 'invalid_input' });
    const outsider = await createOrgWithOwner(ctx, { ownerEmail: 'someone@elsewhere.com' });
    await expect(ctx.services.accounts.create(OPERATOR, o.org.sid, { name: 'X', usage: 'twilio', ownerSid: outsider.owner.sid }))
      .rejects.toMatchObject({ code: 'not_a_member' });
    const made = await ctx.services.accounts.create(OPERATOR, o.org.sid, { name: 'X', usage: 'twilio', ownerSid: o.admin.sid });
    expect(made.ownerSid).toBe(o.admin.sid);
    expect((await ctx.store.read.audit.list(o.org.sid, { action: 'account.created' }))[0]?.actor).toBe('operator');
  });

  it.each([
    ['an empty name', { name: '   ', usage: 'twilio' }],
    ['a name over 64 characters', { name: 'x'.repeat(65), usage: 'twilio' }],
    ['an unknown usage', { name: 'Ok', usage: 'voice' }],
  ])('R-A2: %s is refused with invalid_input and nothing is created', async (_label, input) => {
    const o = await freshOrg();
    await expect(ctx.services.accounts.create(o.ownerActor, o.org.sid, input)).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await ctx.store.read.accounts.listByOrg(o.org.sid)).toHaveLength(0);
  });

  it('R-O3/U6: a member of another organization cannot create accounts here (not_found)', async () => {
    const o = await freshOrg();
    const other = await freshOrg();
    await expect(ctx.services.accounts.create(other.ownerActor, o.org.sid, { name: 'X', usage: 'twilio' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('R-C1: a SCIM token provisions users, never accounts', async () => {
    const o = await freshOrg();
    const scim = { kind: 'scim' as const, tokenId: 'token-1', orgSid: o.org.sid };
    await expect(ctx.services.accounts.create(scim, o.org.sid, { name: 'X', usage: 'twilio', ownerSid: o.owner.sid })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.accounts.list(scim, o.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('R-O5: at the limit the next account is refused; closed and independent accounts do not count', async () => {
    const o = await freshOrg();
    await setOrgSettings(ctx, o.org.sid, { accountLimit: 3 });
    const made = [];
    for (const name of ['One', 'Two', 'Three']) made.push(await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name, usage: 'twilio' }));
    await expect(ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Four', usage: 'twilio' }))
      .rejects.toMatchObject({ code: 'account_limit_reached' });
    await ctx.services.accounts.makeIndependent(o.ownerActor, made[0]!.sid);
    const four = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Four', usage: 'twilio' });
    await expect(ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Five', usage: 'twilio' }))
      .rejects.toMatchObject({ code: 'account_limit_reached' });
    await ctx.services.accounts.close(o.ownerActor, four.sid);
    await expect(ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Five', usage: 'twilio' })).resolves.toMatchObject({ name: 'Five' });
  });

  it('R-O5: concurrent creations at limit-1 leave exactly one success; the rest get account_limit_reached', async () => {
    const o = await freshOrg();
    await setOrgSettings(ctx, o.org.sid, { accountLimit: 4 });
    for (const name of ['A', 'B', 'C']) await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name, usage: 'twilio' });
    await warmPool(6);
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
      ctx.services.accounts.create(i % 2 ? o.ownerActor : asUser(o.standard), o.org.sid, { name: `Race ${i}`, usage: 'twilio' })));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const codes = attempts.flatMap((a) => (a.status === 'rejected' ? [(a.reason as { code: string }).code] : []));
    expect(codes).toEqual(Array(5).fill('account_limit_reached'));
    expect(await ctx.store.read.accounts.listTopLevel(o.org.sid)).toHaveLength(4);
  });

  it('R-H3: accounts created after designation start flagged; before, they do not', async () => {
    const o = await freshOrg();
    const before = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Before', usage: 'twilio' });
    await setOrgSettings(ctx, o.org.sid, { baaExecutedAt: new Date('2026-01-01T00:00:00Z') });
    const after = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'After', usage: 'twilio' });
    expect([before.hipaa, after.hipaa]).toEqual([false, true]);
    expect((await ctx.store.read.accounts.get(before.sid))?.hipaa).toBe(false);
  });
});

describe('accounts.createSubaccount (A7, H3)', () => {
  it('R-A7: a trial account holds at most one subaccount; it has the parent\'s owner and plan', async () => {
    const o = await freshOrg();
    const parent = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Parent', usage: 'flex' });
    const sub = await ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'Child' });
    expect(sub).toMatchObject({ parentSid: parent.sid, ownerSid: o.standard.sid, plan: 'trial', usage: 'flex', management: 'managed', orgSid: o.org.sid });
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'Second' }))
      .rejects.toMatchObject({ code: 'subaccount_limit_reached' });
    expect(await auditActions(o.org.sid)).toContain('account.subaccount_created');
  });

  it('R-A7: an upgraded account holds up to 1,000 subaccounts and not one more', async () => {
    const o = await freshOrg();
    const parent = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Big', usage: 'twilio' });
    await ctx.services.accounts.upgrade(OPERATOR, parent.sid);
    await ctx.store.transaction(async (repos) => {
      for (let i = 0; i < 999; i += 1) {
        await repos.accounts.insert({ sid: newSid('AC'), name: `S${i}`, usage: 'twilio', plan: 'upgraded', status: 'active', ownerSid: o.owner.sid, parentSid: parent.sid, orgSid: o.org.sid, management: 'managed', hipaa: false });
      }
    });
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'S999' })).resolves.toMatchObject({ plan: 'upgraded' });
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'S1000' }))
      .rejects.toMatchObject({ code: 'subaccount_limit_reached' });
  });

  it('R-A7: concurrent subaccount creations under a trial parent leave exactly one', async () => {
    const o = await freshOrg();
    const parent = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Parent', usage: 'twilio' });
    await warmPool(5);
    const attempts = await Promise.allSettled(Array.from({ length: 5 }, (_, i) =>
      ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: `Child ${i}` })));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(attempts.flatMap((a) => (a.status === 'rejected' ? [(a.reason as { code: string }).code] : [])))
      .toEqual(Array(4).fill('subaccount_limit_reached'));
    expect(await ctx.store.read.accounts.countChildren(parent.sid)).toBe(1);
  });

  it('R-A7: refusals: a subaccount of a subaccount, a suspended, independent or closed parent', async () => {
    const o = await freshOrg();
    const parent = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'P', usage: 'twilio' });
    const sub = await ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'C' });
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, sub.sid, { name: 'G' })).rejects.toMatchObject({ code: 'invalid_input' });
    const other = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Q', usage: 'twilio' });
    await ctx.services.accounts.suspend(o.ownerActor, other.sid);
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, other.sid, { name: 'C' })).rejects.toMatchObject({ code: 'account_suspended' });
    await ctx.services.accounts.reactivate(o.ownerActor, other.sid);
    await ctx.services.accounts.makeIndependent(o.ownerActor, other.sid);
    // Its owner still reaches it (U2), but the organization no longer manages it (A1); the Owner does not reach it at all.
    await expect(ctx.services.accounts.createSubaccount(asUser(o.standard), other.sid, { name: 'C' })).rejects.toMatchObject({ code: 'account_not_managed' });
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, other.sid, { name: 'C' })).rejects.toMatchObject({ code: 'forbidden' });
    const third = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'R', usage: 'twilio' });
    await ctx.services.accounts.close(o.ownerActor, third.sid);
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, third.sid, { name: 'C' })).rejects.toMatchObject({ code: 'account_closed' });
  });

  it('R-A7/O3: a Standard User creates subaccounts only under accounts they own or were granted', async () => {
    const o = await freshOrg();
    const adminAccount = await ctx.services.accounts.create(asUser(o.admin), o.org.sid, { name: 'Admin', usage: 'twilio' });
    await expect(ctx.services.accounts.createSubaccount(asUser(o.standard), adminAccount.sid, { name: 'C' })).rejects.toMatchObject({ code: 'forbidden' });
    await grantAccount(ctx, o.org.sid, o.standard.sid, adminAccount.sid);
    await expect(ctx.services.accounts.createSubaccount(asUser(o.standard), adminAccount.sid, { name: 'C' }))
      .resolves.toMatchObject({ ownerSid: o.admin.sid });
  });

  it('R-H3: a subaccount of a flagged account starts flagged, even before designation', async () => {
    const o = await freshOrg();
    const flagged = await addAccount(ctx, { ownerSid: o.owner.sid, orgSid: o.org.sid, hipaa: true });
    const plain = await addAccount(ctx, { ownerSid: o.owner.sid, orgSid: o.org.sid });
    expect((await ctx.services.accounts.createSubaccount(o.ownerActor, flagged.sid, { name: 'C' })).hipaa).toBe(true);
    expect((await ctx.services.accounts.createSubaccount(o.ownerActor, plain.sid, { name: 'C' })).hipaa).toBe(false);
  });
});

describe('accounts.transferOwnership (A6)', () => {
  it('R-A6: the Owner passes an account to another member; subaccounts follow; audited', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Main', usage: 'twilio' });
    const sub = await ctx.services.accounts.createSubaccount(o.ownerActor, account.sid, { name: 'Sub' });
    const result = await ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, o.standard.sid);
    expect(result).toMatchObject({ changed: true, subaccountSids: [sub.sid], account: { ownerSid: o.standard.sid } });
    expect((await ctx.store.read.accounts.get(sub.sid))?.ownerSid).toBe(o.standard.sid);
    const [entry] = await ctx.store.read.audit.list(o.org.sid, { action: 'account.ownership_transferred' });
    expect(entry).toMatchObject({ before: { ownerSid: o.owner.sid }, after: { ownerSid: o.standard.sid } });
  });

  it('R-A6: to someone outside the organization, or to no user, is transfer_target_not_managed', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Main', usage: 'twilio' });
    const other = await freshOrg();
    await expect(ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, other.standard.sid)).rejects.toMatchObject({ code: 'transfer_target_not_managed' });
    await expect(ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, newSid('US'))).rejects.toMatchObject({ code: 'transfer_target_not_managed' });
    expect((await ctx.store.read.accounts.get(account.sid))?.ownerSid).toBe(o.owner.sid);
  });

  it('R-A6: ownership does not move to a suspended member (transfer_target_not_managed)', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Main', usage: 'twilio' });
    await ctx.services.members.suspend(o.ownerActor, o.org.sid, o.standard.sid);
    await expect(ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, o.standard.sid)).rejects.toMatchObject({ code: 'transfer_target_not_managed' });
    expect((await ctx.store.read.accounts.get(account.sid))?.ownerSid).toBe(o.owner.sid);
  });

  it('R-A6/O3: a Standard User cannot transfer; a subaccount is not transferred alone; same owner changes nothing', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Mine', usage: 'twilio' });
    await expect(ctx.services.accounts.transferOwnership(asUser(o.standard), account.sid, o.admin.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const sub = await ctx.services.accounts.createSubaccount(asUser(o.standard), account.sid, { name: 'Sub' });
    await expect(ctx.services.accounts.transferOwnership(o.ownerActor, sub.sid, o.admin.sid)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, o.standard.sid)).resolves.toMatchObject({ changed: false });
  });

  it('R-A1: an independent account is not the organization\'s to transfer', async () => {
    const o = await freshOrg();
    const account = await addAccount(ctx, { ownerSid: o.standard.sid, orgSid: o.org.sid, management: 'independent' });
    await expect(ctx.services.accounts.transferOwnership(o.ownerActor, account.sid, o.admin.sid)).rejects.toMatchObject({ code: 'account_not_managed' });
  });
});

describe('accounts.suspend / reactivate / close (A1)', () => {
  it('R-A1: a managed account is suspended, reactivated and closed, each audited; repeating changes nothing', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Ops', usage: 'twilio' });
    expect((await ctx.services.accounts.suspend(asUser(o.admin), account.sid)).account.status).toBe('suspended');
    expect((await ctx.services.accounts.suspend(asUser(o.admin), account.sid)).changed).toBe(false);
    expect((await ctx.services.accounts.reactivate(asUser(o.admin), account.sid)).account.status).toBe('active');
    expect((await ctx.services.accounts.close(o.ownerActor, account.sid)).account.status).toBe('closed');
    expect(await auditActions(o.org.sid)).toEqual(expect.arrayContaining(['account.suspended', 'account.reactivated', 'account.closed']));
    await expect(ctx.services.accounts.reactivate(o.ownerActor, account.sid)).rejects.toMatchObject({ code: 'account_closed' });
  });

  it('R-A7: closing a parent closes its subaccounts', async () => {
    const o = await freshOrg();
    const parent = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'P', usage: 'twilio' });
    const sub = await ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'C' });
    expect((await ctx.services.accounts.close(o.ownerActor, parent.sid)).subaccountSids).toEqual([sub.sid]);
    expect((await ctx.store.read.accounts.get(sub.sid))?.status).toBe('closed');
  });

  it.each([
    ['independent', 'account_not_managed'],
    ['pending', 'account_pending'],
  ] as const)('R-A1: a %s account cannot be suspended, reactivated or closed (%s)', async (management, code) => {
    const o = await freshOrg();
    const account = await addAccount(ctx, { ownerSid: o.standard.sid, orgSid: o.org.sid, management });
    for (const op of ['suspend', 'reactivate', 'close'] as const) {
      await expect(ctx.services.accounts[op](o.ownerActor, account.sid)).rejects.toMatchObject({ code });
    }
    expect((await ctx.store.read.accounts.get(account.sid))?.status).toBe('active');
  });

  it('R-O3: a Standard User cannot suspend even their own account; outsiders get not_found', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Mine', usage: 'twilio' });
    await expect(ctx.services.accounts.suspend(asUser(o.standard), account.sid)).rejects.toMatchObject({ code: 'forbidden' });
    const other = await freshOrg();
    await expect(ctx.services.accounts.close(other.ownerActor, account.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.accounts.close(o.ownerActor, newSid('AC'))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('accounts.makeIndependent (A1, A4)', () => {
  it('R-A4: accounts owned by the Owner cannot be made independent', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Owner\'s', usage: 'twilio' });
    await expect(ctx.services.accounts.makeIndependent(asUser(o.admin), account.sid)).rejects.toMatchObject({ code: 'owner_accounts_managed' });
    expect((await ctx.store.read.accounts.get(account.sid))?.management).toBe('managed');
  });

  it('R-A1: another member\'s account becomes independent with its subaccounts; the organization can no longer change it', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Sam\'s', usage: 'twilio' });
    const sub = await ctx.services.accounts.createSubaccount(asUser(o.standard), account.sid, { name: 'Sub' });
    const result = await ctx.services.accounts.makeIndependent(asUser(o.admin), account.sid);
    expect(result).toMatchObject({ account: { management: 'independent' }, subaccountSids: [sub.sid] });
    await expect(ctx.services.accounts.suspend(o.ownerActor, account.sid)).rejects.toMatchObject({ code: 'account_not_managed' });
    await expect(ctx.services.accounts.makeIndependent(o.ownerActor, account.sid)).rejects.toMatchObject({ code: 'account_not_managed' });
  });
});

describe('accounts.upgrade (A7)', () => {
  it('R-A7: only the operator upgrades; subaccounts follow the parent\'s plan; repeating changes nothing', async () => {
    const o = await freshOrg();
    const parent = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'P', usage: 'twilio' });
    const sub = await ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'C' });
    await expect(ctx.services.accounts.upgrade(o.ownerActor, parent.sid)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.accounts.upgrade(OPERATOR, sub.sid)).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await ctx.services.accounts.upgrade(OPERATOR, parent.sid)).toMatchObject({ changed: true, account: { plan: 'upgraded' }, subaccountSids: [sub.sid] });
    expect((await ctx.store.read.accounts.get(sub.sid))?.plan).toBe('upgraded');
    expect((await ctx.services.accounts.upgrade(OPERATOR, parent.sid)).changed).toBe(false);
    await expect(ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'C2' })).resolves.toMatchObject({ plan: 'upgraded' });
  });
});

describe('accounts.list / get (O3)', () => {
  it('R-O3: the Owner and Administrators see every account; a Standard User only owned and granted ones', async () => {
    const o = await freshOrg();
    const mine = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Mine', usage: 'twilio' });
    const granted = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Granted', usage: 'twilio' });
    const grantedSub = await ctx.services.accounts.createSubaccount(o.ownerActor, granted.sid, { name: 'Granted sub' });
    const hidden = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Hidden', usage: 'twilio' });
    const independent = await addAccount(ctx, { ownerSid: o.admin.sid, orgSid: o.org.sid, management: 'independent' });
    await grantAccount(ctx, o.org.sid, o.standard.sid, granted.sid);

    const sids = (list: { sid: string }[]) => list.map((a) => a.sid).sort();
    expect(sids(await ctx.services.accounts.list(asUser(o.admin), o.org.sid)))
      .toEqual([mine.sid, granted.sid, grantedSub.sid, hidden.sid, independent.sid].sort());
    expect(sids(await ctx.services.accounts.list(asUser(o.standard), o.org.sid))).toEqual([mine.sid, granted.sid, grantedSub.sid].sort());
    await expect(ctx.services.accounts.get(asUser(o.standard), hidden.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.accounts.get(asUser(o.standard), granted.sid)).resolves.toMatchObject({ name: 'Granted' });
    const other = await freshOrg();
    await expect(ctx.services.accounts.get(other.ownerActor, mine.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.accounts.list(other.ownerActor, o.org.sid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.accounts.get(OPERATOR, hidden.sid)).resolves.toMatchObject({ sid: hidden.sid });
  });
});
