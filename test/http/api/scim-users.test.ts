/**
 * Twilio-compatible SCIM Users at /Organizations/{sid}/scim/Users (issue 10): the SCIM engine of
 * /scim/v2 (same handlers and rules), authorised by an API client's bearer token. If-Match (412),
 * another organization's client (404, U6), a read-only client refused writes (O3), the audit actor
 * (the API client), filters and paging.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { createScimOrg, patchBody, userBody, type ScimOrg } from '../../support/scim-fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let a: ScimOrg;
let adminToken: string;
let adminClientId: string;
let readOnlyToken: string;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createScimOrg(ctx);
  const admin = await apiClient(ctx, a.ownerActor, a.org.sid, 'admin');
  adminClientId = admin.clientId;
  adminToken = await tokenFor(ctx, admin);
  readOnlyToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
});
afterAll(() => ctx.close());

const users = (orgSid: string) => `/Organizations/${orgSid}/scim/Users`;
const send = (t: request.Test, token: string, body?: unknown) => {
  const authed = t.set('Authorization', `Bearer ${token}`);
  return body === undefined ? authed : authed.set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
};

describe('the SCIM engine behind the Organizations API', () => {
  it('R-C2: an admin client provisions a user; the id is the user SID, located under this entry, audited as the client', async () => {
    const res = await send(request(ctx.app).post(users(a.org.sid)), adminToken, userBody(`ana@${a.domain}`)).expect(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body.id).toMatch(/^US[0-9a-f]{32}$/);
    expect(res.headers.location).toBe(`${ctx.baseUrl}${users(a.org.sid)}/${res.body.id}`);
    expect(res.body.meta.location).toBe(res.headers.location);
    const fetched = await send(request(ctx.app).get(`${users(a.org.sid)}/${res.body.id}`), adminToken).expect(200);
    expect(fetched.body).toMatchObject({ id: res.body.id, userName: `ana@${a.domain}`, active: true });
    // The same user through /scim/v2 with the organization's SCIM token: one engine, one store.
    await a.client.get(`/Users/${res.body.id}`).expect(200);
    const log = await ctx.services.auditLog.list(OPERATOR, a.org.sid, { action: 'scim.user_provisioned' });
    expect(log.entries.find((e) => e.target === res.body.id)?.actor).toBe(`api:${adminClientId}`);
  });

  it('lists with a SCIM filter and pages with a next_page_url (Twilio) as well as startIndex/count', async () => {
    for (const n of ['p1', 'p2', 'p3']) await send(request(ctx.app).post(users(a.org.sid)), adminToken, userBody(`${n}@${a.domain}`)).expect(201);
    const one = await send(request(ctx.app).get(`${users(a.org.sid)}?filter=${encodeURIComponent(`userName eq "p2@${a.domain}"`)}`), readOnlyToken).expect(200);
    expect(one.body.totalResults).toBe(1);
    expect(one.body.Resources[0].userName).toBe(`p2@${a.domain}`);
    expect(one.body.meta).toEqual({ key: 'Resources', next_page_url: null });
    const filter = encodeURIComponent('userName sw "p"');
    const first = await send(request(ctx.app).get(`${users(a.org.sid)}?filter=${filter}&count=2`), readOnlyToken).expect(200);
    expect(first.body).toMatchObject({ totalResults: 3, itemsPerPage: 2, startIndex: 1 });
    const next = new URL(first.body.meta.next_page_url);
    const second = await send(request(ctx.app).get(next.pathname + next.search), readOnlyToken).expect(200);
    expect(second.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 3, meta: { next_page_url: null } });
    const names = [...first.body.Resources, ...second.body.Resources].map((u: { userName: string }) => u.userName).sort();
    expect(names).toEqual([`p1@${a.domain}`, `p2@${a.domain}`, `p3@${a.domain}`]);
  });

  it('an invalid filter is a SCIM 400 carrying Orgward\'s code', async () => {
    const res = await send(request(ctx.app).get(`${users(a.org.sid)}?filter=${encodeURIComponent('userName zz 1')}`), adminToken).expect(400);
    expect(res.body).toMatchObject({ scimType: 'invalidFilter', code: 'scim_invalid_filter', status: '400' });
  });

  it('a stale If-Match is 412 on PUT, PATCH and DELETE; the current ETag works', async () => {
    const created = await send(request(ctx.app).post(users(a.org.sid)), adminToken, userBody(`etag@${a.domain}`)).expect(201);
    const url = `${users(a.org.sid)}/${created.body.id}`;
    const etag = created.headers.etag!;
    await send(request(ctx.app).patch(url), adminToken, patchBody({ op: 'replace', path: 'displayName', value: 'First' })).set('If-Match', etag).expect(200);
    const stale = await send(request(ctx.app).patch(url), adminToken, patchBody({ op: 'replace', path: 'displayName', value: 'Lost' })).set('If-Match', etag).expect(412);
    expect(stale.body.code).toBe('scim_version_mismatch');
    await send(request(ctx.app).put(url), adminToken, userBody(`etag@${a.domain}`)).set('If-Match', etag).expect(412);
    await send(request(ctx.app).delete(url), adminToken).set('If-Match', etag).expect(412);
    const current = await send(request(ctx.app).get(url), adminToken).expect(200);
    expect(current.body.displayName).toBe('First');
    await send(request(ctx.app).delete(url), adminToken).set('If-Match', current.headers.etag!).expect(204);
    await send(request(ctx.app).get(url), adminToken).expect(404);
  });

  it('serves Users only: Groups, Bulk and discovery are not at this entry', async () => {
    await send(request(ctx.app).get(`/Organizations/${a.org.sid}/scim/Groups`), adminToken).expect(404);
    await send(request(ctx.app).post(`/Organizations/${a.org.sid}/scim/Bulk`), adminToken, {}).expect(404);
    await send(request(ctx.app).get(`/Organizations/${a.org.sid}/scim/ServiceProviderConfig`), adminToken).expect(404);
  });
});

describe('who may call it', () => {
  it('R-U6: a client of another organization gets 404 for this organization\'s users, by path and by id', async () => {
    const b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other-scim.example' });
    const bToken = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
    const member = await addMember(ctx, a.org.sid, `member@${a.domain}`);
    await send(request(ctx.app).get(users(a.org.sid)), bToken).expect(404);
    await send(request(ctx.app).get(`${users(a.org.sid)}/${member.sid}`), bToken).expect(404);
    await send(request(ctx.app).delete(`${users(a.org.sid)}/${member.sid}`), bToken).expect(404);
    await send(request(ctx.app).post(users(a.org.sid)), bToken, userBody(`x@${a.domain}`)).expect(404);
    // Through its own organization's entry, A's user is simply not found either.
    const res = await send(request(ctx.app).get(`${users(b.org.sid)}/${member.sid}`), bToken).expect(404);
    expect(JSON.stringify(res.body)).not.toContain(a.org.sid);
    expect((await ctx.services.members.get(a.ownerActor, a.org.sid, member.sid)).status).toBe('active');
  });

  it('R-O3: a read-only client reads but cannot create, change or delete a user (403)', async () => {
    const member = await addMember(ctx, a.org.sid, `ro-target@${a.domain}`);
    await send(request(ctx.app).get(`${users(a.org.sid)}/${member.sid}`), readOnlyToken).expect(200);
    const refused = await send(request(ctx.app).post(users(a.org.sid)), readOnlyToken, userBody(`ro@${a.domain}`)).expect(403);
    expect(refused.body.code).toBe('forbidden');
    await send(request(ctx.app).patch(`${users(a.org.sid)}/${member.sid}`), readOnlyToken, patchBody({ op: 'replace', path: 'active', value: false })).expect(403);
    await send(request(ctx.app).put(`${users(a.org.sid)}/${member.sid}`), readOnlyToken, userBody(`ro-target@${a.domain}`)).expect(403);
    await send(request(ctx.app).delete(`${users(a.org.sid)}/${member.sid}`), readOnlyToken).expect(403);
    expect((await ctx.services.members.get(a.ownerActor, a.org.sid, member.sid)).status).toBe('active');
    // The role is decided before the body is read: a malformed write is still 403, not 400.
    const malformed = await send(request(ctx.app).post(users(a.org.sid)), readOnlyToken, { schemas: 'nope' }).expect(403);
    expect(malformed.body.code).toBe('forbidden');
    await send(request(ctx.app).patch(`${users(a.org.sid)}/${member.sid}`), readOnlyToken, { Operations: 7 }).expect(403);
  });

  it('R-C4: an admin client cannot delete the Owner through SCIM', async () => {
    const res = await send(request(ctx.app).delete(`${users(a.org.sid)}/${a.owner.sid}`), adminToken).expect(403);
    expect(res.body.code).toMatch(/owner|forbidden/);
  });

  it('no token is 401; a SCIM token is not an API token; the operator and console sessions are told to use an API client', async () => {
    const none = await request(ctx.app).get(users(a.org.sid)).expect(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    await send(request(ctx.app).get(users(a.org.sid)), a.client.token).expect(401);
    const operator = await ctx.services.apiClients.createOperatorClient(OPERATOR, { name: 'ops' });
    const refused = await send(request(ctx.app).get(users(a.org.sid)), await tokenFor(ctx, operator)).expect(403);
    expect(refused.body.detail).toMatch(/API client/);
    const session = async (userSid: string) => (await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }))).token;
    // The Owner's session: forbidden here (the console manages users through /Users); another organization's Owner: 404.
    await request(ctx.app).get(users(a.org.sid)).set('Cookie', `orgward_session=${await session(a.owner.sid)}`).expect(403);
    const standard = await addMember(ctx, a.org.sid, `standard@${a.domain}`);
    await request(ctx.app).get(users(a.org.sid)).set('Cookie', `orgward_session=${await session(standard.sid)}`).expect(403);
    const c = await createOrgWithOwner(ctx, { ownerEmail: 'owner@third-scim.example' });
    await request(ctx.app).get(users(a.org.sid)).set('Cookie', `orgward_session=${await session(c.owner.sid)}`).expect(404);
  });
});
