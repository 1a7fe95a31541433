import { createTestContext, type TestContext } from '../../support/app.js';
import { createScimOrg, ENTERPRISE_URN, LIST_URN, userBody, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let org: ScimOrg;
let other: ScimOrg;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  org = await createScimOrg(ctx, { domain: 'filters.example' });
  other = await createScimOrg(ctx, { domain: 'filters-other.example' });
  const people: [string, Record<string, unknown>][] = [
    ['alice', { userName: 'alice@filters.example', displayName: 'Alice Anderson', title: 'Engineer', externalId: 'ext-alice',
      emails: [{ value: 'alice@filters.example', type: 'work', primary: true }, { value: 'alice.home@filters.example', type: 'home' }],
      [ENTERPRISE_URN]: { department: 'Eng', employeeNumber: '001' } }],
    ['bob', { userName: 'bob@filters.example', displayName: 'Bob Brown', title: 'Manager', externalId: 'EXT-BOB', active: false,
      emails: [{ value: 'bob@filters.example', type: 'work', primary: true }], [ENTERPRISE_URN]: { department: 'Sales' } }],
    ['carol', { userName: 'carol@filters.example', displayName: 'Carol Clark',
      emails: [{ value: 'Carol@Filters.example', type: 'work', primary: true }, { value: 'carol@elsewhere.example', type: 'other' }] }],
    ['dave', { userName: 'dave', displayName: 'dave (lower)', title: 'engineer', emails: [{ value: 'dave@filters.example', type: 'work', primary: true }] }],
  ];
  for (const [key, attrs] of people) {
    ids[key] = (await org.client.post('/Users', userBody(attrs.userName as string, { name: { givenName: key, familyName: 'X' }, ...attrs })).expect(201)).body.id;
  }
  ids.owner = org.owner.sid;
  await other.client.post('/Users', userBody('alice@filters-other.example', { displayName: 'Alice Anderson', title: 'Engineer' })).expect(201);
});
afterAll(async () => { await ctx.close(); });

async function find(filter: string, extra = ''): Promise<string[]> {
  const res = await org.client.get(`/Users?filter=${encodeURIComponent(filter)}${extra}`).expect(200);
  expect(res.body.schemas).toEqual([LIST_URN]);
  expect(res.body.totalResults).toBe(res.body.Resources.length);
  return (res.body.Resources as { id: string }[]).map((r) => Object.entries(ids).find(([, v]) => v === r.id)?.[0] ?? r.id).sort();
}

describe('SCIM filters run in SQL (RFC 7644 §3.4.2.2)', () => {
  it.each([
    ['userName eq "ALICE@filters.example"', ['alice']],
    ['userName eq alice@filters.example', ['alice']],
    ['UserName EQ "dave"', ['dave']],
    ['userName eq "owner@filters.example"', ['owner']],
    ['userName ne "alice@filters.example"', ['bob', 'carol', 'dave', 'owner']],
    ['displayName co "an"', ['alice']],
    ['DisplayName sw "b"', ['bob']],
    ['displayName ew "CLARK"', ['carol']],
    ['userName gt "carol@filters.example"', ['dave', 'owner']],
    ['userName lt "bob@filters.example"', ['alice']],
    ['userName ge "dave"', ['dave', 'owner']],
    ['userName le "alice@filters.example"', ['alice']],
    ['title pr', ['alice', 'bob', 'dave']],
    ['not (title pr)', ['carol', 'owner']],
    ['title eq "engineer"', ['alice', 'dave']],
    ['title eq "Engineer" and displayName sw "A"', ['alice']],
    ['title eq "Manager" or displayName co "clark"', ['bob', 'carol']],
    ['not (title eq "Manager" or title eq "Engineer")', ['carol', 'owner']],
    ['((title eq "Manager") or (displayName co "clark" and not (userName eq "x")))', ['bob', 'carol']],
    ['active eq false', ['bob']],
    ['active eq "False"', ['bob']],
    ['active ne false', ['alice', 'carol', 'dave', 'owner']],
    ['externalId eq "ext-bob"', []],
    ['externalId eq "EXT-BOB"', ['bob']],
    ['emails[type eq "work"].value eq "carol@filters.EXAMPLE"', ['carol']],
    ['emails[type eq "home" and value co "home"]', ['alice']],
    ['emails.value eq "carol@elsewhere.example"', ['carol']],
    // Narrowed by the email index (issue 14), decided by the exact element filter: the type must
    // hold too, a member without SCIM emails has their address as the work email, other
    // organizations' members never match.
    ['emails[type eq "work"].value eq "alice.home@filters.example"', []],
    ['emails[value eq "ALICE.HOME@filters.example" and type eq "home"]', ['alice']],
    ['emails[type eq "work"].value eq "owner@filters.example"', ['owner']],
    ['emails eq "OWNER@filters.example"', ['owner']],
    ['emails[type eq "work"].value eq "alice@filters-other.example"', []],
    ['emails[type eq "work"].value eq "bob@filters.example" or emails.value eq "dave@filters.example"', ['bob', 'dave']],
    ['not (emails.value eq "bob@filters.example") and userName sw "b"', []],
    ['emails co "elsewhere"', ['carol']],
    ['emails[type eq "other"]', ['carol']],
    ['name.givenName eq "bob"', ['bob']],
    [`${ENTERPRISE_URN}:department eq "eng"`, ['alice']],
    [`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@filters.example"`, ['bob']],
    ['meta.created gt "2000-01-01T00:00:00Z" and userName sw "a"', ['alice']],
    ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    ['meta.resourceType eq "User" and title eq "manager"', ['bob']],
    ['userName eq "7a8c0f54-57e1-4f0f-8a3b-0d5ad6bd71ea"', []],
  ])('%s', async (filter, expected) => {
    expect(await find(filter)).toEqual(expected);
  });

  it('escaped quotes and LIKE characters are matched literally', async () => {
    expect(await find('displayName co "%"')).toEqual([]);
    expect(await find('displayName co "_"')).toEqual([]);
    expect(await find('displayName eq "dave \\"(lower)\\""')).toEqual([]);
    expect(await find('displayName co "(lower)"')).toEqual(['dave']);
  });

  it.each([
    'userName xx "a"', 'userName eq', '(userName eq "a"', 'userName eq "a" and', 'nosuch eq "x"',
    'active gt true', 'meta.created gt "yesterday"', 'name eq "x"', 'emails[type eq "work"', 'emails[emails[type eq "a"]]',
    '"x" eq userName', 'userName eq "unterminated',
  ])('400 invalidFilter for %s', async (filter) => {
    const res = await org.client.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it('C1: filters never reach another organization', async () => {
    expect(await find('displayName eq "Alice Anderson"')).toEqual(['alice']);
    expect(await find('userName eq "alice@filters-other.example"')).toEqual([]);
  });
});

describe('paging, sorting and attribute selection', () => {
  it('exact totalResults, startIndex echoed, stable order, empty page past the end', async () => {
    const all = await org.client.get('/Users?count=1000').expect(200);
    expect(all.body.totalResults).toBe(5);
    const seen: string[] = [];
    for (let start = 1; start <= 5; start += 2) {
      const page = await org.client.get(`/Users?startIndex=${start}&count=2`).expect(200);
      expect(page.body).toMatchObject({ totalResults: 5, startIndex: start, itemsPerPage: page.body.Resources.length });
      seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
    }
    expect(seen).toEqual(all.body.Resources.map((r: { id: string }) => r.id));
    const past = await org.client.get('/Users?startIndex=50&count=10').expect(200);
    expect(past.body).toMatchObject({ totalResults: 5, startIndex: 50, itemsPerPage: 0, Resources: [] });
    const filtered = await org.client.get(`/Users?filter=${encodeURIComponent('title pr')}&startIndex=3&count=1`).expect(200);
    expect(filtered.body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1 });
  });

  it('count=0 gives the total only; startIndex below 1 is 1; non-integers are 400 invalidValue', async () => {
    expect((await org.client.get('/Users?count=0').expect(200)).body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    expect((await org.client.get('/Users?startIndex=-4&count=1').expect(200)).body.startIndex).toBe(1);
    expect((await org.client.get('/Users?count=abc').expect(400)).body.scimType).toBe('invalidValue');
    expect((await org.client.get('/Users?startIndex=1.5').expect(400)).body.scimType).toBe('invalidValue');
  });

  it('sortBy and sortOrder', async () => {
    const asc = await org.client.get('/Users?sortBy=userName').expect(200);
    expect(asc.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(
      ['alice@filters.example', 'bob@filters.example', 'carol@filters.example', 'dave', 'owner@filters.example']);
    const desc = await org.client.get('/Users?sortBy=name.givenName&sortOrder=descending&filter=title%20pr').expect(200);
    expect(desc.body.Resources.map((r: { name: { givenName: string } }) => r.name.givenName)).toEqual(['dave', 'bob', 'alice']);
    await org.client.get('/Users?sortBy=nosuch').expect(400);
    await org.client.get('/Users?sortOrder=sideways').expect(400);
  });

  it('attributes and excludedAttributes', async () => {
    const only = await org.client.get(`/Users/${ids.alice}?attributes=userName,name.givenName,${ENTERPRISE_URN}:department`).expect(200);
    expect(only.body).toEqual({
      schemas: expect.any(Array), id: ids.alice, userName: 'alice@filters.example', name: { givenName: 'alice' }, [ENTERPRISE_URN]: { department: 'Eng' },
    });
    const without = await org.client.get(`/Users?filter=${encodeURIComponent('userName eq "alice@filters.example"')}&excludedAttributes=emails,name,meta`).expect(200);
    const alice = without.body.Resources[0];
    expect(alice.emails).toBeUndefined();
    expect(alice.name).toBeUndefined();
    expect(alice.meta).toBeUndefined();
    expect(alice.userName).toBe('alice@filters.example');
    const emails = await org.client.get(`/Users/${ids.alice}?attributes=emails.value`).expect(200);
    expect(emails.body.emails).toEqual([{ value: 'alice@filters.example' }, { value: 'alice.home@filters.example' }]);
  });

  it('POST /Users/.search and the root /.search (Users and Groups)', async () => {
    await org.client.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Search Group' }).expect(201);
    const users = await org.client.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title pr', attributes: ['userName'], startIndex: 1, count: 2, sortBy: 'userName',
    }).expect(200);
    expect(users.body).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
    expect(users.body.Resources[0]).toEqual({ schemas: expect.any(Array), id: ids.alice, userName: 'alice@filters.example' });
    const root = await org.client.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'displayName sw "Search" or userName eq "bob@filters.example"' }).expect(200);
    expect(root.body.totalResults).toBe(2);
    expect(root.body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType).sort()).toEqual(['Group', 'User']);
    const groupsOnly = await org.client.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'members pr or displayName eq "Search Group"' }).expect(200);
    expect(groupsOnly.body.totalResults).toBe(1);
    await org.client.post('/Users/.search', { schemas: ['wrong'] }).expect(400);
  });
});
