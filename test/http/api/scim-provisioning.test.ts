/**
 * SCIM tokens and SCIM group mappings over the Organizations API (issue 10; C1, C5): a token is
 * shown once and works at /scim/v2, the list shows last use, revoking ends it at once; a mapping
 * is previewed (nothing saved), put (members recomputed), listed and removed. Roles (O3) and
 * tenant isolation (U6: another organization is 404, by path and by body reference).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { createScimOrg, GROUP_URN, scimClient, userBody, type ScimOrg } from '../../support/scim-fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let a: ScimOrg;
let adminToken: string;
let readOnlyToken: string;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createScimOrg(ctx);
  adminToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  readOnlyToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
});
afterAll(() => ctx.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const session = async (userSid: string) => `orgward_session=${(await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }))).token}`;

describe('SCIM tokens', () => {
  it('R-C1: a token is shown once, works at /scim/v2, is listed with its last use but never its value, and revoking ends it', async () => {
    const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(adminToken)).send({ description: 'Okta' }).expect(201);
    expect(created.body).toMatchObject({ id: expect.any(String), description: 'Okta', token: expect.any(String), scim_base_url: `${ctx.baseUrl}/scim/v2`, date_last_used: null });
    const idp = scimClient(ctx.app, created.body.token);
    await idp.get('/Users').expect(200);
    // A read-only client reads what an Administrator reads: the metadata, never the secret (issue 10).
    const listed = await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(readOnlyToken)).expect(200);
    expect(listed.body.tokens.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    const list = await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(adminToken)).expect(200);
    const mine = list.body.tokens.find((t: { id: string }) => t.id === created.body.id);
    expect(mine).toMatchObject({ description: 'Okta', date_revoked: null, date_last_used: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/ScimTokens/${created.body.id}`).set(bearer(adminToken)).expect(204);
    await idp.get('/Users').expect(401);
  });

  it('R-O3: a read-only client cannot create or revoke a token; a Standard User session is refused; the Owner\'s session lists', async () => {
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(readOnlyToken)).send({}).expect(403);
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/ScimTokens/${a.tokenId}`).set(bearer(readOnlyToken)).expect(403);
    const std = await addMember(ctx, a.org.sid, `std@${a.domain}`);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimTokens`).set('Cookie', await session(std.sid)).expect(403);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimTokens`).set('Cookie', await session(a.owner.sid)).expect(200);
    await a.client.get('/Users').expect(200);
  });

  it('R-U6: another organization\'s client gets 404 for the tokens, and cannot revoke one by id', async () => {
    const b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@tokens-b.example' });
    const bToken = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
    await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(bToken)).expect(404);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(bToken)).send({}).expect(404);
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/ScimTokens/${a.tokenId}`).set(bearer(bToken)).expect(404);
    await request(ctx.app).delete(`/Organizations/${b.org.sid}/ScimTokens/${a.tokenId}`).set(bearer(bToken)).expect(404);
    await a.client.get('/Users').expect(200);
  });

  it('validates: unknown fields and a malformed token id are 400', async () => {
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(adminToken)).send({ description: 'x', scope: 'all' }).expect(400);
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/ScimTokens/not-a-uuid`).set(bearer(adminToken)).expect(400);
  });

  it('an operator client creates a token for any organization', async () => {
    const operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient(OPERATOR, { name: 'ops' }));
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimTokens`).set(bearer(operator)).send({}).expect(201);
  });
});

describe('SCIM group mappings', () => {
  it('R-C5: preview shows the access without saving; put saves and recomputes; list; delete removes what it gave', async () => {
    const member = await a.client.post('/Users', userBody(`eng@${a.domain}`)).expect(201);
    await a.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'Engineering', members: [{ value: member.body.id }] }).expect(201);
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Eng account' });
    const url = `/Organizations/${a.org.sid}/ScimGroupMappings/Engineering`;

    const preview = await request(ctx.app).post(`${url}/Preview`).set(bearer(adminToken)).send({ role: 'admin', account_sids: [account.sid] }).expect(200);
    expect(preview.body).toMatchObject({ group: 'Engineering', role: 'admin', account_sids: [account.sid], mapped: true, groups: [{ display_name: 'Engineering' }] });
    expect(preview.body.members).toEqual([expect.objectContaining({ user_sid: member.body.id, role: 'admin', account_sids: [account.sid], before: { role: 'standard', account_sids: [] }, changed: true })]);
    expect((await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimGroupMappings`).set(bearer(adminToken)).expect(200)).body.mappings).toEqual([]);
    expect((await ctx.services.members.get(a.ownerActor, a.org.sid, member.body.id)).role).toBe('standard');

    const put = await request(ctx.app).put(url).set(bearer(adminToken)).send({ role: 'admin', account_sids: [account.sid] }).expect(200);
    expect(put.body.members[0]).toMatchObject({ user_sid: member.body.id, role: 'admin', changed: true });
    expect(put.headers.etag).toMatch(/^"/);
    expect((await ctx.services.members.get(a.ownerActor, a.org.sid, member.body.id)).role).toBe('admin');
    const list = await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimGroupMappings`).set(bearer(adminToken)).expect(200);
    expect(list.body.mappings).toEqual([expect.objectContaining({ group: 'Engineering', role: 'admin', account_sids: [account.sid] })]);

    // If-Match: a stale ETag is 412, nothing changes.
    await request(ctx.app).put(url).set(bearer(adminToken)).set('If-Match', '"stale"').send({ role: 'standard' }).expect(412);
    await request(ctx.app).put(url).set(bearer(adminToken)).set('If-Match', put.headers.etag!).send({ role: 'admin', account_sids: [account.sid] }).expect(200);

    const removed = await request(ctx.app).delete(url).set(bearer(adminToken)).expect(200);
    expect(removed.body).toMatchObject({ mapped: false, members: [expect.objectContaining({ user_sid: member.body.id, account_sids: [] })] });
    expect((await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimGroupMappings`).set(bearer(adminToken)).expect(200)).body.mappings).toEqual([]);
  });

  it('R-C5: a mapping never gives Owner; unknown fields are 400', async () => {
    await request(ctx.app).put(`/Organizations/${a.org.sid}/ScimGroupMappings/Bosses`).set(bearer(adminToken)).send({ role: 'owner' }).expect(400);
    await request(ctx.app).put(`/Organizations/${a.org.sid}/ScimGroupMappings/Bosses`).set(bearer(adminToken)).send({ role: 'admin', accounts: [] }).expect(400);
  });

  it('R-U6: another organization\'s account in account_sids is refused, and its client gets 404', async () => {
    const b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@mappings-b.example' });
    const bAccount = await addAccount(ctx, { orgSid: b.org.sid, ownerSid: b.owner.sid, name: 'B only' });
    const res = await request(ctx.app).put(`/Organizations/${a.org.sid}/ScimGroupMappings/Sales`).set(bearer(adminToken)).send({ account_sids: [bAccount.sid] }).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimGroupMappings/Sales/Preview`).set(bearer(adminToken)).send({ account_sids: [bAccount.sid] }).expect(400);
    const bToken = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
    await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimGroupMappings`).set(bearer(bToken)).expect(404);
    await request(ctx.app).put(`/Organizations/${a.org.sid}/ScimGroupMappings/Sales`).set(bearer(bToken)).send({ role: 'admin' }).expect(404);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimGroupMappings/Sales/Preview`).set(bearer(bToken)).send({ role: 'admin' }).expect(404);
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/ScimGroupMappings/Sales`).set(bearer(bToken)).expect(404);
  });

  it('R-O3: a read-only client cannot map but lists and previews (a preview changes nothing); a Standard User does none of it', async () => {
    await request(ctx.app).put(`/Organizations/${a.org.sid}/ScimGroupMappings/Ops`).set(bearer(readOnlyToken)).send({ role: 'admin' }).expect(403);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/ScimGroupMappings/Ops/Preview`).set(bearer(readOnlyToken)).send({ role: 'admin' }).expect(200);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimGroupMappings`).set(bearer(readOnlyToken)).expect(200);
    expect((await ctx.store.read.scimAccess.listMappings(a.org.sid)).map((m) => m.groupRef)).not.toContain('Ops');
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/ScimGroupMappings/Ops`).set(bearer(readOnlyToken)).expect(403);
    const std = await addMember(ctx, a.org.sid, `std2@${a.domain}`);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/ScimGroupMappings`).set('Cookie', await session(std.sid)).expect(403);
  });
});
