/**
 * Twilio-compatible Accounts over HTTP (issue 10): paging envelope, 404 across organizations
 * (U6), roles (O3: read-only clients cannot write, Standard Users see only their accounts), and
 * revocation taking effect on the next request.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, addVerifiedDomain, asUser, createOrgWithOwner, grantAccount, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let adminToken: string;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@b.example' });
  adminToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
});
afterAll(() => ctx.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('GET /Organizations/{sid}/Accounts', () => {
  it('pages the accounts in Twilio\'s content + meta envelope', async () => {
    for (let i = 0; i < 3; i++) await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: `A${i}` });
    const first = await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts?PageSize=2`).set(bearer(adminToken)).expect(200);
    expect(first.body.content).toHaveLength(2);
    expect(first.body.content[0]).toEqual({
      account_sid: expect.stringMatching(/^AC[0-9a-f]{32}$/), friendly_name: expect.any(String), status: 'active',
      owner_sid: a.owner.sid, date_created: expect.any(String),
      parent_account_sid: null, management: 'managed', plan: 'trial', usage: 'twilio', hipaa: false,
    });
    expect(first.body.meta).toMatchObject({ key: 'content', page: 0, page_size: 2, previous_page_url: null });
    const next = new URL(first.body.meta.next_page_url);
    const second = await request(ctx.app).get(next.pathname + next.search).set(bearer(adminToken)).expect(200);
    expect(second.body.content).toHaveLength(1);
    expect(second.body.meta.next_page_url).toBeNull();
    const all = [...first.body.content, ...second.body.content].map((x: { account_sid: string }) => x.account_sid);
    expect(new Set(all).size).toBe(3);
  });

  it('refuses unknown query parameters and bad page sizes with 400 in Twilio\'s error shape', async () => {
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts?PageSize=0&Color=red`).set(bearer(adminToken)).expect(400);
    expect(res.body).toMatchObject({ code: 'invalid_input', status: 400, more_info: expect.any(String) });
    expect(res.body.message).toMatch(/Color/);
  });

  it('R-U6: a client of organization A gets 404 for organization B, its accounts by path, and never 403', async () => {
    const bAccount = await addAccount(ctx, { orgSid: b.org.sid, ownerSid: b.owner.sid, name: 'B secret' });
    await request(ctx.app).get(`/Organizations/${b.org.sid}/Accounts`).set(bearer(adminToken)).expect(404);
    await request(ctx.app).get(`/Organizations/${b.org.sid}/Accounts/${bAccount.sid}`).set(bearer(adminToken)).expect(404);
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts/${bAccount.sid}`).set(bearer(adminToken)).expect(404);
    expect(JSON.stringify(res.body)).not.toContain(b.org.sid);
    await request(ctx.app).post(`/Organizations/${b.org.sid}/Accounts`).set(bearer(adminToken)).send({ friendlyName: 'x', ownerSid: b.owner.sid }).expect(404);
  });

  it('fetches one account with an ETag', async () => {
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'One' });
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts/${account.sid}`).set(bearer(adminToken)).expect(200);
    expect(res.body).toMatchObject({ account_sid: account.sid, friendly_name: 'One', owner_sid: a.owner.sid });
    expect(res.headers.etag).toMatch(/^"/);
  });
});

describe('roles', () => {
  it('R-O3: a read-only client reads but cannot create an account (403)', async () => {
    const token = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).expect(200);
    const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).send({ friendlyName: 'Nope', ownerSid: a.owner.sid }).expect(403);
    expect(res.body.code).toBe('forbidden');
  });

  it('R-A5: an admin client creates a managed account owned by a member', async () => {
    const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(bearer(adminToken))
      .send({ friendlyName: 'Made by API', ownerSid: a.owner.sid }).expect(201);
    expect(res.body).toMatchObject({ friendly_name: 'Made by API', owner_sid: a.owner.sid, status: 'active', accountSid: res.body.account_sid });
  });

  it('refuses unknown body fields (400)', async () => {
    const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set(bearer(adminToken))
      .send({ friendlyName: 'x', ownerSid: a.owner.sid, plan: 'upgraded' }).expect(400);
    expect(res.body.message).toMatch(/plan/);
  });

  it('R-O3: a Standard User\'s client cannot be created; an Administrator\'s stops when they are suspended', async () => {
    const standard = await addMember(ctx, a.org.sid, 'std@a.example', 'standard');
    await expect(ctx.services.apiClients.create(asUser(standard), a.org.sid, { role: 'read-only' })).rejects.toMatchObject({ code: 'forbidden' });
    const admin = await addMember(ctx, a.org.sid, 'adm@a.example', 'admin');
    const token = await tokenFor(ctx, await apiClient(ctx, asUser(admin), a.org.sid, 'admin'));
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).expect(200);
    await ctx.store.transaction((repos) => repos.users.update(admin.sid, { status: 'suspended' }));
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).expect(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('a revoked client is refused on its next request, and gets no new token', async () => {
    const client = await apiClient(ctx, a.ownerActor, a.org.sid, 'admin');
    const token = await tokenFor(ctx, client);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).expect(200);
    await ctx.services.apiClients.revoke(a.ownerActor, a.org.sid, client.clientId);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).expect(401);
    const res = await request(ctx.app).post('/v1/token').type('form')
      .send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('R-S7: a client created before SSO enforcement of its creator\'s domain stops on the next request; a new one works', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@s7.example' });
    const domain = await addVerifiedDomain(ctx, org.org.sid, 's7.example');
    const before = await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'admin'));
    await request(ctx.app).get(`/Organizations/${org.org.sid}/Accounts`).set(bearer(before)).expect(200);
    await ctx.store.transaction((repos) => repos.domains.update(domain.id, { ssoEnforced: true }));
    const refused = await request(ctx.app).get(`/Organizations/${org.org.sid}/Accounts`).set(bearer(before)).expect(403);
    expect(refused.body.code).toBe('sso_required');
    const after = await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'admin'));
    await request(ctx.app).get(`/Organizations/${org.org.sid}/Accounts`).set(bearer(after)).expect(200);
  });

  it('R-O3: a Standard User signed in to the console sees only the accounts granted to them', async () => {
    const std = await addMember(ctx, a.org.sid, 'viewer@a.example', 'standard');
    const granted = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Granted' });
    await grantAccount(ctx, a.org.sid, std.sid, granted.sid);
    const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: std.sid, method: 'password', passwordChangedAt: null }));
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set('Cookie', `orgward_session=${session.token}`).expect(200);
    expect(res.body.content.map((x: { account_sid: string }) => x.account_sid)).toEqual([granted.sid]);
  });
});

describe('operator clients', () => {
  it('an operator client\'s token reaches every organization; an API client of A never reaches B', async () => {
    const operator = await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops' });
    const token = await tokenFor(ctx, operator);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(token)).expect(200);
    await request(ctx.app).get(`/Organizations/${b.org.sid}/Accounts`).set(bearer(token)).expect(200);
    await request(ctx.app).post(`/Organizations/${b.org.sid}/Accounts`).set(bearer(token)).send({ friendlyName: 'By operator', ownerSid: b.owner.sid }).expect(201);
    await expect(ctx.services.apiClients.createOperatorClient(a.ownerActor)).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('POST /v1/token', () => {
  it('accepts HTTP Basic and answers Twilio\'s token fields', async () => {
    const client = await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only');
    const res = await request(ctx.app).post('/v1/token').type('form').auth(client.clientId, client.clientSecret).send({ grant_type: 'client_credentials' }).expect(200);
    expect(res.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
  });

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const client = await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only');
    const res = await request(ctx.app).post('/v1/token').type('form').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'x' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid_client', code: 'invalid_client' });
  });

  it('a token signed with another key is 401', async () => {
    const [h, p] = adminToken.split('.');
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set(bearer(`${h}.${p}.AAAA`)).expect(401);
  });
});
