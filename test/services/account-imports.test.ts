import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newSid } from '../../src/ids.js';
import { ACCOUNT_IMPORT_LINK_TTL_MS } from '../../src/services/account-imports.js';
import { createTestContext, type TestContext } from '../support/app.js';
import {
  addAccount, addLoneUser, addMember, addVerifiedDomain, asUser, createOrgWithOwner, lastLinkTo, setOrgSettings, type AccountFixture, type OrgWithOwner,
} from '../support/fixtures.js';

let ctx: TestContext;
let n = 0;
async function freshOrg(): Promise<OrgWithOwner & { domain: string }> {
  n += 1;
  const domain = `imports${n}.com`;
  const base = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  await addVerifiedDomain(ctx, base.org.sid, domain);
  return { ...base, domain };
}
/** An account outside every organization, owned by a new user with `email`. */
async function outsideAccount(email: string, over: Partial<AccountFixture> = {}) {
  const owner = await addLoneUser(ctx, email);
  return { owner, account: await addAccount(ctx, { ownerSid: owner.sid, name: 'Legacy', ...over }) };
}

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('accounts.importBySid / confirmImport (A3)', () => {
  it('R-A3: the account waits as pending until its owner confirms by the mailed single-use link, then it is managed', async () => {
    const o = await freshOrg();
    const { owner, account } = await outsideAccount(`dev@${o.domain}`);
    const sub = await addAccount(ctx, { ownerSid: owner.sid, parentSid: account.sid, name: 'Legacy sub' });
    const result = await ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid);
    expect(result).toMatchObject({ outcome: 'pending', confirmationEmail: `dev@${o.domain}`, account: { management: 'pending', orgSid: o.org.sid } });
    expect((await ctx.store.read.accounts.get(sub.sid))).toMatchObject({ management: 'pending', orgSid: o.org.sid });
    // Pending: not the organization's to change yet (A1).
    await expect(ctx.services.accounts.suspend(o.ownerActor, account.sid)).rejects.toMatchObject({ code: 'account_pending' });

    const [mail] = await ctx.store.read.outbox.listTo(`dev@${o.domain}`);
    expect(mail?.bodyText).toContain(`${ctx.baseUrl}/account-imports/`);
    const token = await lastLinkTo(ctx, `dev@${o.domain}`, '/account-imports/');
    const confirmed = await ctx.services.accounts.confirmImport(token);
    expect(confirmed).toMatchObject({ sid: account.sid, management: 'managed', orgSid: o.org.sid, ownerSid: owner.sid, status: 'active' });
    expect((await ctx.store.read.accounts.get(sub.sid))?.management).toBe('managed');
    await expect(ctx.services.accounts.confirmImport(token)).rejects.toMatchObject({ code: 'token_invalid' });

    const entries = await ctx.store.read.audit.list(o.org.sid);
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['account.import_requested', 'account.import_confirmed']));
    expect(entries.find((e) => e.action === 'account.import_confirmed')?.actor).toBe(owner.sid);
    // Only the digest of the link's secret is stored.
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('R-A3: two clicks on the link at once confirm once', async () => {
    const o = await freshOrg();
    const { account } = await outsideAccount(`twice@${o.domain}`);
    await ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid);
    const token = await lastLinkTo(ctx, `twice@${o.domain}`, '/account-imports/');
    const clicks = await Promise.allSettled([ctx.services.accounts.confirmImport(token), ctx.services.accounts.confirmImport(token)]);
    expect(clicks.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('R-A3: the link expires after 7 days', async () => {
    const o = await freshOrg();
    const { account } = await outsideAccount(`late@${o.domain}`);
    await ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid);
    const token = await lastLinkTo(ctx, `late@${o.domain}`, '/account-imports/');
    ctx.clock.advance(ACCOUNT_IMPORT_LINK_TTL_MS + 1);
    await expect(ctx.services.accounts.confirmImport(token)).rejects.toMatchObject({ code: 'token_invalid' });
    expect((await ctx.store.read.accounts.get(account.sid))?.management).toBe('pending');
  });

  it('R-A3: only the account\'s owner confirms when someone is signed in', async () => {
    const o = await freshOrg();
    const { account } = await outsideAccount(`who@${o.domain}`);
    await ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid);
    const token = await lastLinkTo(ctx, `who@${o.domain}`, '/account-imports/');
    await expect(ctx.services.accounts.confirmImport(token, o.ownerActor)).rejects.toMatchObject({ code: 'forbidden' });
    // The refusal rolled back: the link still works for its owner.
    await expect(ctx.services.accounts.confirmImport(token)).resolves.toMatchObject({ management: 'managed' });
  });

  it.each([
    ['a common mailbox domain', 'someone@gmail.com'],
    ['a domain nobody verified', 'someone@unverified-imports.com'],
    ['a subdomain of a verified domain (D5)', 'someone@stage.{domain}'],
  ])('R-A3: an owner on %s is domain_not_verified, and nothing changes or is mailed', async (_label, email) => {
    const o = await freshOrg();
    const address = email.replace('{domain}', o.domain);
    const { account } = await outsideAccount(address);
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid)).rejects.toMatchObject({ code: 'domain_not_verified' });
    expect(await ctx.store.read.accounts.get(account.sid)).toMatchObject({ orgSid: null, management: null });
    expect(await ctx.store.read.outbox.listTo(address)).toHaveLength(0);
  });

  it('R-A3: refusals: unknown SID, an account of another organization, a subaccount, a closed account', async () => {
    const o = await freshOrg();
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, newSid('AC'))).rejects.toMatchObject({ code: 'not_found' });
    const other = await freshOrg();
    const theirs = await ctx.services.accounts.create(other.ownerActor, other.org.sid, { name: 'Theirs', usage: 'twilio' });
    // U6: another organization's account is answered like an unknown SID.
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, theirs.sid)).rejects.toMatchObject({ code: 'not_found' });
    const { owner, account } = await outsideAccount(`parent@${o.domain}`);
    const sub = await addAccount(ctx, { ownerSid: owner.sid, parentSid: account.sid });
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, sub.sid)).rejects.toMatchObject({ code: 'invalid_input' });
    const closed = await addAccount(ctx, { ownerSid: owner.sid, status: 'closed' });
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, closed.sid)).rejects.toMatchObject({ code: 'account_closed' });
  });

  it('R-A3/O3: only the Owner or an Administrator imports', async () => {
    const o = await freshOrg();
    const sam = await addMember(ctx, o.org.sid, `sam@${o.domain}`, 'standard');
    const { account } = await outsideAccount(`x@${o.domain}`);
    await expect(ctx.services.accounts.importBySid(asUser(sam), o.org.sid, account.sid)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('R-A3: importing an account already in the organization changes nothing and mails nobody', async () => {
    const o = await freshOrg();
    const mine = await ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'Mine', usage: 'twilio' });
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, mine.sid)).resolves.toMatchObject({ outcome: 'already_in_org' });
    expect(await ctx.store.read.outbox.listTo(o.owner.email)).toHaveLength(0);
  });

  it('R-A1/A3: an independent account of the organization can be brought back under management', async () => {
    const o = await freshOrg();
    const dev = await addMember(ctx, o.org.sid, `dev@${o.domain}`, 'standard');
    const account = await addAccount(ctx, { ownerSid: dev.sid, orgSid: o.org.sid, management: 'independent' });
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid)).resolves.toMatchObject({ outcome: 'pending' });
    await ctx.services.accounts.confirmImport(await lastLinkTo(ctx, dev.email, '/account-imports/'), asUser(dev));
    expect((await ctx.store.read.accounts.get(account.sid))?.management).toBe('managed');
  });

  it('R-O5: a pending import holds a place; at the limit the import is refused', async () => {
    const o = await freshOrg();
    await setOrgSettings(ctx, o.org.sid, { accountLimit: 1 });
    const { account } = await outsideAccount(`first@${o.domain}`);
    await ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, account.sid);
    await expect(ctx.services.accounts.create(o.ownerActor, o.org.sid, { name: 'New', usage: 'twilio' })).rejects.toMatchObject({ code: 'account_limit_reached' });
    const second = await outsideAccount(`second@${o.domain}`);
    await expect(ctx.services.accounts.importBySid(o.ownerActor, o.org.sid, second.account.sid)).rejects.toMatchObject({ code: 'account_limit_reached' });
  });
});

describe('accounts.importAccounts (M4, B1, B2)', () => {
  it('R-B1: refused until the operator enables bulk import', async () => {
    const o = await freshOrg();
    await expect(ctx.services.accounts.importAccounts(o.ownerActor, o.org.sid, 'account_sid\n')).rejects.toMatchObject({ code: 'bulk_import_disabled' });
  });

  it('R-M4/B2: good rows become pending imports, bad rows are reported by line, a second run changes nothing', async () => {
    const o = await freshOrg();
    await setOrgSettings(ctx, o.org.sid, { bulkImportEnabled: true });
    const good1 = await outsideAccount(`one@${o.domain}`);
    const good2 = await outsideAccount(`two@${o.domain}`);
    const foreign = await outsideAccount('three@gmail.com');
    const csv = ['Account_SID', good1.account.sid, 'not-a-sid', '', foreign.account.sid, `"${good2.account.sid}"`, good1.account.sid, newSid('AC')].join('\r\n');
    const first = await ctx.services.accounts.importAccounts(o.ownerActor, o.org.sid, csv);
    expect(first.applied).toEqual([
      { line: 2, accountSid: good1.account.sid, outcome: 'pending' },
      { line: 6, accountSid: good2.account.sid, outcome: 'pending' },
    ]);
    expect(first.errors.map((e) => [e.line, e.code])).toEqual([[3, 'invalid_input'], [5, 'domain_not_verified'], [7, 'invalid_input'], [8, 'not_found']]);
    const mailsBefore = (await ctx.store.read.outbox.listTo(`one@${o.domain}`)).length;
    const again = await ctx.services.accounts.importAccounts(o.ownerActor, o.org.sid, csv);
    expect(again.applied.map((a) => a.outcome)).toEqual(['already_in_org', 'already_in_org']);
    expect((await ctx.store.read.outbox.listTo(`one@${o.domain}`)).length).toBe(mailsBefore);
  });
});
