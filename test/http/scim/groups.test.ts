import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, GROUP_URN, patchBody, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let org: ScimOrg;
const users: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  org = await createScimOrg(ctx);
  for (let i = 0; i < 5; i++) users.push((await org.client.post('/Users', userBody(`g${i}@${org.domain}`)).expect(201)).body.id);
});
afterAll(async () => { await ctx.close(); });

const groupBody = (displayName: string, members: string[] = [], extra: Record<string, unknown> = {}) =>
  ({ schemas: [GROUP_URN], displayName, members: members.map((value) => ({ value })), ...extra });

async function membersOf(id: string): Promise<string[]> {
  const res = await org.client.get(`/Groups/${id}`).expect(200);
  return (res.body.members as { value: string }[]).map((m) => m.value).sort();
}

describe('SCIM Groups', () => {
  it('creates a group with members: 201, Location, ETag; members carry value, display, $ref and type', async () => {
    const res = await org.client.post('/Groups', groupBody('Engineering', [users[0]!, users[1]!], { externalId: 'okta-00g1' })).expect(201);
    expect(res.headers.location).toBe(`http://orgward.test/scim/v2/Groups/${res.body.id}`);
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(res.body).toMatchObject({ schemas: [GROUP_URN], displayName: 'Engineering', externalId: 'okta-00g1', meta: { resourceType: 'Group' } });
    expect(res.body.members).toEqual(expect.arrayContaining([{ value: users[0], display: `g0@${org.domain}`, $ref: `http://orgward.test/scim/v2/Users/${users[0]}`, type: 'User' }]));
    const user = await org.client.get(`/Users/${users[0]}`).expect(200);
    expect(user.body.groups).toEqual([{ value: res.body.id, display: 'Engineering', $ref: `http://orgward.test/scim/v2/Groups/${res.body.id}`, type: 'direct' }]);
  });

  it('Entra: extra group schema URI and meta on POST; lookup by displayName with excludedAttributes=members', async () => {
    await org.client.post('/Groups', {
      schemas: [GROUP_URN, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'Entra Group', meta: { resourceType: 'Group' }, members: [],
    }).expect(201);
    const res = await org.client.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('DisplayName eq "entra group"')}`).expect(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].members).toBeUndefined();
    expect(res.body.Resources[0].externalId).toBe('8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159');
    const none = await org.client.get(`/Groups?filter=${encodeURIComponent('displayName eq "no such group"')}`).expect(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('filters on members, externalId, id and meta; duplicate displayName is 409', async () => {
    const id = (await org.client.post('/Groups', groupBody('Filter Me', [users[2]!])).expect(201)).body.id;
    const byMember = await org.client.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${users[2]}"]`)}`).expect(200);
    expect(byMember.body.Resources.map((g: { id: string }) => g.id)).toEqual([id]);
    const byId = await org.client.get(`/Groups?filter=${encodeURIComponent(`id eq "${id}" and meta.created gt "2000-01-01T00:00:00Z"`)}`).expect(200);
    expect(byId.body.totalResults).toBe(1);
    expect((await org.client.get(`/Groups?filter=${encodeURIComponent('id eq "not-a-uuid"')}`).expect(200)).body.totalResults).toBe(0);
    expect((await org.client.post('/Groups', groupBody('FILTER ME')).expect(409)).body.scimType).toBe('uniqueness');
  });

  it('RFC 7643 §4.2: members carry display, the member\'s displayName, else their userName; in GET, lists, filters and sorting', async () => {
    const named = (await org.client.post('/Users', userBody(`named@${org.domain}`, { displayName: 'Zoë Named' })).expect(201)).body.id;
    const upn = (await org.client.post('/Users', userBody('a-upn', { emails: [{ value: `upn@${org.domain}`, primary: true }] })).expect(201)).body.id;
    const id = (await org.client.post('/Groups', groupBody('Displayed', [named, upn, org.owner.sid])).expect(201)).body.id;
    const expected = new Map([[named, 'Zoë Named'], [upn, 'a-upn'], [org.owner.sid, `owner@${org.domain}`]]);
    const shown = (await org.client.get(`/Groups/${id}`).expect(200)).body.members as { value: string; display: string }[];
    expect(new Map(shown.map((m) => [m.value, m.display]))).toEqual(expected);
    const listed = await org.client.get(`/Groups?filter=${encodeURIComponent('members.display eq "zoë named"')}&attributes=members.display`).expect(200);
    expect(listed.body.Resources).toEqual([{ schemas: [GROUP_URN], id, members: expect.arrayContaining([{ display: 'Zoë Named' }]) }]);
    // A new display name shows at once: it is read with the members, not stored with them.
    await org.client.patch(`/Users/${named}`, patchBody({ op: 'replace', path: 'displayName', value: 'Zoë Renamed' })).expect(200);
    const renamed = (await org.client.get(`/Groups/${id}`).expect(200)).body.members as { value: string; display: string }[];
    expect(renamed.find((m) => m.value === named)!.display).toBe('Zoë Renamed');
    await org.client.get(`/Groups?sortBy=members.display&sortOrder=descending`).expect(200);
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'remove', path: 'members[display eq "A-UPN"]' })).expect(204);
    expect(await membersOf(id)).toEqual([named, org.owner.sid].sort());
  });

  it('404 for unknown and malformed group ids', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'nope', '1234']) {
      const res = await org.client.get(`/Groups/${id}`).expect(404);
      expect(res.body.status).toBe('404');
      await org.client.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[0] }] })).expect(404);
    }
  });

  it('Okta: removes members[value eq] and adds in one PATCH; replaces all members; renames path-less with its id', async () => {
    const id = (await org.client.post('/Groups', groupBody('Okta Push', [users[0]!, users[1]!])).expect(201)).body.id;
    const res = await org.client.patch(`/Groups/${id}`, patchBody(
      { op: 'remove', path: `members[value eq "${users[0]}"]` },
      { op: 'add', path: 'members', value: [{ value: users[2], display: `g2@${org.domain}` }, { value: users[3], display: `g3@${org.domain}` }] },
    )).expect(204);
    expect(res.headers.etag).toBeDefined();
    expect(await membersOf(id)).toEqual([users[1]!, users[2]!, users[3]!].sort());
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: 'members', value: [{ value: users[4] }] })).expect(204);
    expect(await membersOf(id)).toEqual([users[4]]);
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', value: { id, displayName: 'Okta Push Renamed' } })).expect(204);
    expect((await org.client.get(`/Groups/${id}`).expect(200)).body.displayName).toBe('Okta Push Renamed');
    const other = await org.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', value: { id: '00000000-0000-0000-0000-000000000000' } })).expect(400);
    expect(other.body.scimType).toBe('mutability');
  });

  it('Entra: Add members with $ref null, Remove with a value array removes only those', async () => {
    const id = (await org.client.post('/Groups', groupBody('Entra Push')).expect(201)).body.id;
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) })).expect(204);
    expect(await membersOf(id)).toEqual([...users].sort());
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'Remove', path: 'members', value: [{ $ref: null, value: users[1] }, { value: users[3] }] })).expect(204);
    expect(await membersOf(id)).toEqual([users[0]!, users[2]!, users[4]!].sort());
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'Replace', path: 'displayName', value: 'Entra Renamed' }, { op: 'Remove', path: 'externalId' })).expect(204);
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'remove', path: 'members' })).expect(204);
    expect(await membersOf(id)).toEqual([]);
  });

  it('adding the same member twice is harmless; a user who is not a member of the organization is 400', async () => {
    const id = (await org.client.post('/Groups', groupBody('Twice')).expect(201)).body.id;
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[0] }, { value: users[0] }] })).expect(204);
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[0] }] })).expect(204);
    expect(await membersOf(id)).toEqual([users[0]]);
    const res = await org.client.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[1] }, { value: 'US00000000000000000000000000000000' }] })).expect(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(await membersOf(id)).toEqual([users[0]]);
  });

  it('PUT replaces name, externalId and members; If-Match mismatch is 412; DELETE then 404', async () => {
    const created = await org.client.post('/Groups', groupBody('Put Me', [users[0]!], { externalId: 'x1' })).expect(201);
    const id = created.body.id;
    const put = await org.client.put(`/Groups/${id}`, groupBody('Put Me 2', [users[1]!, users[2]!])).set('If-Match', created.headers.etag as string).expect(200);
    expect(put.body).toMatchObject({ displayName: 'Put Me 2' });
    expect(put.body.externalId).toBeUndefined();
    expect(put.body.members.map((m: { value: string }) => m.value).sort()).toEqual([users[1]!, users[2]!].sort());
    await org.client.patch(`/Groups/${id}`, patchBody({ op: 'add', path: 'members', value: [{ value: users[3] }] })).set('If-Match', created.headers.etag as string).expect(412);
    await org.client.delete(`/Groups/${id}`).set('If-Match', created.headers.etag as string).expect(412);
    await org.client.delete(`/Groups/${id}`).set('If-Match', put.headers.etag as string).expect(204);
    await org.client.get(`/Groups/${id}`).expect(404);
  });

  it('bad PATCH paths: 400 invalidPath or mutability; removing displayName is 400', async () => {
    const id = (await org.client.post('/Groups', groupBody('Bad Paths')).expect(201)).body.id;
    expect((await org.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: 'members[value eq "x"].display', value: 'y' })).expect(400)).body.scimType).toBe('invalidPath');
    expect((await org.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: 'nosuch', value: 'y' })).expect(400)).body.scimType).toBe('invalidPath');
    expect((await org.client.patch(`/Groups/${id}`, patchBody({ op: 'replace', path: 'meta.created', value: 'y' })).expect(400)).body.scimType).toBe('mutability');
    expect((await org.client.patch(`/Groups/${id}`, patchBody({ op: 'remove', path: 'displayName' })).expect(400)).body.scimType).toBe('invalidValue');
  });

  it('a member removed from the organization leaves its groups (C4)', async () => {
    const leaver = (await org.client.post('/Users', userBody(`leaver@${org.domain}`)).expect(201)).body.id;
    const id = (await org.client.post('/Groups', groupBody('Leavers', [leaver, users[0]!])).expect(201)).body.id;
    const before = (await org.client.get(`/Groups/${id}`).expect(200)).headers.etag;
    await org.client.delete(`/Users/${leaver}`).expect(204);
    const after = await org.client.get(`/Groups/${id}`).expect(200);
    expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([users[0]]);
    expect(after.headers.etag).not.toBe(before);
  });
});
