/**
 * The authorization check API (issue 13, R1-R5): one check, the batch form, the list form, the
 * reason naming the rule and the granting assignment (direct, SCIM group, organization role),
 * who may call it (operator, the organization's API clients; another organization is 404), and no
 * stale allow after a revoke across two app instances on one database.
 */
import request from 'supertest';
import { BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../../support/fixtures.js';
import type { Member } from '../../../src/types.js';
import { apiClient, tokenFor } from './support.js';

const SUPPORT = BUILT_IN_ROLE_SIDS.account.Support;
const BILLING = BUILT_IN_ROLE_SIDS.account['Billing Manager'];
const ADMINISTRATOR = BUILT_IN_ROLE_SIDS.account.Administrator;

let ctx: TestContext;
let second: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let operator: string;
let adminClient: string;
let readOnlyClient: string;
let otherOrgClient: string;
let dev: Member;
let accountSid: string;
let otherAccountSid: string;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  ctx = await createTestContext();
  // A second app instance over the same database (no shared memory between them).
  second = await createTestContext({ testDb: ctx.testDb });
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@ac-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@ac-b.example' });
  operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient(OPERATOR, { name: 'product' }));
  adminClient = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  readOnlyClient = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
  otherOrgClient = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
  await ctx.services.roles.setPermissions(OPERATOR, SUPPORT, ['messages:send', 'messages:read']);
  await ctx.services.roles.setPermissions(OPERATOR, BILLING, ['billing:read']);
  dev = await addMember(ctx, a.org.sid, 'dev@ac-a.example');
  accountSid = (await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, name: 'Production' })).sid;
  otherAccountSid = (await addAccount(ctx, { orgSid: b.org.sid, ownerSid: b.owner.sid, name: 'Theirs' })).sid;
});
afterAll(async () => { await second.close(); await ctx.close(); });

const check = (app: TestContext['app'], token: string, body: object) => request(app).post('/v1/AccessChecks').set(bearer(token)).send(body);

describe('POST /v1/AccessChecks', () => {
  it('R-R3: a direct assignment allows its permissions and is named in the reason; others are refused', async () => {
    const assigned = await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: accountSid, identity: dev.sid });
    const res = await check(ctx.app, operator, { user: dev.sid, account: accountSid, permission: 'messages:send' }).expect(200);
    expect(res.body).toEqual({
      allowed: true,
      reason: { rule: 'R3', code: 'granted', message: expect.stringContaining('Support'), grant: { role: SUPPORT, roleName: 'Support', scope: accountSid, source: 'direct', assignment: assigned.sid } },
    });
    const refused = await check(ctx.app, operator, { user: dev.sid, account: accountSid, permission: 'billing:read' }).expect(200);
    expect(refused.body).toEqual({ allowed: false, reason: { rule: 'R3', code: 'no_role_holds_permission', message: expect.any(String) } });
  });

  it('R-R2: the Owner is allowed through the organization role on a managed account (no assignment)', async () => {
    const res = await check(ctx.app, adminClient, { user: a.owner.sid, account: accountSid, permission: 'anything:else' }).expect(200);
    expect(res.body.reason).toMatchObject({ rule: 'R2', grant: { role: ADMINISTRATOR, source: 'organization_role', assignment: null } });
  });

  it('R-R3, R-C5: an assignment from a SCIM group names source scim; R-R4 a subaccount is decided by its parent', async () => {
    const scimUser = await addMember(ctx, a.org.sid, 'scim@ac-a.example');
    await ctx.store.transaction((repos) => repos.accounts.grant(a.org.sid, scimUser.sid, accountSid, 'scim', BILLING));
    const sub = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, parentSid: accountSid, name: 'Sub' });
    const res = await check(ctx.app, readOnlyClient, { user: scimUser.sid, account: sub.sid, permission: 'billing:read' }).expect(200);
    expect(res.body).toMatchObject({ allowed: true, reason: { rule: 'R3', grant: { role: BILLING, scope: accountSid, source: 'scim' } } });
  });

  it('R-R5: a suspended user, a suspended account and another organization\'s account get nothing', async () => {
    const suspended = await addMember(ctx, a.org.sid, 'gone@ac-a.example');
    await ctx.store.transaction((repos) => repos.accounts.grant(a.org.sid, suspended.sid, accountSid, 'direct', SUPPORT));
    await ctx.store.transaction((repos) => repos.users.update(suspended.sid, { status: 'suspended' }));
    const s = await check(ctx.app, operator, { user: suspended.sid, account: accountSid, permission: 'messages:send' }).expect(200);
    expect(s.body).toMatchObject({ allowed: false, reason: { rule: 'R5', code: 'user_suspended' } });
    const closed = await addAccount(ctx, { orgSid: a.org.sid, ownerSid: a.owner.sid, status: 'suspended' });
    const c = await check(ctx.app, operator, { user: a.owner.sid, account: closed.sid, permission: 'messages:send' }).expect(200);
    expect(c.body).toMatchObject({ allowed: false, reason: { rule: 'R5', code: 'account_inactive' } });
    const o = await check(ctx.app, operator, { user: a.owner.sid, account: otherAccountSid, permission: 'messages:send' }).expect(200);
    expect(o.body).toMatchObject({ allowed: false, reason: { rule: 'R5', code: 'account_outside_organization' } });
  });

  it('R-U6: an organization\'s client asking about another organization\'s user or account gets 404', async () => {
    const user = await check(ctx.app, otherOrgClient, { user: dev.sid, account: otherAccountSid, permission: 'messages:send' }).expect(404);
    expect(user.body.error).toMatchObject({ code: 'not_found' });
    const account = await check(ctx.app, adminClient, { user: dev.sid, account: otherAccountSid, permission: 'messages:send' }).expect(404);
    expect(account.body.error.message).not.toContain('Theirs');
  });

  it('validates: unknown fields, malformed SIDs and permissions are 400; no credentials 401', async () => {
    await check(ctx.app, operator, { user: dev.sid, account: accountSid, permission: 'messages:send', extra: 1 }).expect(400);
    await check(ctx.app, operator, { user: 'nope', account: accountSid, permission: 'messages:send' }).expect(400);
    const bad = await check(ctx.app, operator, { user: dev.sid, account: accountSid, permission: 'DROP TABLE' }).expect(200);
    expect(bad.body).toMatchObject({ allowed: false, reason: { code: 'invalid_permission' } });
    await request(ctx.app).post('/v1/AccessChecks').send({ user: dev.sid, account: accountSid, permission: 'messages:send' }).expect(401);
  });
});

describe('batch and list forms', () => {
  it('R-R5: the batch answers each check in order, up to 1,000', async () => {
    const checks = Array.from({ length: 1000 }, (_, i) => ({ user: i % 2 === 0 ? dev.sid : a.owner.sid, account: accountSid, permission: i % 3 === 0 ? 'billing:read' : 'messages:send' }));
    const res = await request(ctx.app).post('/v1/AccessChecks/Batch').set(bearer(operator)).send({ checks }).expect(200);
    expect(res.body.results).toHaveLength(1000);
    res.body.results.forEach((r: { user: string; permission: string; allowed: boolean }, i: number) => {
      expect(r).toMatchObject(checks[i]!);
      // dev holds Support (messages:*), the Owner everything (R2).
      expect(r.allowed).toBe(r.user === a.owner.sid || r.permission === 'messages:send');
    });
    await request(ctx.app).post('/v1/AccessChecks/Batch').set(bearer(operator)).send({ checks: [...checks, checks[0]] }).expect(400);
  });

  it('R-R3: the list form names every account where the permission is held, with the grant', async () => {
    const res = await request(ctx.app).get(`/v1/AccessChecks/Accounts?user=${dev.sid}&permission=messages:send`).set(bearer(adminClient)).expect(200);
    expect(res.body.accounts.map((x: { account: string }) => x.account)).toContain(accountSid);
    for (const x of res.body.accounts) expect(x.reason.grant).toMatchObject({ role: SUPPORT, scope: accountSid });
    const none = await request(ctx.app).get(`/v1/AccessChecks/Accounts?user=${dev.sid}&permission=billing:read`).set(bearer(adminClient)).expect(200);
    expect(none.body.accounts).toEqual([]);
    await request(ctx.app).get(`/v1/AccessChecks/Accounts?user=${dev.sid}&permission=messages:send`).set(bearer(otherOrgClient)).expect(404);
  });
});

describe('two instances', () => {
  it('R-R5: no stale allow after a revoke on the other instance', async () => {
    const user = await addMember(ctx, a.org.sid, 'revoked@ac-a.example');
    const assigned = await ctx.services.roleAssignments.create(a.ownerActor, a.org.sid, { roleSid: SUPPORT, scope: accountSid, identity: user.sid });
    const body = { user: user.sid, account: accountSid, permission: 'messages:send' };
    expect((await check(second.app, operator, body).expect(200)).body.allowed).toBe(true);
    expect((await check(ctx.app, operator, body).expect(200)).body.allowed).toBe(true);
    await ctx.services.roleAssignments.delete(a.ownerActor, a.org.sid, assigned.sid);
    expect((await check(second.app, operator, body).expect(200)).body).toMatchObject({ allowed: false, reason: { code: 'no_role_holds_permission' } });
  });
});
