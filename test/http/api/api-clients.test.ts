/**
 * API clients over the API (issue 10): the Owner signed in to the console creates one (CSRF
 * header required for writes), the secret works at /v1/token, list never shows it, revoke stops
 * it; API clients cannot manage clients; other organizations get 404 (U6).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let ownerCookie: string;

const CSRF = 'c'.repeat(43);

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@clients-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@clients-b.example' });
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: a.owner.sid, method: 'password', passwordChangedAt: null }));
  ownerCookie = `orgward_session=${session.token}; orgward_csrf=${CSRF}`;
});
afterAll(() => ctx.close());

it('the Owner creates a client in the console, it gets a token, list hides the secret, revoke stops it', async () => {
  const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/ApiClients`).set('Cookie', ownerCookie).set('X-CSRF-Token', CSRF)
    .send({ role: 'admin', name: 'sync' }).expect(201);
  expect(created.body).toEqual({ clientId: expect.stringMatching(/^OQ[0-9a-f]{32}$/), clientSecret: expect.any(String), role: 'admin', name: 'sync' });
  const token = await tokenFor(ctx, created.body);
  await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set('Authorization', `Bearer ${token}`).expect(200);

  const listed = await request(ctx.app).get(`/Organizations/${a.org.sid}/ApiClients`).set('Cookie', ownerCookie).expect(200);
  expect(listed.body.clients).toEqual([expect.objectContaining({ clientId: created.body.clientId, role: 'admin', name: 'sync', revokedAt: null, lastUsedAt: expect.any(String) })]);
  expect(JSON.stringify(listed.body)).not.toContain(created.body.clientSecret);

  await request(ctx.app).delete(`/Organizations/${a.org.sid}/ApiClients/${created.body.clientId}`).set('Cookie', ownerCookie).set('X-CSRF-Token', CSRF).expect(204);
  await request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set('Authorization', `Bearer ${token}`).expect(401);
});

it('a console write without the CSRF header is refused (403)', async () => {
  const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/ApiClients`).set('Cookie', ownerCookie).send({ role: 'admin' }).expect(403);
  expect(res.body.error).toMatchObject({ code: 'forbidden', requestId: expect.any(String) });
});

it('an API client cannot create API clients (403), and one of another organization gets 404', async () => {
  const own = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/ApiClients`).set('Authorization', `Bearer ${own}`).send({ role: 'admin' }).expect(403);
  expect(res.body.error.code).toBe('forbidden');
  const foreign = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
  await request(ctx.app).get(`/Organizations/${a.org.sid}/ApiClients`).set('Authorization', `Bearer ${foreign}`).expect(404);
  await request(ctx.app).post(`/Organizations/${a.org.sid}/ApiClients`).set('Authorization', `Bearer ${foreign}`).send({ role: 'admin' }).expect(404);
});

it('nothing a client sends yields a 5xx: bad JSON, bad IDs, unknown fields, garbage tokens', async () => {
  const own = `Bearer ${await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'))}`;
  const labels = ['bad JSON', 'bad org SID', 'foreign PageToken', 'repeated PageSize', 'unknown client', 'garbage JWT', 'Basic on an API route',
    'bad percent-encoding at /v1/token', 'JSON at /v1/token', 'unsupported grant'];
  const cases = [
    request(ctx.app).post(`/Organizations/${a.org.sid}/Accounts`).set('Authorization', own).set('Content-Type', 'application/json').send('{"friendlyName":'),
    request(ctx.app).get(`/Organizations/not-a-sid/Accounts`).set('Authorization', own),
    request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts?PageToken=%%%`).set('Authorization', own),
    request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts?PageSize=1&PageSize=2`).set('Authorization', own),
    request(ctx.app).delete(`/Organizations/${a.org.sid}/ApiClients/OQ${'0'.repeat(32)}`).set('Authorization', own),
    request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set('Authorization', 'Bearer a.b.c'),
    request(ctx.app).get(`/Organizations/${a.org.sid}/Accounts`).set('Authorization', 'Basic Zm9vOmJhcg=='),
    request(ctx.app).post('/v1/token').type('form').send('grant_type=client_credentials&client_id=OQ&client_secret=%'),
    request(ctx.app).post('/v1/token').type('json').send({ grant_type: 'client_credentials' }),
    request(ctx.app).post('/v1/token').type('form').auth('OQ', 'x').send('grant_type=password'),
  ];
  const responses = await Promise.all(cases);
  responses.forEach((res, i) => expect({ case: labels[i], clientError: res.status >= 400 && res.status < 500 }).toEqual({ case: labels[i], clientError: true }));
});
