import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, GROUP_URN, patchBody, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let a: ScimOrg;
let b: ScimOrg;
let bUser: string;
let bGroup: string;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createScimOrg(ctx);
  b = await createScimOrg(ctx);
  await a.client.post('/Users', userBody(`a1@${a.domain}`, { externalId: 'shared-ext' })).expect(201);
  bUser = (await b.client.post('/Users', userBody(`b1@${b.domain}`, { externalId: 'shared-ext', title: 'B only' })).expect(201)).body.id;
  bGroup = (await b.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'B Group', members: [{ value: bUser }] }).expect(201)).body.id;
});
afterAll(async () => { await ctx.close(); });

const countOf = async (path: string) => (await a.client.get(path).expect(200)).body.totalResults as number;

describe('R-C1: one organization\'s token never sees or touches another\'s users and groups', () => {
  it('by id: GET, PUT, PATCH and DELETE of the other organization\'s user and group are 404 and change nothing', async () => {
    await a.client.get(`/Users/${bUser}`).expect(404);
    await a.client.put(`/Users/${bUser}`, userBody(`b1@${b.domain}`, { title: 'hacked' })).expect(404);
    await a.client.patch(`/Users/${bUser}`, patchBody({ op: 'replace', value: { active: false, title: 'hacked' } })).expect(404);
    await a.client.delete(`/Users/${bUser}`).expect(404);
    await a.client.get(`/Groups/${bGroup}`).expect(404);
    await a.client.put(`/Groups/${bGroup}`, { schemas: [GROUP_URN], displayName: 'hacked' }).expect(404);
    await a.client.patch(`/Groups/${bGroup}`, patchBody({ op: 'remove', path: 'members' })).expect(404);
    await a.client.delete(`/Groups/${bGroup}`).expect(404);
    const user = await b.client.get(`/Users/${bUser}`).expect(200);
    expect(user.body).toMatchObject({ active: true, title: 'B only' });
    const group = await b.client.get(`/Groups/${bGroup}`).expect(200);
    expect(group.body).toMatchObject({ displayName: 'B Group', members: [expect.objectContaining({ value: bUser })] });
  });

  it('by filter: lists, lookups and searches only reach the token\'s organization', async () => {
    expect(await countOf('/Users')).toBe(2);
    expect(await countOf(`/Users?filter=${encodeURIComponent(`userName eq "b1@${b.domain}"`)}`)).toBe(0);
    expect(await countOf(`/Users?filter=${encodeURIComponent('externalId eq "shared-ext"')}`)).toBe(1);
    expect(await countOf(`/Users?filter=${encodeURIComponent(`id eq "${bUser}" or title pr`)}`)).toBe(0);
    expect(await countOf('/Groups')).toBe(0);
    expect(await countOf(`/Groups?filter=${encodeURIComponent(`members[value eq "${bUser}"] or displayName eq "B Group"`)}`)).toBe(0);
    const root = await a.client.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title eq "B only" or displayName eq "B Group"' }).expect(200);
    expect(root.body.totalResults).toBe(0);
  });

  it('by batched lookup: the same externalId and userName looked up by both organizations at once (one statement under load) answer each its own member', async () => {
    const ext = `/Users?filter=${encodeURIComponent('externalId eq "shared-ext"')}`;
    const lookups = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).client.get(ext).expect(200));
    const answers = await Promise.all(lookups);
    answers.forEach((res, i) => {
      expect(res.body.totalResults).toBe(1);
      expect(res.body.Resources[0].userName).toBe(i % 2 === 0 ? `a1@${a.domain}` : `b1@${b.domain}`);
    });
  });

  it('by membership value: the other organization\'s users cannot be put in a group', async () => {
    const res = await a.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'A Group', members: [{ value: bUser }] }).expect(400);
    expect(res.body.scimType).toBe('invalidValue');
    const id = (await a.client.post('/Groups', { schemas: [GROUP_URN], displayName: 'A Group' }).expect(201)).body.id;
    await a.client.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: bUser }] })).expect(400);
    await a.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: 'members', value: [{ value: bUser }] })).expect(400);
    expect((await a.client.get(`/Groups/${id}`).expect(200)).body.members).toEqual([]);
    expect((await b.client.get(`/Users/${bUser}`).expect(200)).body.groups).toEqual([expect.objectContaining({ value: bGroup })]);
  });

  it('R-D7: a token cannot create people on another organization\'s verified domain', async () => {
    await a.client.post('/Users', userBody(`newcomer@${b.domain}`)).expect(400);
  });

  it('bulk operations are bound to the token\'s organization too', async () => {
    const res = await a.client.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [
      { method: 'DELETE', path: `/Users/${bUser}` }, { method: 'DELETE', path: `/Groups/${bGroup}` },
    ] }).expect(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['404', '404']);
    await b.client.get(`/Users/${bUser}`).expect(200);
  });
});
