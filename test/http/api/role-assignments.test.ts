/**
 * Twilio-compatible RoleAssignments and the role catalogue over HTTP (issue 10, R1-R5): the content
 * + meta envelope with keyset paging past the service's old 1,000-member stop, Twilio's error body,
 * roles (O3: read-only clients cannot write, a Standard User lists only their own), O2 (the Owner is
 * never assigned), R4 (no subaccount), U6 (another organization is 404), Idempotency-Key.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';

const DEVELOPER = BUILT_IN_ROLE_SIDS.account.Developer;
const SUPPORT = BUILT_IN_ROLE_SIDS.account.Support;
const ORG_ADMIN = BUILT_IN_ROLE_SIDS.organization.Administrator;
const ORG_STANDARD = BUILT_IN_ROLE_SIDS.organization['Standard User'];
const CSRF = 'c'.repeat(43);

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let adminToken: string;
let readOnlyToken: string;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@ra.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@rb.example' });
  adminToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  readOnlyToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
});
afterAll(() => ctx.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const path = (orgSid: string) => `/Organizations/${orgSid}/RoleAssignments`;

async function sessionCookie(userSid: string): Promise<string> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  return `orgward_session=${session.token}; orgward_csrf=${CSRF}`;
}

describe('POST and DELETE /Organizations/{sid}/RoleAssignments', () => {
  it('R-R1: an admin client assigns an account role (201, PublicApiRoleAssignmentResponse) and deletes it (204)', async () => {
    const user = await addMember(ctx, a.org.sid, 'dev@ra.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Dev' });
    const created = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken))
      .send({ role_sid: DEVELOPER, scope: account.sid, identity: user.sid }).expect(201);
    expect(created.body).toEqual({ sid: expect.stringMatching(/^IY[0-9a-f]{32}$/), role_sid: DEVELOPER, scope: account.sid, identity: user.sid });
    const listed = await request(ctx.app).get(`${path(a.org.sid)}?Identity=${user.sid}`).set(bearer(adminToken)).expect(200);
    expect(listed.body.content).toContainEqual(created.body);
    await request(ctx.app).delete(`${path(a.org.sid)}/${created.body.sid}`).set(bearer(adminToken)).expect(204);
    const after = await request(ctx.app).get(`${path(a.org.sid)}?Scope=${account.sid}`).set(bearer(adminToken)).expect(200);
    expect(after.body.content).toEqual([]);
    const again = await request(ctx.app).delete(`${path(a.org.sid)}/${created.body.sid}`).set(bearer(adminToken)).expect(404);
    expect(again.body).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('R-O3: assigning Administrator at the organization scope changes the member\'s role', async () => {
    const user = await addMember(ctx, a.org.sid, 'promoted@ra.example');
    const res = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken))
      .send({ role_sid: ORG_ADMIN, scope: a.org.sid, identity: user.sid }).expect(201);
    expect(res.body).toMatchObject({ role_sid: ORG_ADMIN, scope: a.org.sid, identity: user.sid });
    expect((await ctx.store.read.users.get(user.sid))?.role).toBe('admin');
  });

  it('R-O2: the Owner is never assigned: owner_required in Twilio\'s error body', async () => {
    const res = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken))
      .send({ role_sid: ORG_STANDARD, scope: a.org.sid, identity: a.owner.sid }).expect(409);
    expect(res.body).toMatchObject({ code: 'owner_required', status: 409, message: expect.any(String), more_info: expect.stringContaining('/docs') });
  });

  it('R-R4: a subaccount is not grantable (subaccount_not_grantable)', async () => {
    const user = await addMember(ctx, a.org.sid, 'sub@ra.example');
    const parent = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Parent' });
    const sub = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Child', parentSid: parent.sid });
    const res = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken))
      .send({ role_sid: DEVELOPER, scope: sub.sid, identity: user.sid });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'subaccount_not_grantable', status: 400 });
  });

  it('validates the body: unknown fields, malformed SIDs, an organization role at an account (400)', async () => {
    const user = await addMember(ctx, a.org.sid, 'val@ra.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Val' });
    const unknown = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken))
      .send({ role_sid: DEVELOPER, scope: account.sid, identity: user.sid, resource_type: 'x' }).expect(400);
    expect(unknown.body).toMatchObject({ code: 'invalid_input', status: 400 });
    await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ role_sid: 'IXnope', scope: account.sid, identity: user.sid }).expect(400);
    await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ scope: account.sid, identity: user.sid }).expect(400);
    await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ role_sid: DEVELOPER, roleSid: DEVELOPER, scope: account.sid, identity: user.sid }).expect(400);
    const misfit = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ role_sid: ORG_ADMIN, scope: account.sid, identity: user.sid }).expect(400);
    expect(misfit.body.message).toMatch(/organization role/);
    const noRole = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ role_sid: `IX${'0'.repeat(32)}`, scope: account.sid, identity: user.sid }).expect(404);
    expect(noRole.body.code).toBe('not_found');
    await request(ctx.app).delete(`${path(a.org.sid)}/IYnot-a-sid`).set(bearer(adminToken)).expect(400);
  });

  it('Idempotency-Key: the same key and body return the first result without a second change; a second plain POST is role_assignment_exists', async () => {
    const user = await addMember(ctx, a.org.sid, 'idem@ra.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Idem' });
    const body = { role_sid: SUPPORT, scope: account.sid, identity: user.sid };
    const first = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).set('Idempotency-Key', 'ra-1').send(body).expect(201);
    const replay = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).set('Idempotency-Key', 'ra-1').send(body).expect(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const listed = await request(ctx.app).get(`${path(a.org.sid)}?Scope=${account.sid}`).set(bearer(adminToken)).expect(200);
    expect(listed.body.content).toHaveLength(1);
    const dup = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send(body).expect(409);
    expect(dup.body.code).toBe('role_assignment_exists');
    // A repeated DELETE under one key answers the first 204, not a 404.
    await request(ctx.app).delete(`${path(a.org.sid)}/${first.body.sid}`).set(bearer(adminToken)).set('Idempotency-Key', 'ra-del').expect(204);
    const replayed = await request(ctx.app).delete(`${path(a.org.sid)}/${first.body.sid}`).set(bearer(adminToken)).set('Idempotency-Key', 'ra-del').expect(204);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
  });
});

describe('GET /Organizations/{sid}/RoleAssignments', () => {
  it('answers 400 in Twilio\'s error shape when neither Identity nor Scope is given, and refuses unknown parameters', async () => {
    const res = await request(ctx.app).get(path(a.org.sid)).set(bearer(adminToken)).expect(400);
    expect(res.body).toMatchObject({ code: 'invalid_input', status: 400, message: expect.stringMatching(/Identity, Scope/), more_info: expect.any(String) });
    const unknown = await request(ctx.app).get(`${path(a.org.sid)}?Scope=${a.org.sid}&ResourceType=x`).set(bearer(adminToken)).expect(400);
    expect(unknown.body.message).toMatch(/ResourceType/);
    await request(ctx.app).get(`${path(a.org.sid)}?Scope=${a.org.sid}&PageSize=101`).set(bearer(adminToken)).expect(400);
    await request(ctx.app).get(`${path(a.org.sid)}?Scope=${a.org.sid}&PageToken=garbage`).set(bearer(adminToken)).expect(400);
  });

  it('pages the organization scope by keyset past 1,000 members, each member once, the Owner never', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@big.example' });
    // 1,050 Standard Users, written straight to the store in one transaction (faster than 1,050 fixtures).
    await ctx.store.transaction(async (repos) => {
      const rows = Array.from({ length: 1050 }, (_, i) => ({ sid: `US${randomBytes(16).toString('hex')}`, email: `m${i}@big.example` }));
      for (const r of rows) await repos.users.insert({ sid: r.sid, email: r.email });
      for (const r of rows) await repos.users.join(r.sid, org.org.sid, 'standard');
    });
    const token = await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'read-only'));
    const seen: string[] = [];
    let next: string | null = `${path(org.org.sid)}?Scope=${org.org.sid}&PageSize=100`;
    let pages = 0;
    const byPage: string[][] = [];
    let previous: string | null = null;
    while (next !== null) {
      const url: URL = new URL(next, 'http://x');
      const res = await request(ctx.app).get(url.pathname + url.search).set(bearer(token)).expect(200);
      expect(res.body.meta).toMatchObject({ key: 'content', page: pages, page_size: 100 });
      expect(res.body.meta.previous_page_url === null).toBe(pages === 0);
      previous = res.body.meta.previous_page_url;
      byPage.push(res.body.content.map((x: { identity: string; role_sid: string }) => { expect(x.role_sid).toBe(ORG_STANDARD); return x.identity; }));
      seen.push(...byPage[byPage.length - 1]!);
      next = res.body.meta.next_page_url;
      pages += 1;
    }
    // Twilio's previous_page_url walks back over the same pages, page by page, to the first.
    for (let back = pages - 2; back >= 0; back--) {
      const url: URL = new URL(previous!, 'http://x');
      const res = await request(ctx.app).get(url.pathname + url.search).set(bearer(token)).expect(200);
      expect(res.body.meta.page).toBe(back);
      expect(res.body.content.map((x: { identity: string }) => x.identity)).toEqual(byPage[back]);
      expect(new URL(res.body.meta.next_page_url, 'http://x').searchParams.get('PageToken')).not.toBeNull();
      previous = res.body.meta.previous_page_url;
    }
    expect(previous).toBeNull();
    expect(seen).toHaveLength(1050);
    expect(new Set(seen).size).toBe(1050);
    expect(seen).not.toContain(org.owner.sid);
    expect(pages).toBe(11);
    // The unpaged service listing (CLI) no longer stops at 1,000 either.
    expect(await ctx.services.roleAssignments.list(org.ownerActor, org.org.sid, { scope: org.org.sid })).toHaveLength(1050);
  });

  it('pages across organization and account roles for one identity', async () => {
    const user = await addMember(ctx, a.org.sid, 'mixed@ra.example');
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: `Mixed ${i}` });
      made.push((await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: DEVELOPER, scope: account.sid, identity: user.sid })).sid);
    }
    const sids: string[] = [];
    let next: string | null = `${path(a.org.sid)}?Identity=${user.sid}&PageSize=1`;
    let previous: string | null = null;
    while (next !== null) {
      const url: URL = new URL(next, 'http://x');
      const res = await request(ctx.app).get(url.pathname + url.search).set(bearer(adminToken)).expect(200);
      expect(res.body.content.length).toBeLessThanOrEqual(1);
      sids.push(...res.body.content.map((x: { sid: string }) => x.sid));
      if (res.body.meta.previous_page_url !== null) previous = res.body.meta.previous_page_url;
      next = res.body.meta.next_page_url;
    }
    expect(sids).toHaveLength(4);
    expect(sids.slice(1).sort()).toEqual(made.sort());
    // Back from the last page across the account roles into the organization role.
    const back: string[] = [];
    while (previous !== null) {
      const url: URL = new URL(previous, 'http://x');
      const res = await request(ctx.app).get(url.pathname + url.search).set(bearer(adminToken)).expect(200);
      back.unshift(...res.body.content.map((x: { sid: string }) => x.sid));
      previous = res.body.meta.previous_page_url;
    }
    expect(back).toEqual(sids.slice(0, 3));
  });
});

describe('roles (O3, U6)', () => {
  it('R-O3: a read-only client lists but cannot create or delete (403)', async () => {
    const user = await addMember(ctx, a.org.sid, 'ro@ra.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'RO' });
    await request(ctx.app).get(`${path(a.org.sid)}?Scope=${a.org.sid}`).set(bearer(readOnlyToken)).expect(200);
    const res = await request(ctx.app).post(path(a.org.sid)).set(bearer(readOnlyToken)).send({ role_sid: DEVELOPER, scope: account.sid, identity: user.sid }).expect(403);
    expect(res.body).toMatchObject({ code: 'forbidden', status: 403 });
    const made = await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: DEVELOPER, scope: account.sid, identity: user.sid });
    await request(ctx.app).delete(`${path(a.org.sid)}/${made.sid}`).set(bearer(readOnlyToken)).expect(403);
  });

  it('R-O3: a Standard User session lists only their own assignments and cannot assign', async () => {
    const std = await addMember(ctx, a.org.sid, 'std@ra.example');
    const other = await addMember(ctx, a.org.sid, 'other@ra.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Std' });
    await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: DEVELOPER, scope: account.sid, identity: std.sid });
    const cookie = await sessionCookie(std.sid);
    const own = await request(ctx.app).get(`${path(a.org.sid)}?Identity=${std.sid}`).set('Cookie', cookie).expect(200);
    expect(own.body.content.map((x: { role_sid: string }) => x.role_sid).sort()).toEqual([DEVELOPER, ORG_STANDARD].sort());
    await request(ctx.app).get(`${path(a.org.sid)}?Identity=${other.sid}`).set('Cookie', cookie).expect(403);
    await request(ctx.app).get(`${path(a.org.sid)}?Scope=${account.sid}`).set('Cookie', cookie).expect(403);
    await request(ctx.app).post(path(a.org.sid)).set('Cookie', cookie).set('X-CSRF-Token', CSRF)
      .send({ role_sid: DEVELOPER, scope: account.sid, identity: other.sid }).expect(403);
  });

  it('R-O3: the Owner and an Administrator signed in to the console assign and remove (CSRF-protected)', async () => {
    const admin = await addMember(ctx, a.org.sid, 'adm@ra.example', 'admin');
    const user = await addMember(ctx, a.org.sid, 'target@ra.example');
    const account = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Console' });
    for (const [who, role] of [[a.owner.sid, DEVELOPER], [admin.sid, SUPPORT]] as const) {
      const cookie = await sessionCookie(who);
      await request(ctx.app).post(path(a.org.sid)).set('Cookie', cookie).send({ role_sid: role, scope: account.sid, identity: user.sid }).expect(403);
      const made = await request(ctx.app).post(path(a.org.sid)).set('Cookie', cookie).set('X-CSRF-Token', CSRF)
        .send({ role_sid: role, scope: account.sid, identity: user.sid }).expect(201);
      await request(ctx.app).delete(`${path(a.org.sid)}/${made.body.sid}`).set('Cookie', cookie).set('X-CSRF-Token', CSRF).expect(204);
    }
  });

  it('an operator client reads and assigns in any organization', async () => {
    const operator = await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops ra' });
    const token = await tokenFor(ctx, operator);
    const user = await addMember(ctx, b.org.sid, 'op@rb.example');
    const account = await addAccount(ctx, { orgSid: b.org.sid, ownerSid: b.owner.sid, name: 'Op' });
    await request(ctx.app).post(path(b.org.sid)).set(bearer(token)).send({ role_sid: DEVELOPER, scope: account.sid, identity: user.sid }).expect(201);
    const listed = await request(ctx.app).get(`${path(b.org.sid)}?Scope=${account.sid}`).set(bearer(token)).expect(200);
    expect(listed.body.content).toHaveLength(1);
  });

  it('R-U6: a client of A gets 404 for B by path, by filter and by body reference, never naming B', async () => {
    const bUser = await addMember(ctx, b.org.sid, 'iso@rb.example');
    const bAccount = await addAccount(ctx, { orgSid: b.org.sid, ownerSid: b.owner.sid, name: 'B secret' });
    const bAssignment = await ctx.services.roleAssignments.create(b.ownerActor, b.org.sid, { roleSid: DEVELOPER, scope: bAccount.sid, identity: bUser.sid });
    const aUser = await addMember(ctx, a.org.sid, 'iso@ra.example');
    const aAccount = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'A iso' });

    await request(ctx.app).get(`${path(b.org.sid)}?Scope=${b.org.sid}`).set(bearer(adminToken)).expect(404);
    await request(ctx.app).post(path(b.org.sid)).set(bearer(adminToken)).send({ role_sid: DEVELOPER, scope: bAccount.sid, identity: bUser.sid }).expect(404);
    await request(ctx.app).delete(`${path(b.org.sid)}/${bAssignment.sid}`).set(bearer(adminToken)).expect(404);
    await request(ctx.app).delete(`${path(a.org.sid)}/${bAssignment.sid}`).set(bearer(adminToken)).expect(404);

    const byScope = await request(ctx.app).get(`${path(a.org.sid)}?Scope=${b.org.sid}`).set(bearer(adminToken)).expect(404);
    expect(JSON.stringify(byScope.body)).not.toContain(b.owner.sid);
    const byAccount = await request(ctx.app).get(`${path(a.org.sid)}?Scope=${bAccount.sid}`).set(bearer(adminToken)).expect(200);
    expect(byAccount.body.content).toEqual([]);
    const byIdentity = await request(ctx.app).get(`${path(a.org.sid)}?Identity=${bUser.sid}`).set(bearer(adminToken)).expect(200);
    expect(byIdentity.body.content).toEqual([]);

    const foreignAccount = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ role_sid: DEVELOPER, scope: bAccount.sid, identity: aUser.sid }).expect(404);
    expect(JSON.stringify(foreignAccount.body)).not.toContain(b.org.sid);
    const foreignUser = await request(ctx.app).post(path(a.org.sid)).set(bearer(adminToken)).send({ role_sid: DEVELOPER, scope: aAccount.sid, identity: bUser.sid }).expect(404);
    expect(JSON.stringify(foreignUser.body)).not.toContain(b.org.sid);
    expect(await ctx.services.roleAssignments.list(b.ownerActor, b.org.sid, { scope: bAccount.sid })).toHaveLength(1);
  });
});

describe('GET /Organizations/{sid}/Roles', () => {
  it('R-R1: lists the catalogue with permissions, to any member; 404 for another organization', async () => {
    const custom = await ctx.services.roles.create({ kind: 'operator' }, { name: 'Sender', permissions: ['messages:send'] });
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/Roles?PageSize=100`).set(bearer(readOnlyToken)).expect(200);
    const bySid = new Map(res.body.content.map((r: { sid: string }) => [r.sid, r]));
    expect(bySid.get(DEVELOPER)).toMatchObject({ name: 'Developer', type: 'built_in', scope_type: 'account', permissions: expect.any(Array) });
    expect(bySid.get(ORG_ADMIN)).toMatchObject({ name: 'Administrator', type: 'built_in', scope_type: 'organization' });
    expect(bySid.get(custom.sid)).toMatchObject({ name: 'Sender', type: 'custom', scope_type: 'account', permissions: ['messages:send'] });
    const std = await addMember(ctx, a.org.sid, 'cat@ra.example');
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Roles`).set('Cookie', await sessionCookie(std.sid)).expect(200);
    const foreign = await request(ctx.app).get(`/Organizations/${b.org.sid}/Roles`).set(bearer(adminToken)).expect(404);
    expect(foreign.body.error.code).toBe('not_found');
  });
});
