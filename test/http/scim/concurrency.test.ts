import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, GROUP_URN, patchBody, scimClient, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let second: TestContext;
let org: ScimOrg;

beforeAll(async () => {
  ctx = await createTestContext();
  second = await createTestContext({ testDb: ctx.testDb });
  org = await createScimOrg(ctx);
});
afterAll(async () => {
  await second.close();
  await ctx.close();
});

describe('SCIM under concurrency', () => {
  it('16 identical concurrent POSTs create exactly one user: one 201, fifteen 409', async () => {
    const body = userBody(`same@${org.domain}`, { externalId: 'same' });
    const results = await Promise.all(Array.from({ length: 16 }, () => org.client.post('/Users', body)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(15).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const found = await org.client.get(`/Users?filter=${encodeURIComponent(`userName eq "same@${org.domain}"`)}`).expect(200);
    expect(found.body.totalResults).toBe(1);
  });

  it('concurrent PATCHes to one group from two app instances lose no member', async () => {
    const users: string[] = [];
    for (let i = 0; i < 40; i++) users.push((await org.client.post('/Users', userBody(`c${i}@${org.domain}`)).expect(201)).body.id);
    const group = (await org.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'Contended' }).expect(201)).body.id;
    const other = scimClient(second.app, org.client.token);
    const patches = users.map((sid, i) => (i % 2 === 0 ? org.client : other)
      .patch(`/Groups/${group}`, patchBody({ op: 'add', path: 'members', value: [{ value: sid }] })));
    const removals = [0, 1, 2, 3].map((i) => (i % 2 === 0 ? other : org.client)
      .patch(`/Groups/${group}`, patchBody({ op: 'remove', path: `members[value eq "${users[i]}"]` })));
    const statuses = (await Promise.all(patches)).map((r) => r.status);
    expect(new Set(statuses)).toEqual(new Set([204]));
    await Promise.all(removals);
    await Promise.all([0, 1, 2, 3].map((i) => other.patch(`/Groups/${group}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[i] }] })).expect(204)));
    const res = await org.client.get(`/Groups/${group}`).expect(200);
    expect(res.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...users].sort());
  });
});
