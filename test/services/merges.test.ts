import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hashToken } from '../../src/security/tokens.js';
import { createTestContext, type TestContext } from '../support/app.js';
import {
  addAccount, addMember, addUnverifiedDomain, addVerifiedDomain, asUser, createOrgWithOwner, grantAccount, lastLinkTo,
} from '../support/fixtures.js';

let ctx: TestContext;
let n = 0;

/** A Prime with a verified domain and an Administrator, and a Candidate owned by someone on that domain. */
async function setting(options: { candidateHasVerifiedDomain?: boolean } = {}) {
  n += 1;
  const domain = `prime${n}.com`;
  const prime = await createOrgWithOwner(ctx, { ownerEmail: `olga@${domain}`, name: `Prime ${n}` });
  const primeDomain = await addVerifiedDomain(ctx, prime.org.sid, domain);
  const primeAdmin = await addMember(ctx, prime.org.sid, `pat@${domain}`, 'admin');
  const primeStandard = await addMember(ctx, prime.org.sid, `stan@${domain}`, 'standard');
  const candidate = await createOrgWithOwner(ctx, { ownerEmail: `cora@${domain}`, name: `Candidate ${n}` });
  if (options.candidateHasVerifiedDomain) await addVerifiedDomain(ctx, candidate.org.sid, `cand${n}.io`);
  return { domain, prime, primeDomain, primeAdmin, primeStandard, candidate };
}

const refusalOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    const e = error as { code: string; details?: { reason?: string } };
    return `${e.code}:${e.details?.reason ?? ''}`;
  }
  return 'no error';
};

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('merges.invite (M1, M2)', () => {
  it('R-M1: the Prime\'s Administrator invites the Candidate Owner by email, with a single-use link; audited', async () => {
    const s = await setting();
    const invitation = await ctx.services.merges.invite(asUser(s.primeAdmin), s.prime.org.sid, `  CORA@${s.domain.toUpperCase()} `);
    expect(invitation).toMatchObject({ primeOrgSid: s.prime.org.sid, candidateOrgSid: s.candidate.org.sid, candidateOwnerEmail: `cora@${s.domain}` });
    const [mail] = await ctx.store.read.outbox.listTo(`cora@${s.domain}`);
    expect(mail?.subject).toContain(s.candidate.org.name);
    expect(mail?.bodyText).toContain(`${ctx.baseUrl}/merges/`);
    const [entry] = await ctx.store.read.audit.list(s.prime.org.sid, { action: 'merge.invited' });
    expect(entry).toMatchObject({ actor: s.primeAdmin.sid, target: invitation.mergeId });
  });

  it('R-M1: a Standard User of the Prime cannot invite; an outsider gets not_found', async () => {
    const s = await setting();
    await expect(ctx.services.merges.invite(asUser(s.primeStandard), s.prime.org.sid, s.candidate.owner.email)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.merges.invite(s.candidate.ownerActor, s.prime.org.sid, s.candidate.owner.email)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('R-M2: a Prime without a verified domain cannot invite (prime_has_no_verified_domain)', async () => {
    const prime = await createOrgWithOwner(ctx, { ownerEmail: 'olga@noverified.com' });
    await addUnverifiedDomain(ctx, prime.org.sid, 'noverified.com');
    const candidate = await createOrgWithOwner(ctx, { ownerEmail: 'cora@noverified.com' });
    expect(await refusalOf(ctx.services.merges.invite(prime.ownerActor, prime.org.sid, candidate.owner.email)))
      .toBe('merge_not_allowed:prime_has_no_verified_domain');
  });

  it('R-M2: a Candidate Owner whose email domain the Prime has not verified (candidate_owner_domain_not_verified_by_prime)', async () => {
    const s = await setting();
    const elsewhere = await createOrgWithOwner(ctx, { ownerEmail: `cora@stage.${s.domain}` });
    expect(await refusalOf(ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, elsewhere.owner.email)))
      .toBe('merge_not_allowed:candidate_owner_domain_not_verified_by_prime');
    const gmail = await createOrgWithOwner(ctx, { ownerEmail: `cora${n}@gmail.com` });
    expect(await refusalOf(ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, gmail.owner.email)))
      .toBe('merge_not_allowed:candidate_owner_domain_not_verified_by_prime');
  });

  it('R-M2: a Candidate with a verified domain of its own (candidate_has_verified_domains)', async () => {
    const s = await setting({ candidateHasVerifiedDomain: true });
    expect(await refusalOf(ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email)))
      .toBe('merge_not_allowed:candidate_has_verified_domains');
  });

  it('R-M1/M2: the address must be an organization\'s Owner, of another organization', async () => {
    const s = await setting();
    const cStandard = await addMember(ctx, s.candidate.org.sid, `carl@${s.domain}`, 'standard');
    expect(await refusalOf(ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, cStandard.email))).toBe('merge_not_allowed:candidate_not_an_owner');
    expect(await refusalOf(ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, `nobody@${s.domain}`))).toBe('merge_not_allowed:candidate_not_an_owner');
    expect(await refusalOf(ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.prime.owner.email))).toBe('merge_not_allowed:same_organization');
    expect(await ctx.store.read.audit.list(s.prime.org.sid, { action: 'merge.invited' })).toHaveLength(0);
  });
});

describe('merges.preview and accept (M1, M2, M3, O4)', () => {
  it('R-M3: the whole merge in one transaction, with every consequence', async () => {
    const s = await setting();
    const c = s.candidate;
    const cAdmin = await addMember(ctx, c.org.sid, 'ann@candidate-mail.com', 'admin');
    const cBob = await addMember(ctx, c.org.sid, 'bob@candidate-mail.com', 'standard');
    const cEve = await addMember(ctx, c.org.sid, 'eve@candidate-mail.com', 'standard');
    const coraAccount = await ctx.services.accounts.create(c.ownerActor, c.org.sid, { name: 'Cora main', usage: 'twilio' });
    const coraSub = await ctx.services.accounts.createSubaccount(c.ownerActor, coraAccount.sid, { name: 'Cora sub' });
    const bobAccount = await ctx.services.accounts.create(asUser(cBob), c.org.sid, { name: 'Bob', usage: 'flex' });
    await ctx.services.accounts.suspend(c.ownerActor, bobAccount.sid);
    const independent = await addAccount(ctx, { ownerSid: cEve.sid, orgSid: c.org.sid, management: 'independent', name: 'Eve own' });
    await grantAccount(ctx, c.org.sid, cBob.sid, coraAccount.sid);
    await addUnverifiedDomain(ctx, c.org.sid, `candidate${n}.io`);
    await ctx.store.transaction((repos) => repos.invitations.insert({
      orgSid: c.org.sid, email: 'new@candidate-mail.com', role: 'standard', tokenHash: hashToken(`inv-${n}`), invitedBy: c.owner.sid, expiresAt: new Date(Date.now() + 86_400_000),
    }));
    // The Prime enforces SSO on the domain of the Candidate Owner: it applies to her at once (M3).
    await ctx.store.transaction((repos) => repos.domains.update(s.primeDomain.id, { ssoEnforced: true }));
    await ctx.store.transaction((repos) => repos.sessions.insert({ idHash: `sess-${n}`, userSid: c.owner.sid, method: 'password', connectionId: null, now: new Date(), expiresAt: new Date(Date.now() + 86_400_000) }));
    const candidateHistory = (await ctx.store.read.audit.list(c.org.sid)).length;
    expect(candidateHistory).toBeGreaterThan(0);

    const invitation = await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, c.owner.email);
    const token = await lastLinkTo(ctx, c.owner.email, '/merges/');

    // Preview, by id for the Prime and by token for the invitee; nobody else.
    const preview = await ctx.services.merges.preview(asUser(s.primeAdmin), invitation.mergeId);
    expect(preview).toMatchObject({ allowed: true, refusal: null, candidateOrgSid: c.org.sid, status: 'pending' });
    expect(preview.accounts.map((a) => a.sid).sort()).toEqual([coraAccount.sid, coraSub.sid, bobAccount.sid, independent.sid].sort());
    expect(preview.roleChanges.map((r) => [r.email, r.from, r.to]).sort()).toEqual([
      ['ann@candidate-mail.com', 'admin', 'standard'], [c.owner.email, 'owner', 'standard'],
    ].sort());
    expect(preview.ssoRequired).toEqual([c.owner.email]);
    await expect(ctx.services.merges.preview(c.ownerActor, token)).resolves.toMatchObject({ mergeId: invitation.mergeId });
    await expect(ctx.services.merges.preview(asUser(cBob), token)).rejects.toMatchObject({ code: 'not_found' });
    await expect(ctx.services.merges.preview(asUser(s.primeStandard), invitation.mergeId)).rejects.toMatchObject({ code: 'forbidden' });

    // Only the invited Owner accepts.
    await expect(ctx.services.merges.accept(asUser(cAdmin), token)).rejects.toMatchObject({ code: 'forbidden' });
    const result = await ctx.services.merges.accept(c.ownerActor, token);
    expect([...result.movedAccountSids].sort()).toEqual([coraAccount.sid, coraSub.sid, bobAccount.sid, independent.sid].sort());
    expect([...result.movedUserSids].sort()).toEqual([c.owner.sid, cAdmin.sid, cBob.sid, cEve.sid].sort());

    // O4: the Candidate ceased to exist.
    expect(await ctx.store.read.organizations.get(c.org.sid)).toBeUndefined();
    // Accounts moved, keeping owner, status, management and plan.
    const moved = await ctx.store.read.accounts.listByOrg(s.prime.org.sid);
    const bySid = new Map(moved.map((a) => [a.sid, a]));
    expect(bySid.get(coraAccount.sid)).toMatchObject({ ownerSid: c.owner.sid, status: 'active', management: 'managed', plan: 'trial' });
    expect(bySid.get(coraSub.sid)).toMatchObject({ ownerSid: c.owner.sid, parentSid: coraAccount.sid });
    expect(bySid.get(bobAccount.sid)).toMatchObject({ ownerSid: cBob.sid, status: 'suspended', management: 'managed' });
    expect(bySid.get(independent.sid)).toMatchObject({ ownerSid: cEve.sid, management: 'independent' });
    // Users are Standard Users of the Prime; the Prime keeps its one Owner.
    const members = await ctx.store.read.users.listByOrg(s.prime.org.sid);
    const roles = Object.fromEntries(members.map((m) => [m.email, m.role]));
    expect(roles).toMatchObject({ [c.owner.email]: 'standard', 'ann@candidate-mail.com': 'standard', 'bob@candidate-mail.com': 'standard', [s.prime.owner.email]: 'owner' });
    expect(members.filter((m) => m.role === 'owner')).toHaveLength(1);
    // Access to the accounts they had: former Owner and Administrators every managed account; others their grants.
    const grants = (userSid: string) => ctx.store.read.accounts.grantsOf(s.prime.org.sid, userSid);
    // A7, R4: no grant names a subaccount; Cora reaches her subaccount through its parent.
    expect(await grants(c.owner.sid)).toEqual([coraAccount.sid, bobAccount.sid].sort());
    expect(await grants(cAdmin.sid)).toEqual([coraAccount.sid, bobAccount.sid].sort());
    expect(await grants(cBob.sid)).toEqual([coraAccount.sid, bobAccount.sid].sort());
    expect(await grants(cEve.sid)).toEqual([independent.sid]);
    const bobSees = await ctx.services.accounts.list(asUser(cBob), s.prime.org.sid);
    expect(bobSees.map((a) => a.sid).sort()).toEqual([coraAccount.sid, coraSub.sid, bobAccount.sid].sort());
    // Prime administrators can now act on them (and promote them).
    await expect(ctx.services.accounts.reactivate(asUser(s.primeAdmin), bobAccount.sid)).resolves.toMatchObject({ changed: true });
    // Unverified domains dropped, open invitations revoked, SSO applies at once.
    expect(await ctx.store.read.domains.listByOrg(c.org.sid)).toEqual([]);
    expect(await ctx.store.read.invitations.listPending(c.org.sid, new Date())).toEqual([]);
    expect(await ctx.store.read.sessions.findLiveWithUser(`sess-${n}`, new Date())).toBeUndefined();
    // History moved and the merge recorded in the Prime.
    expect(await ctx.store.read.audit.list(c.org.sid)).toEqual([]);
    const primeLog = await ctx.store.read.audit.list(s.prime.org.sid, { limit: 1000 });
    expect(primeLog.filter((e) => e.action === 'account.created').length).toBeGreaterThanOrEqual(2);
    const merged = primeLog.find((e) => e.action === 'organization.merged');
    expect(merged).toMatchObject({ actor: c.owner.sid, target: c.org.sid });
    // Issue 13: the sessions the merge ended are an event of the Prime (session.revoked).
    expect(primeLog.filter((e) => e.action === 'session.revoked')).toMatchObject([
      { actor: c.owner.sid, target: c.owner.sid, after: { user: c.owner.sid, sessions: 1, apps: 0, reason: 'merged_into_sso_organization' } },
    ]);
    expect(await ctx.store.read.merges.get(invitation.mergeId)).toMatchObject({ status: 'accepted', candidateOrgSid: c.org.sid });
    // The link worked once.
    await expect(ctx.services.merges.accept(c.ownerActor, token)).rejects.toMatchObject({ code: 'token_invalid' });
  });

  it("R-M3/O5: a merge past the Prime's account limit shows in the preview and is refused until the operator raises the limit", async () => {
    const s = await setting();
    for (let i = 0; i < 9; i += 1) await ctx.services.accounts.create(s.prime.ownerActor, s.prime.org.sid, { name: `Prime ${i}`, usage: 'twilio' });
    for (let i = 0; i < 2; i += 1) await ctx.services.accounts.create(s.candidate.ownerActor, s.candidate.org.sid, { name: `Cand ${i}`, usage: 'twilio' });
    await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email);
    const token = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    const preview = await ctx.services.merges.preview(s.candidate.ownerActor, token);
    expect(preview).toMatchObject({ allowed: false, accountLimit: 10, accountsAfter: 11, withinLimit: false, refusal: { reason: 'account_limit_reached' } });
    expect(preview.refusal?.message).toContain(`orgward org set --org ${s.prime.org.sid} --account-limit 11`);
    await expect(ctx.services.merges.accept(s.candidate.ownerActor, token)).rejects.toMatchObject({ code: 'account_limit_reached' });
    expect(await ctx.store.read.organizations.get(s.candidate.org.sid)).toBeDefined();
    // The operator raises the limit; the same link now works and the Prime holds 11.
    await ctx.services.organizations.updateSettings({ kind: 'operator' }, s.prime.org.sid, { accountLimit: 11 });
    expect(await ctx.services.merges.preview(s.candidate.ownerActor, token)).toMatchObject({ allowed: true, withinLimit: true, accountsAfter: 11 });
    await expect(ctx.services.merges.accept(s.candidate.ownerActor, token)).resolves.toMatchObject({ candidateOrgSid: s.candidate.org.sid });
    expect((await ctx.store.read.accounts.listTopLevel(s.prime.org.sid))).toHaveLength(11);
  });

  it('R-M3/O5: the limit is checked again at acceptance: an account created after the preview tips it over', async () => {
    const s = await setting();
    for (let i = 0; i < 9; i += 1) await ctx.services.accounts.create(s.prime.ownerActor, s.prime.org.sid, { name: `Prime ${i}`, usage: 'twilio' });
    await ctx.services.accounts.create(s.candidate.ownerActor, s.candidate.org.sid, { name: 'Cand', usage: 'twilio' });
    await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email);
    const token = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    expect(await ctx.services.merges.preview(s.candidate.ownerActor, token)).toMatchObject({ allowed: true, accountsAfter: 10 });
    // The Prime's tenth account: fits on its own, but leaves no room for the Candidate's.
    await ctx.services.accounts.create(s.prime.ownerActor, s.prime.org.sid, { name: 'One more', usage: 'twilio' });
    await expect(ctx.services.merges.accept(s.candidate.ownerActor, token)).rejects.toMatchObject({ code: 'account_limit_reached' });
  });

  it('R-M2: checked again at acceptance: a domain verified meanwhile blocks it; once removed the same link works', async () => {
    const s = await setting();
    await ctx.services.merges.invite(asUser(s.primeAdmin), s.prime.org.sid, s.candidate.owner.email);
    const token = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    const late = await addVerifiedDomain(ctx, s.candidate.org.sid, `late${n}.io`);
    expect(await refusalOf(ctx.services.merges.accept(s.candidate.ownerActor, token))).toBe('merge_not_allowed:candidate_has_verified_domains');
    expect((await ctx.services.merges.preview(s.candidate.ownerActor, token)).refusal).toMatchObject({ reason: 'candidate_has_verified_domains' });
    expect(await ctx.store.read.organizations.get(s.candidate.org.sid)).toBeDefined();
    await ctx.store.transaction((repos) => repos.domains.remove(late.id));
    await expect(ctx.services.merges.accept(s.candidate.ownerActor, token)).resolves.toMatchObject({ candidateOrgSid: s.candidate.org.sid });
  });

  it('R-M2: the Prime losing its domain before acceptance blocks the merge', async () => {
    const s = await setting();
    await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email);
    const token = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    await ctx.store.transaction((repos) => repos.domains.remove(s.primeDomain.id));
    expect(await refusalOf(ctx.services.merges.accept(s.candidate.ownerActor, token))).toBe('merge_not_allowed:prime_has_no_verified_domain');
  });

  it('R-M1: the invited person must still be the Owner when accepting (owner_required)', async () => {
    const s = await setting();
    const heir = await addMember(ctx, s.candidate.org.sid, `heir@${s.domain}`, 'admin');
    await ctx.services.merges.invite(s.prime.ownerActor, s.prime.org.sid, s.candidate.owner.email);
    const token = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    await ctx.store.transaction(async (repos) => {
      await repos.users.setRole(s.candidate.owner.sid, s.candidate.org.sid, 'admin');
      await repos.users.setRole(heir.sid, s.candidate.org.sid, 'owner');
    });
    await expect(ctx.services.merges.accept(s.candidate.ownerActor, token)).rejects.toMatchObject({ code: 'owner_required' });
  });

  it('R-M1: operators and unknown links cannot accept', async () => {
    const s = await setting();
    await expect(ctx.services.merges.accept({ kind: 'operator' }, 'whatever')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.merges.accept(s.candidate.ownerActor, 'not-a-real-token')).rejects.toMatchObject({ code: 'token_invalid' });
  });
});
