import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { silentLogger } from '../../../src/logger.js';
import { createServices } from '../../../src/services/index.js';
import knexFactory from 'knex';
import { createStore } from '../../../src/store/index.js';
import { createTxtLookup } from '../../../src/adapters/dns.js';
import { createMailer } from '../../../src/adapters/mailer.js';
import { manualClock } from '../../../src/clock.js';
import { createTestContext, TEST_SECRET_KEY, type TestContext } from '../../support/app.js';
import { createScimOrg, ERROR_URN, SCIM, userBody, USER_URN, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let org: ScimOrg;
beforeAll(async () => { ctx = await createTestContext(); org = await createScimOrg(ctx); });
afterAll(async () => { await ctx.close(); });

describe('SCIM protocol surface', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a malformed header', 'Basic dXNlcjpwYXNz'],
    ['an unknown token', 'Bearer scim_unknownunknownunknownunknownunknown'],
    ['a too short token', 'Bearer x'],
  ])('401 with a SCIM Error body for %s', async (_what, header) => {
    const req = request(ctx.app).get(`${SCIM}/Users`);
    const res = await (header ? req.set('Authorization', header) : req).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ schemas: [ERROR_URN], status: '401' });
  });

  it('a database failure during token lookup is 503, never 401 or 404', async () => {
    // A PostgreSQL that refuses connections (knex's own warnings silenced).
    const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };
    const db = knexFactory({ client: 'pg', connection: 'postgres://orgward@127.0.0.1:1/down', acquireConnectionTimeout: 300, pool: { min: 0, max: 1 }, log: quiet });
    const store = createStore(db);
    const clock = manualClock();
    const mailer = createMailer({ smtpUrl: undefined, from: 'x <x@x.test>', store, logger: silentLogger, clock });
    const services = createServices({ store, clock, logger: silentLogger, mailer, baseUrl: 'http://down.test', secretKey: TEST_SECRET_KEY, dns: createTxtLookup(['127.0.0.1:1'], 100) });
    const app = createApp({ services, logger: silentLogger, baseUrl: 'http://down.test', secureCookies: false, health: async () => undefined });
    try {
      const res = await request(app).get(`${SCIM}/Users`).set('Authorization', `Bearer ${org.client.token}`).expect(503);
      expect(res.body).toMatchObject({ schemas: [ERROR_URN], status: '503' });
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      mailer.close();
      await db.destroy();
    }
  });

  it('every response is application/scim+json; requests in application/json are accepted', async () => {
    const created = await org.client.post('/Users', undefined).set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify(userBody(`json@${org.domain}`))).expect(201);
    expect(created.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    for (const path of ['/Users', `/Users/${created.body.id}`, '/Groups', '/ServiceProviderConfig', '/ResourceTypes', '/Schemas', '/nowhere']) {
      const res = await org.client.get(path);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    }
  });

  it('the SCIM base matches as an Express mount would: any case, exact segment only', async () => {
    const auth = ['Authorization', `Bearer ${org.client.token}`] as const;
    const upper = await request(ctx.app).get('/SCIM/V2/Users?count=1').set(...auth).expect(200);
    expect(upper.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    const bare = await request(ctx.app).get(SCIM).set(...auth).expect(404);
    expect(bare.body).toMatchObject({ schemas: [ERROR_URN], status: '404' });
    // A lookalike path is not the SCIM endpoint: the admin API's own 404 body.
    const lookalike = await request(ctx.app).get(`${SCIM}x/Users`).set(...auth).expect(404);
    expect(lookalike.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('discovery: ServiceProviderConfig, ResourceTypes and Schemas (with the enterprise extension)', async () => {
    const config = await org.client.get('/ServiceProviderConfig').expect(200);
    expect(config.body).toMatchObject({
      patch: { supported: true }, bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 1000 }, sort: { supported: true }, etag: { supported: true },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    const types = await org.client.get('/ResourceTypes').expect(200);
    expect(types.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual(['Group', 'User']);
    const user = await org.client.get('/ResourceTypes/User').expect(200);
    expect(user.body.schemaExtensions).toEqual([expect.objectContaining({ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' })]);
    await org.client.get(`/Schemas/${USER_URN}`).expect(200);
    await org.client.get('/Schemas/urn:nope').expect(404);
  });

  it('errors are SCIM Errors whose status matches the HTTP status', async () => {
    const cases: [string, () => request.Test, number][] = [
      ['unknown endpoint', () => org.client.get('/Nowhere'), 404],
      ['unsupported method', () => org.client.delete('/Users'), 405],
      ['malformed JSON', () => org.client.post('/Users', undefined).set('Content-Type', 'application/scim+json').send('{"userName":'), 400],
      ['a non-JSON body', () => org.client.post('/Users', undefined).set('Content-Type', 'text/plain').send('userName=x'), 400],
      ['a JSON array', () => org.client.post('/Users', [userBody(`a@${org.domain}`)]), 400],
      ['/Me', () => org.client.get('/Me'), 501],
      ['a bad PatchOp', () => org.client.patch(`/Users/${org.owner.sid}`, { Operations: [] }), 400],
    ];
    for (const [what, send, status] of cases) {
      const res = await send();
      expect([what, res.status]).toEqual([what, status]);
      expect(res.body).toMatchObject({ schemas: [ERROR_URN], status: String(status) });
    }
  });

  it('413 for an oversized body, also on /Bulk beyond maxPayloadSize', async () => {
    const huge = userBody(`big@${org.domain}`, { title: 'x'.repeat(5 * 1024 * 1024) });
    const res = await org.client.post('/Users', huge).expect(413);
    expect(res.body).toMatchObject({ schemas: [ERROR_URN], status: '413' });
    const bulk = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: userBody(`bulkbig@${org.domain}`, { title: 'y'.repeat(1_100_000) }) }],
    };
    expect((await org.client.post('/Bulk', bulk).expect(413)).body.status).toBe('413');
  });
});
