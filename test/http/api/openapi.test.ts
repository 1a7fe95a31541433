/**
 * The OpenAPI document is generated from the route registry (issue 10): every registered route is
 * documented, every documented operation is served, responses validate against the document's
 * schemas, and /docs renders with the locally installed swagger-ui assets (no CDN).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, createOrgWithOwner } from '../../support/fixtures.js';
import { allRoutes } from '../../../src/http/api/index.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(() => ctx.close());

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const sample = (path: string) => path
  .replace('{OrganizationSid}', `OR${'a'.repeat(32)}`).replace('{AccountSid}', `AC${'b'.repeat(32)}`).replace('{ClientId}', `OQ${'c'.repeat(32)}`).replace(/\{\w+\}/g, 'x');

describe('/openapi.json', () => {
  it('describes every registered route, and every described operation is served', async () => {
    const doc = (await request(ctx.app).get('/openapi.json').expect(200)).body as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const routes = allRoutes(ctx.services, ctx.baseUrl);
    for (const route of routes) expect(doc.paths[route.path]?.[route.method]).toBeDefined();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method })));
    expect(documented).toHaveLength(routes.length);
    for (const { path, method } of documented) {
      const res = await request(ctx.app)[method as 'get'](sample(path)).type(path === '/v1/token' ? 'form' : 'json').send(method === 'get' ? undefined : {});
      // Served: the route answers (401 without credentials, 400 for the empty token request), never "No such endpoint".
      expect({ path, method, status: res.status, served: res.body?.error?.message !== 'No such endpoint.' }).toMatchObject({ served: true });
      expect(res.status).toBeLessThan(500);
    }
  });

  it('responses of the API validate against the schemas the document is generated from', async () => {
    const { org, owner, ownerActor } = await createOrgWithOwner(ctx, { ownerEmail: 'owner@doc.example' });
    const account = await addAccount(ctx, { orgSid: org.sid, ownerSid: owner.sid, name: 'Doc' });
    const token = await tokenFor(ctx, await apiClient(ctx, ownerActor, org.sid));
    const routes = allRoutes(ctx.services, ctx.baseUrl);
    const calls: { path: string; method: 'get' | 'post'; url: string; status: number; body?: object }[] = [
      { path: '/Organizations/{OrganizationSid}/Accounts', method: 'get', url: `/Organizations/${org.sid}/Accounts`, status: 200 },
      { path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}', method: 'get', url: `/Organizations/${org.sid}/Accounts/${account.sid}`, status: 200 },
      { path: '/Organizations/{OrganizationSid}/Accounts', method: 'post', url: `/Organizations/${org.sid}/Accounts`, status: 201, body: { friendlyName: 'New', ownerSid: owner.sid } },
    ];
    for (const call of calls) {
      const res = await request(ctx.app)[call.method](call.url).set('Authorization', `Bearer ${token}`).send(call.body).expect(call.status);
      const route = routes.find((r) => r.path === call.path && r.method === call.method)!;
      const schema = route.responses[call.status]!.schema!;
      expect(schema.safeParse(res.body).success).toBe(true);
    }
  });
});

describe('/docs', () => {
  it('serves the reference page, which loads swagger-ui from this server', async () => {
    const page = await request(ctx.app).get('/docs').expect(200).expect('content-type', /html/);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']));
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      const res = await request(ctx.app).get(asset).expect(200);
      expect(res.text.length).toBeGreaterThan(10);
    }
    const init = await request(ctx.app).get('/docs/init.js').expect(200);
    expect(init.text).toContain('/openapi.json');
  });
});
