/**
 * Merges over HTTP (issue 10, M1-M3): the Prime invites, lists, previews (accounts that move, role
 * changes, the account limit, SSO) and revokes; only the Candidate's Owner, signed in to the
 * console, accepts or declines. Other organizations are 404 (U6); roles per O3.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, addVerifiedDomain, createOrgWithOwner, lastLinkTo, setOrgSettings } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let n = 0;
const CSRF = 'm'.repeat(43);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(() => ctx.close());

async function sessionOf(userSid: string): Promise<Record<string, string>> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  return { Cookie: `orgward_session=${session.token}; orgward_csrf=${CSRF}`, 'X-CSRF-Token': CSRF };
}

/** A Prime with a verified domain, its admin client, and a Candidate owned by someone on that domain with one account. */
async function setting() {
  n += 1;
  const domain = `mprime${n}.example`;
  const prime = await createOrgWithOwner(ctx, { ownerEmail: `olga@${domain}`, name: `Prime ${n}` });
  await addVerifiedDomain(ctx, prime.org.sid, domain);
  const candidate = await createOrgWithOwner(ctx, { ownerEmail: `cora@${domain}`, name: `Candidate ${n}` });
  const candidateAdmin = await addMember(ctx, candidate.org.sid, `carl@${domain}`, 'admin');
  const account = await addAccount(ctx, { orgSid: candidate.org.sid, ownerSid: candidate.owner.sid, name: `Cand ${n}` });
  const token = await tokenFor(ctx, await apiClient(ctx, prime.ownerActor, prime.org.sid, 'admin'));
  return { domain, prime, candidate, candidateAdmin, account, token };
}

async function invite(s: Awaited<ReturnType<typeof setting>>) {
  const res = await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(s.token)).send({ candidateOwnerEmail: s.candidate.owner.email }).expect(201);
  return res.body as { id: string };
}

describe('the Prime\'s side', () => {
  it('R-M1: an admin client invites the Candidate Owner by email, lists and previews the invitation (R-M3: what moves, roles, limit, SSO)', async () => {
    const s = await setting();
    const created = await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(s.token))
      .send({ candidateOwnerEmail: ` ${s.candidate.owner.email.toUpperCase()}` }).expect(201);
    expect(created.body).toMatchObject({ status: 'pending', candidate_owner_email: s.candidate.owner.email, prime_organization_sid: s.prime.org.sid, expires_at: expect.any(String) });
    expect(await lastLinkTo(ctx, s.candidate.owner.email, '/merges/')).toBeTruthy();
    const list = await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(s.token)).expect(200);
    expect(list.body.merges.map((m: { id: string }) => m.id)).toEqual([created.body.id]);
    const preview = await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges/${created.body.id}`).set(bearer(s.token)).expect(200);
    expect(preview.body).toMatchObject({
      allowed: true, candidate_organization_sid: s.candidate.org.sid, within_limit: true, accounts_after: 1,
      accounts: [{ account_sid: s.account.sid, owner_sid: s.candidate.owner.sid }],
      role_changes: expect.arrayContaining([{ user_sid: s.candidate.owner.sid, email: s.candidate.owner.email, from: 'owner', to: 'standard' }]),
      sso_required: [],
    });
  });

  it('R-M3: the preview shows an account limit the merge would pass (within_limit false, refusal)', async () => {
    const s = await setting();
    await setOrgSettings(ctx, s.prime.org.sid, { accountLimit: 1 });
    await addAccount(ctx, { orgSid: s.prime.org.sid, ownerSid: s.prime.owner.sid, name: 'Prime own' });
    const { id } = await invite(s);
    const preview = await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges/${id}`).set(bearer(s.token)).expect(200);
    expect(preview.body).toMatchObject({ allowed: false, within_limit: false, account_limit: 1, accounts_after: 2, refusal: { reason: 'account_limit_reached' } });
  });

  it('R-M2: a refused invitation is 409/400 with the rule\'s code and reason', async () => {
    const s = await setting();
    const res = await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(s.token)).send({ candidateOwnerEmail: `nobody@${s.domain}` });
    expect(res.body.error).toMatchObject({ code: 'merge_not_allowed', details: { reason: 'candidate_not_an_owner' } });
    expect(res.status).toBeLessThan(500);
    await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(s.token)).send({ candidateOwnerEmail: s.candidate.owner.email, cc: 'x' }).expect(400);
    await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges/not-a-uuid`).set(bearer(s.token)).expect(400);
  });

  it('R-M1: revoking ends the invitation and its mailed link; a second revoke is 409', async () => {
    const s = await setting();
    const { id } = await invite(s);
    const link = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    const revoked = await request(ctx.app).delete(`/Organizations/${s.prime.org.sid}/Merges/${id}`).set(bearer(s.token)).expect(200);
    expect(revoked.body).toMatchObject({ id, status: 'revoked', date_decided: expect.any(String) });
    expect((await ctx.services.mergeLinks.linkState(link)).state).not.toBe('live');
    await request(ctx.app).delete(`/Organizations/${s.prime.org.sid}/Merges/${id}`).set(bearer(s.token)).expect(409);
    const [entry] = await ctx.store.read.audit.list(s.prime.org.sid, { action: 'merge.revoked' });
    expect(entry).toMatchObject({ target: id });
  });

  it('R-U6: another organization\'s client gets 404 for the Prime\'s invitations, by path and by id', async () => {
    const s = await setting();
    const { id } = await invite(s);
    const other = await setting();
    await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(other.token)).expect(404);
    await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges/${id}`).set(bearer(other.token)).expect(404);
    // By id under its own organization: still 404, and nothing of the other organization is named.
    const res = await request(ctx.app).get(`/Organizations/${other.prime.org.sid}/Merges/${id}`).set(bearer(other.token)).expect(404);
    expect(JSON.stringify(res.body)).not.toContain(s.prime.org.sid);
    await request(ctx.app).delete(`/Organizations/${other.prime.org.sid}/Merges/${id}`).set(bearer(other.token)).expect(404);
    await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(other.token)).send({ candidateOwnerEmail: s.candidate.owner.email }).expect(404);
  });

  it('R-O3: a read-only client and a Standard User session cannot invite (403); the Owner\'s session can; the operator can list', async () => {
    const s = await setting();
    const readOnly = await tokenFor(ctx, await apiClient(ctx, s.prime.ownerActor, s.prime.org.sid, 'read-only'));
    await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(readOnly)).send({ candidateOwnerEmail: s.candidate.owner.email }).expect(403);
    const std = await addMember(ctx, s.prime.org.sid, `stan@${s.domain}`, 'standard');
    await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(await sessionOf(std.sid)).send({ candidateOwnerEmail: s.candidate.owner.email }).expect(403);
    await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges`).set(await sessionOf(std.sid)).expect(403);
    await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/Merges`).set(await sessionOf(s.prime.owner.sid)).send({ candidateOwnerEmail: s.candidate.owner.email }).expect(201);
    const operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops' }));
    expect((await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(operator)).expect(200)).body.merges).toHaveLength(1);
  });
});

describe('the Candidate\'s side', () => {
  it('R-M1, R-M3: the Candidate Owner\'s session lists, previews and accepts; everything moves and the mailed link is dead', async () => {
    const s = await setting();
    const { id } = await invite(s);
    const link = await lastLinkTo(ctx, s.candidate.owner.email, '/merges/');
    const owner = await sessionOf(s.candidate.owner.sid);
    const incoming = await request(ctx.app).get(`/Organizations/${s.candidate.org.sid}/IncomingMerges`).set(owner).expect(200);
    expect(incoming.body.merges.map((m: { id: string }) => m.id)).toEqual([id]);
    const preview = await request(ctx.app).get(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}`).set(owner).expect(200);
    expect(preview.body).toMatchObject({ allowed: true, prime_name: s.prime.org.name });
    const accepted = await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set(owner).expect(200);
    expect(accepted.body).toMatchObject({ id, status: 'accepted', prime_organization_sid: s.prime.org.sid, moved_account_sids: [s.account.sid] });
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.prime.org.sid);
    await expect(ctx.services.merges.accept({ kind: 'user', userSid: s.candidate.owner.sid }, link)).rejects.toMatchObject({ code: 'token_invalid' });
    const list = await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges`).set(bearer(s.token)).expect(200);
    expect(list.body.merges[0]).toMatchObject({ status: 'accepted', candidate_organization_sid: s.candidate.org.sid });
  });

  it('R-M1: the Candidate Owner declines; the invitation ends and a later accept is refused', async () => {
    const s = await setting();
    const { id } = await invite(s);
    const owner = await sessionOf(s.candidate.owner.sid);
    const declined = await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Decline`).set(owner).expect(200);
    expect(declined.body).toEqual({ id, status: 'declined', prime_organization_sid: s.prime.org.sid });
    const again = await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set(owner).expect(400);
    expect(again.body.error.code).toBe('token_invalid');
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.candidate.org.sid);
  });

  it('R-M1: only the Candidate Owner\'s console session answers: not their admin client (403), not their Administrator (404), not the Prime (404)', async () => {
    const s = await setting();
    const { id } = await invite(s);
    const candidateClient = await tokenFor(ctx, await apiClient(ctx, s.candidate.ownerActor, s.candidate.org.sid, 'admin'));
    const refused = await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set(bearer(candidateClient)).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await request(ctx.app).get(`/Organizations/${s.candidate.org.sid}/IncomingMerges`).set(bearer(candidateClient)).expect(403);
    const admin = await sessionOf(s.candidateAdmin.sid);
    await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set(admin).expect(404);
    await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Decline`).set(admin).expect(404);
    expect((await request(ctx.app).get(`/Organizations/${s.candidate.org.sid}/IncomingMerges`).set(admin).expect(200)).body.merges).toEqual([]);
    // The Prime's client by the Candidate's path, and the Candidate Owner by another organization's path: 404.
    await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set(bearer(s.token)).expect(404);
    const owner = await sessionOf(s.candidate.owner.sid);
    await request(ctx.app).post(`/Organizations/${s.prime.org.sid}/IncomingMerges/${id}/Accept`).set(owner).expect(404);
    await request(ctx.app).get(`/Organizations/${s.prime.org.sid}/Merges/${id}`).set(owner).expect(404);
    // A write without the CSRF header is refused before anything happens.
    await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set('Cookie', owner.Cookie!).expect(403);
    expect((await ctx.store.read.merges.get(id))?.status).toBe('pending');
  });

  it('R-M3: acceptance past the Prime\'s account limit is refused (409 account_limit_reached) and nothing moves', async () => {
    const s = await setting();
    const { id } = await invite(s);
    await setOrgSettings(ctx, s.prime.org.sid, { accountLimit: 0 });
    const res = await request(ctx.app).post(`/Organizations/${s.candidate.org.sid}/IncomingMerges/${id}/Accept`).set(await sessionOf(s.candidate.owner.sid)).expect(409);
    expect(res.body.error.code).toBe('account_limit_reached');
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.candidate.org.sid);
  });
});
