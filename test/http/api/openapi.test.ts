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
import { checkingResponses, responseProblem, takeMismatches } from '../../support/api-responses.js';

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

describe('every API response of the test suite is checked against the document (test/support/api-responses.ts)', () => {
  const routes = () => allRoutes(ctx.services, ctx.baseUrl);
  const route = (method: string, path: string) => routes().find((r) => r.method === method && r.path === path)!;
  const accounts = '/Organizations/{OrganizationSid}/Accounts';

  it('names a wrong field type, a missing field, an undocumented field, an undocumented status and a wrong error body', () => {
    const page = { content: [], meta: { first_page_url: 'u', key: 'content', next_page_url: null, page: 0, page_size: 50, previous_page_url: null, url: 'u' } };
    expect(responseProblem(route('get', accounts), 200, 'application/json', JSON.stringify(page))).toBeUndefined();
    expect(responseProblem(route('get', accounts), 200, 'application/json', JSON.stringify({ ...page, meta: { ...page.meta, page: '0' } }))).toMatch(/meta\.page/);
    expect(responseProblem(route('get', accounts), 200, 'application/json', JSON.stringify({ content: [] }))).toMatch(/meta/);
    expect(responseProblem(route('get', accounts), 200, 'application/json', JSON.stringify({ ...page, secret: 'x' }))).toMatch(/undocumented field secret/);
    expect(responseProblem(route('get', accounts), 203, 'application/json', JSON.stringify(page))).toMatch(/status 203 is not documented/);
    expect(responseProblem(route('get', accounts), 200, 'text/html', '<p>')).toMatch(/Content-Type text\/html/);
    // Accounts is a Twilio route: its errors are Twilio's shape, not Orgward's.
    expect(responseProblem(route('get', accounts), 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: 'm', requestId: 'r' } }))).toMatch(/does not match/);
    expect(responseProblem(route('get', '/Organizations/{OrganizationSid}/Domains'), 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: 'm', requestId: 'r' } }))).toBeUndefined();
  });

  it('is installed on the test apps: a response that breaks the document is recorded against the test', async () => {
    const broken = checkingResponses((_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ content: 'nope' })); }, routes());
    await request(broken).get(`/Organizations/OR${'a'.repeat(32)}/Accounts`);
    const found = takeMismatches();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^GET \/Organizations\/OR\w+\/Accounts → 200 \(GET \/Organizations\/\{OrganizationSid\}\/Accounts\): the body does not match/);
    // The suite's own app checks too: an error response of a Twilio route is Twilio's shape.
    await request(ctx.app).get(`/Organizations/OR${'a'.repeat(32)}/Accounts`).expect(401);
    expect(takeMismatches()).toEqual([]);
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
