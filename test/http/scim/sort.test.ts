/**
 * sortBy / sortOrder (RFC 7644 §3.4.2.3): every path a client can send is a sorted 200 or a 400
 * invalidValue, never a 500. Multi-valued attributes sort by their primary value, else their
 * first; resources without a value come last ascending and first descending. The generated
 * version of these checks, over the whole schema, is in robustness.test.ts.
 */
import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, ENTERPRISE_URN, GROUP_URN, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let org: ScimOrg;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  org = await createScimOrg(ctx);
  const d = org.domain;
  // emails: primary wins over order; without a primary, the first listed wins (not the smallest).
  ids.b = (await org.client.post('/Users', userBody(`b@${d}`, { title: 'beta', emails: [{ value: `z-home@${d}`, type: 'home' }, { value: `b@${d}`, type: 'work', primary: true }] })).expect(201)).body.id;
  ids.c = (await org.client.post('/Users', userBody('c-upn', { title: 'Alpha', emails: [{ value: `c@${d}`, type: 'work' }, { value: `a-other@${d}`, type: 'other' }] })).expect(201)).body.id;
  ids.d = (await org.client.post('/Users', userBody(`d@${d}`, { [ENTERPRISE_URN]: { department: 'Sales' } })).expect(201)).body.id;
  await org.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'Sorted', members: [{ value: ids.b }] }).expect(201);
});
afterAll(async () => { await ctx.close(); });

const order = async (query: string) => ((await org.client.get(`/Users?${query}`).expect(200)).body.Resources as { id: string }[]).map((r) => r.id);

describe('SCIM sortBy (RFC 7644 §3.4.2.3)', () => {
  it('meta.resourceType, in any case and with a filter, is 200 on Users and Groups (it was a 500)', async () => {
    for (const path of ['meta.resourceType', 'META.RESOURCETYPE', 'urn:ietf:params:scim:schemas:core:2.0:User:meta.resourceType']) {
      const res = await org.client.get(`/Users?filter=${encodeURIComponent('userName pr')}&sortBy=${encodeURIComponent(path)}`).expect(200);
      expect(res.body.totalResults).toBe(4);
    }
    await org.client.get(`/Groups?filter=${encodeURIComponent('displayName pr')}&sortBy=meta.resourceType&sortOrder=descending`).expect(200);
  });

  it('a multi-valued attribute sorts by its primary value, else by its first value', async () => {
    // Keys: owner@ (the Owner's one work email), b@ (primary), c@ (first; a-other@ is smaller but second), d@.
    expect(await order('sortBy=emails')).toEqual([ids.b, ids.c, ids.d, org.owner.sid]);
    expect(await order('sortBy=emails.value&sortOrder=descending')).toEqual([org.owner.sid, ids.d, ids.c, ids.b]);
  });

  it('strings sort case-insensitively; resources without a value are last ascending, first descending', async () => {
    expect(await order('sortBy=title')).toEqual([ids.c, ids.b, ...[ids.d!, org.owner.sid].sort()]);
    expect((await order('sortBy=title&sortOrder=descending')).slice(2)).toEqual([ids.b, ids.c]);
    expect((await order(`sortBy=${encodeURIComponent(`${ENTERPRISE_URN}:department`)}`))[0]).toBe(ids.d);
    expect(await order('sortBy=groups.display')).toEqual([ids.b, ...[ids.c!, ids.d!, org.owner.sid].sort()]);
  });

  it('unknown, complex, write-only and malformed paths are 400 invalidValue', async () => {
    for (const path of ['nosuch', 'name', 'emails.nosuch', `${ENTERPRISE_URN}:manager`, 'password', 'meta', 'schemas', 'groups.$ref', 'a b', 'emails[type eq "work"].value',
      'urn:ietf:params:scim:schemas:core:2.0:Group:displayName', 'members']) {
      const res = await org.client.get(`/Users?sortBy=${encodeURIComponent(path)}`);
      expect([path, res.status, res.body.scimType]).toEqual([path, 400, 'invalidValue']);
    }
  });
});
