/**
 * The Twilio Organizations FAQ questions about accounts, merges and bulk import, walked through
 * end to end with the services (each `describe` is one question, each `it` its answer).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestContext, type TestContext } from '../support/app.js';
import {
  OPERATOR, addAccount, addLoneUser, addMember, addUnverifiedDomain, addVerifiedDomain, asUser, createOrgWithOwner, lastLinkTo, setOrgSettings,
} from '../support/fixtures.js';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe("FAQ: what happens to the Owner's accounts? (A4, A6, A1)", () => {
  it('R-A4: they are always in the organization; only once passed to another member can they be released', async () => {
    const acme = await createOrgWithOwner(ctx, { ownerEmail: 'olivia@owners.com', name: 'Owners Inc' });
    await addVerifiedDomain(ctx, acme.org.sid, 'owners.com');
    const dev = await addMember(ctx, acme.org.sid, 'dev@owners.com', 'admin');
    const account = await ctx.services.accounts.create(acme.ownerActor, acme.org.sid, { name: 'Owner production', usage: 'twilio' });
    expect(account).toMatchObject({ management: 'managed', ownerSid: acme.owner.sid });

    await expect(ctx.services.accounts.makeIndependent(asUser(dev), account.sid)).rejects.toMatchObject({ code: 'owner_accounts_managed' });
    await ctx.services.accounts.transferOwnership(acme.ownerActor, account.sid, dev.sid);
    const released = await ctx.services.accounts.makeIndependent(acme.ownerActor, account.sid);
    expect(released.account).toMatchObject({ management: 'independent', ownerSid: dev.sid, orgSid: acme.org.sid });
    // Independent: the organization cannot close, suspend or change it any more (A1).
    await expect(ctx.services.accounts.close(acme.ownerActor, account.sid)).rejects.toMatchObject({ code: 'account_not_managed' });
  });

  it("R-A3/A4: an Owner's existing account is brought in by import with the owner's confirmation, then stays managed", async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'omar@legacy-owner.com' });
    await addVerifiedDomain(ctx, org.org.sid, 'legacy-owner.com');
    const old = await addAccount(ctx, { ownerSid: org.owner.sid, name: 'Before the organization' });
    expect((await ctx.store.read.accounts.get(old.sid))?.orgSid).toBeNull();
    await ctx.services.accounts.importBySid(org.ownerActor, org.org.sid, old.sid);
    await ctx.services.accounts.confirmImport(await lastLinkTo(ctx, org.owner.email, '/account-imports/'), org.ownerActor);
    await expect(ctx.services.accounts.makeIndependent(org.ownerActor, old.sid)).rejects.toMatchObject({ code: 'owner_accounts_managed' });
  });
});

describe('FAQ: do new accounts join the organization? (A5, A2, A7, O5)', () => {
  it('R-A5: accounts created by the Owner, an Administrator or a Standard User all join as managed accounts', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@newaccounts.com' });
    await addVerifiedDomain(ctx, org.org.sid, 'newaccounts.com');
    const admin = await addMember(ctx, org.org.sid, 'admin@newaccounts.com', 'admin');
    const standard = await addMember(ctx, org.org.sid, 'sam@newaccounts.com', 'standard');
    const made = [];
    for (const [who, name] of [[org.owner, 'By owner'], [admin, 'By admin'], [standard, 'By standard']] as const) {
      made.push(await ctx.services.accounts.create(asUser(who), org.org.sid, { name, usage: 'twilio' }));
    }
    expect(made.map((a) => [a.management, a.plan, a.status])).toEqual(Array(3).fill(['managed', 'trial', 'active']));
    expect((await ctx.services.accounts.list(asUser(admin), org.org.sid)).map((a) => a.name)).toEqual(['By owner', 'By admin', 'By standard']);
    // The Standard User sees their own account only (O3).
    expect((await ctx.services.accounts.list(asUser(standard), org.org.sid)).map((a) => a.name)).toEqual(['By standard']);
    // A subaccount joins with its parent; a trial parent holds one (A7).
    const sub = await ctx.services.accounts.createSubaccount(asUser(standard), made[2]!.sid, { name: 'Sub' });
    expect(sub).toMatchObject({ management: 'managed', orgSid: org.org.sid, ownerSid: standard.sid });
    await expect(ctx.services.accounts.createSubaccount(asUser(standard), made[2]!.sid, { name: 'Sub 2' })).rejects.toMatchObject({ code: 'subaccount_limit_reached' });
    // The operator upgrades the parent: up to 1,000 subaccounts.
    await ctx.services.accounts.upgrade(OPERATOR, made[2]!.sid);
    await expect(ctx.services.accounts.createSubaccount(asUser(standard), made[2]!.sid, { name: 'Sub 2' })).resolves.toMatchObject({ plan: 'upgraded' });
  });

  it('R-O5: an organization holds 10 accounts by default; the operator raises the limit', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@tenaccounts.com' });
    for (let i = 1; i <= 10; i += 1) await ctx.services.accounts.create(org.ownerActor, org.org.sid, { name: `Account ${i}`, usage: 'twilio' });
    await expect(ctx.services.accounts.create(org.ownerActor, org.org.sid, { name: 'Account 11', usage: 'twilio' })).rejects.toMatchObject({ code: 'account_limit_reached' });
    await setOrgSettings(ctx, org.org.sid, { accountLimit: 11 });
    await expect(ctx.services.accounts.create(org.ownerActor, org.org.sid, { name: 'Account 11', usage: 'twilio' })).resolves.toMatchObject({ name: 'Account 11' });
  });
});

describe('FAQ: how do two organizations merge? (M1, M2, M3, O4)', () => {
  it('R-M1/M2/M3: the Prime invites the Candidate Owner, who previews and accepts; the Candidate ceases to exist', async () => {
    // Prime: verified corporate.com. Candidate: created by a colleague who signed up on her own (O1).
    const prime = await createOrgWithOwner(ctx, { ownerEmail: 'paula@mergecorp.com', name: 'MergeCorp' });
    await addVerifiedDomain(ctx, prime.org.sid, 'mergecorp.com');
    const candidate = await createOrgWithOwner(ctx, { ownerEmail: 'carla@mergecorp.com', name: "Carla's team" });
    await addUnverifiedDomain(ctx, candidate.org.sid, 'carlas-team.io');
    const teammate = await addMember(ctx, candidate.org.sid, 'tom@mergecorp.com', 'standard');
    const shared = await ctx.services.accounts.create(candidate.ownerActor, candidate.org.sid, { name: 'Team shared', usage: 'flex' });
    const toms = await ctx.services.accounts.create(asUser(teammate), candidate.org.sid, { name: "Tom's", usage: 'twilio' });

    // M2 refuses while the Candidate holds a verified domain of its own.
    const own = await addVerifiedDomain(ctx, candidate.org.sid, 'carla-own.io');
    await expect(ctx.services.merges.invite(prime.ownerActor, prime.org.sid, candidate.owner.email))
      .rejects.toMatchObject({ code: 'merge_not_allowed', details: { reason: 'candidate_has_verified_domains' } });
    await ctx.store.transaction((repos) => repos.domains.remove(own.id));

    const invitation = await ctx.services.merges.invite(prime.ownerActor, prime.org.sid, candidate.owner.email);
    const token = await lastLinkTo(ctx, candidate.owner.email, '/merges/');
    const preview = await ctx.services.merges.preview(candidate.ownerActor, token);
    expect(preview).toMatchObject({ mergeId: invitation.mergeId, allowed: true, primeName: 'MergeCorp', candidateName: "Carla's team" });
    expect(preview.roleChanges).toEqual([{ userSid: candidate.owner.sid, email: candidate.owner.email, from: 'owner', to: 'standard' }]);

    await ctx.services.merges.accept(candidate.ownerActor, token);
    expect(await ctx.store.read.organizations.get(candidate.org.sid)).toBeUndefined();
    const accounts = await ctx.services.accounts.list(prime.ownerActor, prime.org.sid);
    expect(accounts.map((a) => [a.name, a.ownerSid])).toEqual([['Team shared', candidate.owner.sid], ["Tom's", teammate.sid]]);
    // Carla, now a Standard User, still reaches both accounts she could reach as Owner; Tom his own.
    expect((await ctx.services.accounts.list(candidate.ownerActor, prime.org.sid)).map((a) => a.sid).sort()).toEqual([shared.sid, toms.sid].sort());
    expect((await ctx.services.accounts.list(asUser(teammate), prime.org.sid)).map((a) => a.sid)).toEqual([toms.sid]);
    // She can no longer manage them: the Prime's administrators do.
    await expect(ctx.services.accounts.suspend(candidate.ownerActor, toms.sid)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.accounts.suspend(prime.ownerActor, toms.sid)).resolves.toMatchObject({ changed: true });
    // O4: the Candidate's history is readable in the Prime.
    expect((await ctx.store.read.audit.list(prime.org.sid, { limit: 1000 })).map((e) => e.action)).toEqual(expect.arrayContaining(['account.created', 'organization.merged']));
  });
});

describe('FAQ: can we import users in bulk? (B1, B2, M4)', () => {
  it('R-B1/B2: once the operator enables it, an Administrator imports a CSV; bad rows come back with their line; a re-run changes nothing', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@bulkfaq.com', name: 'Bulk FAQ' });
    await addVerifiedDomain(ctx, org.org.sid, 'bulkfaq.com');
    const admin = await addMember(ctx, org.org.sid, 'admin@bulkfaq.com', 'admin');
    const csv = 'email,role,name\r\nnew.person@bulkfaq.com,standard,New Person\r\nboss@bulkfaq.com,admin,\r\nfriend@gmail.com,standard,\r\n';
    await expect(ctx.services.bulkImport.importUsers(asUser(admin), org.org.sid, csv)).rejects.toMatchObject({ code: 'bulk_import_disabled' });

    await setOrgSettings(ctx, org.org.sid, { bulkImportEnabled: true });
    const result = await ctx.services.bulkImport.importUsers(asUser(admin), org.org.sid, csv);
    expect(result.applied.map((a) => [a.line, a.email, a.role])).toEqual([[2, 'new.person@bulkfaq.com', 'standard'], [3, 'boss@bulkfaq.com', 'admin']]);
    expect(result.errors).toEqual([expect.objectContaining({ line: 4, email: 'friend@gmail.com', code: 'domain_not_verified' })]);
    // Each new user is welcomed with a link to set a password.
    expect(await lastLinkTo(ctx, 'new.person@bulkfaq.com', '/password-reset/')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await ctx.services.bulkImport.importUsers(asUser(admin), org.org.sid, csv)).toMatchObject({ applied: [], skipped: [{ line: 2 }, { line: 3 }] });

    // M4: the accounts of people on the verified domain come in in bulk too, each confirmed by its owner.
    const outsider = await addLoneUser(ctx, 'contractor@bulkfaq.com');
    const theirs = await addAccount(ctx, { ownerSid: outsider.sid, name: 'Contractor' });
    const accounts = await ctx.services.accounts.importAccounts(asUser(admin), org.org.sid, `account_sid\n${theirs.sid}\n`);
    expect(accounts.applied).toEqual([{ line: 2, accountSid: theirs.sid, outcome: 'pending' }]);
    await ctx.services.accounts.confirmImport(await lastLinkTo(ctx, outsider.email, '/account-imports/'));
    expect((await ctx.store.read.accounts.get(theirs.sid))?.management).toBe('managed');
  });
});
