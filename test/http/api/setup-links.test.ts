/**
 * Setup links over the Organizations API (issue 11): an admin API client creates a link (the URL
 * in that response only; default 7 days, at most 30), lists the links (never a URL; a read-only
 * client reads them too), revokes one, after which the link's page says so; another organization
 * gets 404 (U6). Who may call each route is walked in route-roles.test.ts.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let admin: { Authorization: string };
let readOnly: { Authorization: string };
let otherAdmin: { Authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@links-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@links-b.example' });
  admin = { Authorization: `Bearer ${await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid))}` };
  readOnly = { Authorization: `Bearer ${await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'))}` };
  otherAdmin = { Authorization: `Bearer ${await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid))}` };
});
afterAll(() => ctx.close());

const links = (org: OrgWithOwner) => `/Organizations/${org.org.sid}/SetupLinks`;

it('creates a link whose URL is in that response only, lists it, revokes it; the link then says so', async () => {
  const created = await request(ctx.app).post(links(a)).set(admin).send({ kind: 'sso' }).expect(201);
  expect(created.body).toMatchObject({
    sid: expect.stringMatching(/^SL[0-9a-f]{32}$/), organization_sid: a.org.sid, kind: 'sso', state: 'live', idp: null, steps: 0,
    url: expect.stringMatching(/^http:\/\/orgward\.test\/setup\/sl_/), created_by: expect.stringMatching(/^api:OQ/),
  });
  expect(Date.parse(created.body.date_expires) - Date.parse(created.body.date_created)).toBe(7 * 24 * 3600 * 1000);
  const listed = await request(ctx.app).get(links(a)).set(readOnly).expect(200);
  expect(listed.body.setup_links).toEqual([expect.objectContaining({ sid: created.body.sid, state: 'live' })]);
  expect(JSON.stringify(listed.body)).not.toContain(new URL(created.body.url).pathname.slice(7));
  await request(ctx.app).delete(`${links(a)}/${created.body.sid}`).set(admin).expect(204);
  await request(ctx.app).delete(`${links(a)}/${created.body.sid}`).set(admin).expect(204);
  expect((await request(ctx.app).get(links(a)).set(admin).expect(200)).body.setup_links[0]).toMatchObject({ state: 'revoked', date_revoked: expect.any(String) });
  await request(ctx.app).get(new URL(created.body.url).pathname).expect(410);
});

it('validates the kind and the validity (1 to 30 days)', async () => {
  await request(ctx.app).post(links(a)).set(admin).send({ kind: 'domain', valid_days: 30 }).expect(201);
  for (const body of [{ kind: 'roles' }, { kind: 'scim', valid_days: 31 }, { kind: 'scim', valid_days: 0 }, { kind: 'scim', extra: true }]) {
    const res = await request(ctx.app).post(links(a)).set(admin).send(body).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
  }
});

it('U6: another organization\'s links are not found; a read-only client cannot create or revoke', async () => {
  const created = await request(ctx.app).post(links(a)).set(admin).send({ kind: 'scim' }).expect(201);
  await request(ctx.app).get(links(a)).set(otherAdmin).expect(404);
  await request(ctx.app).delete(`${links(b)}/${created.body.sid}`).set(otherAdmin).expect(404);
  await request(ctx.app).post(links(a)).set(readOnly).send({ kind: 'scim' }).expect(403);
  await request(ctx.app).delete(`${links(a)}/${created.body.sid}`).set(readOnly).expect(403);
});
