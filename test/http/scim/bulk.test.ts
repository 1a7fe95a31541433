import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, GROUP_URN, PATCH_URN, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let org: ScimOrg;
beforeAll(async () => { ctx = await createTestContext(); org = await createScimOrg(ctx); });
afterAll(async () => { await ctx.close(); });

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK], Operations, ...extra });

describe('SCIM /Bulk (RFC 7644 §3.7)', () => {
  it('runs operations in order with bulkId references, including a forward reference', async () => {
    const res = await org.client.post('/Bulk', bulk([
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_URN], displayName: 'Bulk Group', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody(`bulk1@${org.domain}`) },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: userBody(`bulk2@${org.domain}`) },
      { method: 'PATCH', path: '/Users/bulkId:u2', data: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'Bulk' }] } },
    ])).expect(200);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    const ops = res.body.Operations as { method: string; bulkId?: string; status: string; location?: string; version?: string }[];
    expect(ops.map((o) => [o.method, o.bulkId, o.status])).toEqual([['POST', 'g1', '201'], ['POST', 'u1', '201'], ['POST', 'u2', '201'], ['PATCH', undefined, '200']]);
    const group = await org.client.get(ops[0]!.location!.replace('http://orgward.test/scim/v2', '')).expect(200);
    const userIds = [ops[1]!, ops[2]!].map((o) => o.location!.split('/').pop());
    expect(group.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...userIds].sort());
    expect((await org.client.get(`/Users/${userIds[1]}`).expect(200)).body.title).toBe('Bulk');
  });

  it('reports each operation\'s error as a SCIM Error, and failOnErrors stops after that many', async () => {
    const res = await org.client.post('/Bulk', bulk([
      { method: 'POST', path: '/Users', bulkId: 'bad1', data: userBody('nobody@unverified.example') },
      { method: 'DELETE', path: '/Users/US00000000000000000000000000000000' },
      { method: 'POST', path: '/Users', bulkId: 'never', data: userBody(`never@${org.domain}`) },
    ], { failOnErrors: 2 })).expect(200);
    expect(res.body.Operations).toEqual([
      expect.objectContaining({ status: '400', response: expect.objectContaining({ status: '400', scimType: 'invalidValue' }) }),
      expect.objectContaining({ status: '404', response: expect.objectContaining({ status: '404' }) }),
    ]);
    await org.client.get(`/Users?filter=${encodeURIComponent(`userName eq "never@${org.domain}"`)}`).expect(200)
      .then((r) => expect(r.body.totalResults).toBe(0));
  });

  it('unknown, circular and failed bulkId references fail their operations, not the request', async () => {
    const res = await org.client.post('/Bulk', bulk([
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP_URN], displayName: 'Circular A', members: [{ value: 'bulkId:b' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP_URN], displayName: 'Circular B', members: [{ value: 'bulkId:a' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'c', data: { schemas: [GROUP_URN], displayName: 'Unknown Ref', members: [{ value: 'bulkId:zzz' }] } },
      { method: 'POST', path: '/Users', bulkId: 'fails', data: userBody('x@unverified.example') },
      { method: 'PATCH', path: '/Users/bulkId:fails', data: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } },
    ])).expect(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['409', '409', '400', '400', '409']);
  });

  it('a malformed Bulk request is 400; too many operations is 413', async () => {
    expect((await org.client.post('/Bulk', { Operations: [] }).expect(400)).body.scimType).toBe('invalidSyntax');
    expect((await org.client.post('/Bulk', bulk([{ method: 'GET', path: '/Users' }])).expect(400)).body.status).toBe('400');
    const many = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/x${i}` }));
    expect((await org.client.post('/Bulk', bulk(many)).expect(413)).body.status).toBe('413');
  });
});
