import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, createOrgWithOwner, addVerifiedDomain } from '../../support/fixtures.js';
import { insertSession, isLive } from '../../services/sessions-fixture.js';
import { createScimOrg, ENTERPRISE_URN, ERROR_URN, patchBody, userBody, USER_URN, type ScimOrg } from '../../support/scim-fixtures.js';

let ctx: TestContext;
let org: ScimOrg;
beforeAll(async () => { ctx = await createTestContext(); org = await createScimOrg(ctx); });
afterAll(async () => { await ctx.close(); });

const expectScimError = (body: { schemas: string[]; status: string }, status: number) => {
  expect(body.schemas).toEqual([ERROR_URN]);
  expect(body.status).toBe(String(status));
};

describe('SCIM Users: creation (C2)', () => {
  it('R-C2: creates a managed Standard User: 201, Location, ETag, meta, and no password echoed', async () => {
    const res = await org.client.post('/Users', userBody(`ana@${org.domain}`, { externalId: 'okta-1', password: 'Placeholder1!', groups: [] })).expect(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.headers.location).toBe(`http://orgward.test/scim/v2/Users/${res.body.id}`);
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(res.body).toMatchObject({ schemas: [USER_URN], userName: `ana@${org.domain}`, externalId: 'okta-1', active: true, meta: { resourceType: 'User' } });
    expect(JSON.stringify(res.body)).not.toContain('Placeholder1!');
    const member = await ctx.store.read.users.get(res.body.id);
    expect(member).toMatchObject({ orgSid: org.org.sid, role: 'standard', email: `ana@${org.domain}`, givenName: 'Test', familyName: 'User' });
  });

  it('U1: the identity is userName when it is an email, else the primary, else the work email', async () => {
    const a = await org.client.post('/Users', userBody('jdoe-1', { emails: [{ value: `home1@${org.domain}`, type: 'home' }, { value: `JDoe1@${org.domain}`, type: 'work', primary: true }] })).expect(201);
    expect((await ctx.store.read.users.get(a.body.id))!.email).toBe(`jdoe1@${org.domain}`);
    const b = await org.client.post('/Users', userBody('jdoe-2', { emails: [{ value: `home2@${org.domain}`, type: 'home' }, { value: `work2@${org.domain}`, type: 'work' }] })).expect(201);
    expect((await ctx.store.read.users.get(b.body.id))!.email).toBe(`work2@${org.domain}`);
    const c = await org.client.post('/Users', userBody('jdoe-3')).expect(400);
    expect(c.body).toMatchObject({ scimType: 'invalidValue' });
  });

  it('types outside the canonical values are accepted; wrong types are 400 invalidValue', async () => {
    const res = await org.client.post('/Users', userBody(`types@${org.domain}`, { emails: [{ value: `types@${org.domain}`, type: 'School' }], phoneNumbers: [{ value: '+1', type: 'satellite' }] })).expect(201);
    expect(res.body.emails).toEqual([{ value: `types@${org.domain}`, type: 'School' }]);
    for (const bad of [{ active: 'maybe' }, { emails: { value: 'x' } }, { displayName: ['a'] }, { name: 'Full Name' }, { userName: '' }]) {
      const rejected = await org.client.post('/Users', userBody(`bad@${org.domain}`, bad)).expect(400);
      expect(rejected.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    }
  });

  it('R-D7: an email on a domain the organization has not verified is 400 invalidValue naming the domain', async () => {
    const res = await org.client.post('/Users', userBody('someone@elsewhere.example')).expect(400);
    expectScimError(res.body, 400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(res.body.detail).toContain('elsewhere.example');
  });

  it('R-D6: a Blocked domain is 403', async () => {
    const blocked = await createScimOrg(ctx, { policy: 'blocked' });
    const res = await blocked.client.post('/Users', userBody(`x@${blocked.domain}`)).expect(403);
    expectScimError(res.body, 403);
  });

  it('R-U1: a person already in another organization is 409 uniqueness', async () => {
    const other = await createOrgWithOwner(ctx, { ownerEmail: `owner@other-${org.domain}` });
    await addMember(ctx, other.org.sid, `taken@${org.domain}`);
    const res = await org.client.post('/Users', userBody(`taken@${org.domain}`)).expect(409);
    expect(res.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('409 uniqueness for a duplicate userName, compared case-insensitively', async () => {
    await org.client.post('/Users', userBody(`dup@${org.domain}`)).expect(201);
    const res = await org.client.post('/Users', userBody(`DUP@${org.domain.toUpperCase()}`)).expect(409);
    expect(res.body.scimType).toBe('uniqueness');
    await org.client.post('/Users', userBody('non-email-name', { emails: [{ value: `n1@${org.domain}`, primary: true }] })).expect(201);
    const again = await org.client.post('/Users', userBody('NON-EMAIL-NAME', { emails: [{ value: `n2@${org.domain}`, primary: true }] })).expect(409);
    expect(again.body.scimType).toBe('uniqueness');
  });

  it('C2: a member the IdP had not provisioned is adopted (201, same user, IdP profile), once', async () => {
    const existing = await addMember(ctx, org.org.sid, `pre@${org.domain}`);
    const res = await org.client.post('/Users', userBody(`pre@${org.domain}`, { displayName: 'Pre Existing', externalId: 'e-pre' })).expect(201);
    expect(res.body.id).toBe(existing.sid);
    expect((await ctx.store.read.users.get(existing.sid))!.displayName).toBe('Pre Existing');
    await org.client.post('/Users', userBody(`pre@${org.domain}`)).expect(409);
  });

  it('accepts application/json and stores Entra bodies with meta, roles: [], nulls and the enterprise extension', async () => {
    const res = await org.client.post('/Users', undefined).set('Content-Type', 'application/json').send(JSON.stringify({
      schemas: [USER_URN, ENTERPRISE_URN, 'urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', userName: `entra@${org.domain}`, active: true,
      meta: { resourceType: 'User' }, roles: [], title: null, nickName: null,
      name: { formatted: 'Given Family', familyName: 'Family', givenName: 'Given', middleName: null },
      emails: [{ primary: true, type: 'work', value: `entra@${org.domain}` }],
      addresses: [{ type: 'work', formatted: null, primary: true, country: 'US' }],
      [ENTERPRISE_URN]: { employeeNumber: '42', department: 'Eng', manager: { value: org.owner.sid } },
    })).expect(201);
    expect(res.body.schemas).toEqual([USER_URN, ENTERPRISE_URN]);
    expect(res.body[ENTERPRISE_URN]).toEqual({ employeeNumber: '42', department: 'Eng', manager: { value: org.owner.sid } });
    expect(res.body.name).toEqual({ formatted: 'Given Family', givenName: 'Given', familyName: 'Family' });
    expect(res.body.title).toBeUndefined();
    const got = await org.client.get(`/Users/${res.body.id}`).expect(200);
    expect(got.body.addresses).toEqual([{ type: 'work', primary: true, country: 'US' }]);
  });
});

describe('SCIM Users: reading', () => {
  it('404 for unknown and malformed ids (never 400 or 500)', async () => {
    for (const id of ['US00000000000000000000000000000000', 'nope', '%E0%A4%A', "'; drop table users;--", 'a'.repeat(5000)]) {
      const res = await org.client.get(`/Users/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expectScimError(res.body, 404);
    }
  });

  it('returns the Owner and members the IdP never provisioned (userName = email)', async () => {
    const res = await org.client.get(`/Users/${org.owner.sid}`).expect(200);
    expect(res.body).toMatchObject({ id: org.owner.sid, userName: `owner@${org.domain}`, emails: [{ value: `owner@${org.domain}`, type: 'work', primary: true }] });
  });
});

describe('SCIM Users: updates', () => {
  let id: string;
  beforeAll(async () => {
    id = (await org.client.post('/Users', userBody(`upd@${org.domain}`, { displayName: 'Upd' })).expect(201)).body.id;
  });

  it('PUT replaces the profile; PATCH keeps the rest', async () => {
    await org.client.put(`/Users/${id}`, userBody(`upd@${org.domain}`, { displayName: 'Updated', title: 'Engineer', name: { givenName: 'Up', familyName: 'Dated' } })).expect(200);
    const res = await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'name.familyName', value: 'Patched' })).expect(200);
    expect(res.body).toMatchObject({ displayName: 'Updated', title: 'Engineer', name: { givenName: 'Up', familyName: 'Patched' } });
    expect((await ctx.store.read.users.get(id))!.familyName).toBe('Patched');
  });

  it('Entra: capitalised ops, string booleans, dotted and URN keys in a path-less value', async () => {
    const res = await org.client.patch(`/Users/${id}`, patchBody(
      { op: 'Replace', value: { 'name.givenName': 'Dotted', [`${ENTERPRISE_URN}:department`]: 'Sales', displayName: 'Dotted Name' } },
      { op: 'Add', path: 'title', value: 'Lead' },
    )).expect(200);
    expect(res.body).toMatchObject({ name: { givenName: 'Dotted' }, displayName: 'Dotted Name', title: 'Lead', [ENTERPRISE_URN]: { department: 'Sales' } });
    const off = await org.client.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: 'active', value: 'False' })).expect(200);
    expect(off.body.active).toBe(false);
    const on = await org.client.patch(`/Users/${id}`, patchBody({ op: 'Replace', value: { active: 'True' } })).expect(200);
    expect(on.body.active).toBe(true);
  });

  it('Entra: the manager as a bare id, removed with Replace ""', async () => {
    const set = await org.client.patch(`/Users/${id}`, patchBody({ op: "Add", path: `${ENTERPRISE_URN}:manager`, value: org.owner.sid })).expect(200);
    expect(set.body[ENTERPRISE_URN].manager).toEqual({ value: org.owner.sid });
    const cleared = await org.client.patch(`/Users/${id}`, patchBody({ op: 'Replace', path: `${ENTERPRISE_URN}:manager`, value: '' })).expect(200);
    expect(cleared.body[ENTERPRISE_URN]?.manager).toBeUndefined();
  });

  it('Entra: Add/Replace on emails[type eq "work"].value and addresses[type eq "work"].formatted create the element', async () => {
    const fresh = (await org.client.post('/Users', userBody(`el@${org.domain}`, { emails: [{ value: `el@${org.domain}`, type: 'home' }] })).expect(201)).body.id;
    const res = await org.client.patch(`/Users/${fresh}`, patchBody(
      { op: 'Add', path: 'emails[type eq "work"].value', value: `el.work@${org.domain}` },
      { op: 'Replace', path: 'addresses[type eq "work"].formatted', value: '1 Main St' },
    )).expect(200);
    expect(res.body.emails).toEqual([{ value: `el@${org.domain}`, type: 'home' }, { type: 'work', value: `el.work@${org.domain}` }]);
    expect(res.body.addresses).toEqual([{ type: 'work', formatted: '1 Main St' }]);
    const again = await org.client.patch(`/Users/${fresh}`, patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: `el.work2@${org.domain}` })).expect(200);
    expect(again.body.emails).toHaveLength(2);
    expect(again.body.emails[1].value).toBe(`el.work2@${org.domain}`);
  });

  it('read-only attributes are 400 mutability; bad paths 400 invalidPath', async () => {
    expect((await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'groups', value: [] })).expect(400)).body.scimType).toBe('mutability');
    expect((await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'id', value: 'US1' })).expect(400)).body.scimType).toBe('mutability');
    expect((await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'nosuch', value: 'x' })).expect(400)).body.scimType).toBe('invalidPath');
    expect((await org.client.patch(`/Users/${id}`, patchBody({ op: 'remove' })).expect(400)).body.scimType).toBe('noTarget');
  });

  it('changing userName to an unverified domain address is 400; to another person is 409', async () => {
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'userName', value: 'x@unverified.example' })).expect(400);
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'userName', value: `owner@${org.domain}` })).expect(409);
  });

  it('ETags: If-Match with the current version applies, a stale one is 412', async () => {
    const current = await org.client.get(`/Users/${id}`).expect(200);
    const etag = current.headers.etag as string;
    const ok = await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Etag 1' })).set('If-Match', etag).expect(200);
    expect(ok.headers.etag).not.toBe(etag);
    const stale = await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Etag 2' })).set('If-Match', etag).expect(412);
    expectScimError(stale.body, 412);
    await org.client.put(`/Users/${id}`, userBody(`upd@${org.domain}`)).set('If-Match', etag).expect(412);
    await org.client.delete(`/Users/${id}`).set('If-Match', etag).expect(412);
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Any' })).set('If-Match', '*').expect(200);
  });
});

describe('SCIM Users: deprovisioning (C3, C4)', () => {
  it('R-C3: active false suspends and ends sessions at once; the user stays findable; active true restores', async () => {
    const id = (await org.client.post('/Users', userBody(`leaver@${org.domain}`)).expect(201)).body.id;
    const session = await insertSession(ctx, id);
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', value: { active: false } })).expect(200);
    expect(await isLive(ctx, session)).toBe(false);
    expect((await ctx.store.read.users.get(id))!.status).toBe('suspended');
    const found = await org.client.get(`/Users?filter=${encodeURIComponent(`userName eq "leaver@${org.domain}"`)}`).expect(200);
    expect(found.body.Resources).toEqual([expect.objectContaining({ id, active: false })]);
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', value: { active: true } })).expect(200);
    expect((await ctx.store.read.users.get(id))!.status).toBe('active');
  });

  it('R-C3: a user created inactive is suspended from the start', async () => {
    const res = await org.client.post('/Users', userBody(`inactive@${org.domain}`, { active: false })).expect(201);
    expect(res.body.active).toBe(false);
    expect((await ctx.store.read.users.get(res.body.id))!.status).toBe('suspended');
  });

  it('R-C4: DELETE removes the member: grants and sessions end, owned accounts pass to the Owner (audited), then GET is 404', async () => {
    const id = (await org.client.post('/Users', userBody(`gone@${org.domain}`)).expect(201)).body.id;
    const account = await addAccount(ctx, { ownerSid: id, orgSid: org.org.sid });
    const session = await insertSession(ctx, id);
    await org.client.delete(`/Users/${id}`).expect(204);
    await org.client.get(`/Users/${id}`).expect(404);
    expect(await isLive(ctx, session)).toBe(false);
    expect((await ctx.store.read.accounts.get(account.sid))!.ownerSid).toBe(org.owner.sid);
    expect((await ctx.store.read.users.get(id))!.orgSid).toBeNull();
    const log = await ctx.store.read.audit.list(org.org.sid, { limit: 1000 });
    expect(log).toContainEqual(expect.objectContaining({ action: 'account.owner_changed', target: account.sid, actor: `scim:${org.tokenId}` }));
    expect(log).toContainEqual(expect.objectContaining({ action: 'user.removed', target: id, actor: `scim:${org.tokenId}` }));
  });

  it('R-C4: the Owner cannot be suspended or deleted through SCIM (403), other changes to the Owner work', async () => {
    const off = await org.client.patch(`/Users/${org.owner.sid}`, patchBody({ op: 'replace', value: { active: false } })).expect(403);
    expectScimError(off.body, 403);
    await org.client.delete(`/Users/${org.owner.sid}`).expect(403);
    expect((await ctx.store.read.users.get(org.owner.sid))).toMatchObject({ status: 'active', role: 'owner', orgSid: org.org.sid });
    await org.client.patch(`/Users/${org.owner.sid}`, patchBody({ op: 'replace', path: 'displayName', value: 'The Owner' })).expect(200);
  });

  it('L1: every SCIM write is in the audit log with the token that made it', async () => {
    const id = (await org.client.post('/Users', userBody(`audited@${org.domain}`)).expect(201)).body.id;
    await org.client.patch(`/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Audited' })).expect(200);
    const log = (await ctx.store.read.audit.list(org.org.sid, { limit: 1000 })).filter((e) => e.target === id);
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(['user.joined', 'scim.user_provisioned', 'scim.user_updated']));
    expect(new Set(log.map((e) => e.actor))).toEqual(new Set([`scim:${org.tokenId}`]));
  });
});

describe('SCIM Users: a second verified domain', () => {
  it('creates people on any domain the organization verified', async () => {
    await addVerifiedDomain(ctx, org.org.sid, `second-${org.domain}`);
    await org.client.post('/Users', userBody(`x@second-${org.domain}`)).expect(201);
  });
});
