import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestContext, type TestContext } from '../support/app.js';
import { OPERATOR, addAccount, addMember, addVerifiedDomain, asUser, createOrgWithOwner, setOrgSettings } from '../support/fixtures.js';

let ctx: TestContext;
let n = 0;
async function freshOrg() {
  n += 1;
  const domain = `health${n}.com`;
  const base = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  await addVerifiedDomain(ctx, base.org.sid, domain);
  const admin = await addMember(ctx, base.org.sid, `admin@${domain}`, 'admin');
  const standard = await addMember(ctx, base.org.sid, `sam@${domain}`, 'standard');
  return { ...base, admin, standard };
}
const designate = (orgSid: string) => setOrgSettings(ctx, orgSid, { baaExecutedAt: new Date('2026-01-01T00:00:00Z') });

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('hipaa (H1, H2, H3)', () => {
  it('R-H1/H2: before the BAA is recorded, flagging is baa_required', async () => {
    const o = await freshOrg();
    const account = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Clinic', usage: 'twilio' });
    await expect(ctx.services.hipaa.setFlag(o.ownerActor, account.sid, true)).rejects.toMatchObject({ code: 'baa_required' });
    expect((await ctx.store.read.accounts.get(account.sid))?.hipaa).toBe(false);
    expect(await ctx.services.hipaa.status(o.ownerActor, o.org.sid)).toMatchObject({ designated: false, flaggedAccountSids: [] });
  });

  it('R-H2: after designation existing accounts are not flagged; the Owner or an Administrator flags each one, audited', async () => {
    const o = await freshOrg();
    const first = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'First', usage: 'twilio' });
    const second = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Second', usage: 'twilio' });
    await designate(o.org.sid);
    expect((await ctx.store.read.accounts.get(first.sid))?.hipaa).toBe(false);
    expect(await ctx.services.hipaa.setFlag(o.ownerActor, first.sid, true)).toMatchObject({ changed: true, account: { hipaa: true } });
    expect(await ctx.services.hipaa.setFlag(asUser(o.admin), second.sid, true)).toMatchObject({ changed: true });
    expect(await ctx.services.hipaa.setFlag(asUser(o.admin), second.sid, true)).toMatchObject({ changed: false });
    expect(await ctx.services.hipaa.setFlag(asUser(o.admin), second.sid, false)).toMatchObject({ changed: true, account: { hipaa: false } });
    const entries = await ctx.store.read.audit.list(o.org.sid);
    expect(entries.filter((e) => e.action.startsWith('account.hipaa_')).map((e) => [e.action, e.before, e.after])).toEqual([
      ['account.hipaa_flagged', { hipaa: false }, { hipaa: true }],
      ['account.hipaa_flagged', { hipaa: false }, { hipaa: true }],
      ['account.hipaa_unflagged', { hipaa: true }, { hipaa: false }],
    ]);
    expect(await ctx.services.hipaa.status(asUser(o.admin), o.org.sid)).toMatchObject({ designated: true, flaggedAccountSids: [first.sid] });
  });

  it('R-H2/O3: a Standard User cannot set the flag, even on their own account', async () => {
    const o = await freshOrg();
    await designate(o.org.sid);
    const mine = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'Mine', usage: 'twilio' });
    await expect(ctx.services.hipaa.setFlag(asUser(o.standard), mine.sid, false)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.hipaa.status(asUser(o.standard), o.org.sid)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it.each([
    ['independent', 'account_not_managed'],
    ['pending', 'account_pending'],
  ] as const)('R-H2/A1: only managed accounts are flagged: a %s one is %s', async (management, code) => {
    const o = await freshOrg();
    await designate(o.org.sid);
    const account = await addAccount(ctx, { ownerSid: o.standard.sid, orgSid: o.org.sid, management });
    await expect(ctx.services.hipaa.setFlag(o.ownerActor, account.sid, true)).rejects.toMatchObject({ code });
  });

  it('R-H2: another organization cannot flag the account (not_found); the operator can', async () => {
    const o = await freshOrg();
    await designate(o.org.sid);
    const account = await ctx.services.accounts.create(asUser(o.standard), o.org.sid, { name: 'X', usage: 'twilio' });
    await ctx.services.hipaa.setFlag(o.ownerActor, account.sid, false);
    const other = await freshOrg();
    await expect(ctx.services.hipaa.setFlag(other.ownerActor, account.sid, true)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.hipaa.setFlag(OPERATOR, account.sid, true)).resolves.toMatchObject({ changed: true });
  });

  it('R-H3: accounts created after designation start flagged; a subaccount of a flagged account inherits, of an unflagged one not', async () => {
    const o = await freshOrg();
    const old = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Old', usage: 'twilio' });
    const flaggedBefore = await addAccount(ctx, { ownerSid: o.owner.sid, orgSid: o.org.sid, hipaa: true });
    // Before designation: only a flagged parent passes the flag on.
    expect((await ctx.services.accounts.createSubaccount(o.ownerActor, flaggedBefore.sid, { name: 'Inherits' })).hipaa).toBe(true);
    expect((await ctx.services.accounts.createSubaccount(o.ownerActor, old.sid, { name: 'Plain' })).hipaa).toBe(false);
    await designate(o.org.sid);
    const fresh = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Fresh', usage: 'twilio' });
    expect(fresh.hipaa).toBe(true);
    expect((await ctx.services.accounts.createSubaccount(o.ownerActor, fresh.sid, { name: 'Fresh sub' })).hipaa).toBe(true);
    // Clearing the parent's flag does not clear an existing subaccount's flag (H2: per account).
    const parent = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Parent', usage: 'twilio' });
    const child = await ctx.services.accounts.createSubaccount(o.ownerActor, parent.sid, { name: 'Child' });
    await ctx.services.hipaa.setFlag(o.ownerActor, parent.sid, false);
    expect((await ctx.store.read.accounts.get(child.sid))?.hipaa).toBe(true);
    expect((await ctx.store.read.accounts.get(old.sid))?.hipaa).toBe(false);
  });

  it('R-H3: in a designated organization a subaccount takes its parent\'s flag, also when the parent is not flagged', async () => {
    const o = await freshOrg();
    const unflagged = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Unflagged', usage: 'twilio' });
    await designate(o.org.sid);
    expect((await ctx.store.read.accounts.get(unflagged.sid))?.hipaa).toBe(false);
    expect((await ctx.services.accounts.createSubaccount(o.ownerActor, unflagged.sid, { name: 'Under unflagged' })).hipaa).toBe(false);
  });
});
