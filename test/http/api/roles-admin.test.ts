/**
 * The operator's role catalogue over the API (issue 10; R1): POST /v1/Roles defines a custom
 * account role, POST /v1/Roles/{RoleSid} sets a role's permissions, with the CLI's error codes;
 * every other caller is refused (403), and the catalogue is the instance's, so every organization
 * reads the same role at GET /Organizations/{sid}/Roles.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { ACCOUNT_ADMINISTRATOR_ROLE_SID, BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { CALLERS, roleCallers, type RoleCallers } from './role-callers.js';

let ctx: TestContext;
let r: RoleCallers;

beforeAll(async () => {
  ctx = await createTestContext();
  r = await roleCallers(ctx, 'roles-admin.example');
});
afterAll(() => ctx.close());

const operator = () => r.headers('operator');
const create = (body: object, headers = operator()) => request(ctx.app).post('/v1/Roles').set(headers).send(body);
const setPermissions = (sid: string, body: object, headers = operator()) => request(ctx.app).post(`/v1/Roles/${sid}`).set(headers).send(body);

/** The role as an organization's member reads it in the catalogue. */
async function listed(orgSid: string, headers: Record<string, string>, sid: string): Promise<unknown> {
  const res = await request(ctx.app).get(`/Organizations/${orgSid}/Roles?PageSize=100`).set(headers).expect(200);
  return (res.body.content as { sid: string }[]).find((role) => role.sid === sid);
}

describe('POST /v1/Roles (R1: the operator defines a custom account role)', () => {
  it('R1: 201 with the role as GET /Organizations/{sid}/Roles lists it, in every organization; permissions deduplicated and sorted', async () => {
    const res = await create({ name: '  Campaign Manager ', permissions: ['messages:send', 'campaigns:write', 'messages:send'] }).expect(201);
    expect(res.body).toMatchObject({ name: 'Campaign Manager', type: 'custom', scope_type: 'account', permissions: ['campaigns:write', 'messages:send'] });
    expect(res.body.sid).toMatch(/^IX[0-9a-f]{32}$/);
    expect(await listed(r.org.org.sid, r.headers('standard'), res.body.sid)).toEqual(res.body);
    expect(await listed(r.other.org.sid, r.headers('otherOrgClient'), res.body.sid)).toEqual(res.body);
  });

  it('R1: a name an account role already has, in any case, is 409 role_exists; nothing is added', async () => {
    await create({ name: 'Auditor', permissions: ['logs:read'] }).expect(201);
    const before = (await ctx.store.read.roles.list()).length;
    const res = await create({ name: 'auditor', permissions: [] }).expect(409);
    expect(res.body.error.code).toBe('role_exists');
    const builtIn = await create({ name: 'DEVELOPER', permissions: [] }).expect(409);
    expect(builtIn.body.error.code).toBe('role_exists');
    expect((await ctx.store.read.roles.list()).length).toBe(before);
  });

  it('R1: 400 invalid_input for a missing or empty name, a name over 64 characters, a malformed permission, a missing list or an unknown field', async () => {
    const before = (await ctx.store.read.roles.list()).length;
    for (const body of [
      { permissions: [] },
      { name: '   ', permissions: [] },
      { name: 'x'.repeat(65), permissions: [] },
      { name: 'Bad perms', permissions: ['Messages Send'] },
      { name: 'Bad perms', permissions: ['messages'] },
      { name: 'No list' },
      { name: 'Not a list', permissions: 'messages:send' },
      { name: 'Extra', permissions: [], scope_type: 'organization' },
    ]) {
      const res = await create(body).expect(400);
      expect({ body, code: res.body.error.code }).toEqual({ body, code: 'invalid_input' });
    }
    expect((await ctx.store.read.roles.list()).length).toBe(before);
  });

  it('an Idempotency-Key replays the first answer instead of defining the role twice', async () => {
    const key = 'role-create-1';
    const first = await create({ name: 'Replayed', permissions: ['calls:read'] }, { ...operator(), 'Idempotency-Key': key }).expect(201);
    const again = await create({ name: 'Replayed', permissions: ['calls:read'] }, { ...operator(), 'Idempotency-Key': key }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it.each(CALLERS.filter((c) => c !== 'operator'))('R1: %s gets 403 and defines nothing', async (caller) => {
    const before = (await ctx.store.read.roles.list()).length;
    const res = await create({ name: `By ${caller}`, permissions: ['messages:send'] }, r.headers(caller)).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await ctx.store.read.roles.list()).length).toBe(before);
  });
});

describe('POST /v1/Roles/{RoleSid} (R1: the operator sets a role\'s permissions)', () => {
  it('R1: a custom role\'s permissions are replaced (200), members read the new list; the same list again is 200 unchanged', async () => {
    const role = (await create({ name: 'Support Lead', permissions: ['tickets:read'] }).expect(201)).body;
    const res = await setPermissions(role.sid, { permissions: ['tickets:write', 'tickets:read'] }).expect(200);
    expect(res.body).toMatchObject({ sid: role.sid, name: 'Support Lead', type: 'custom', permissions: ['tickets:read', 'tickets:write'] });
    expect(await listed(r.org.org.sid, r.headers('owner'), role.sid)).toEqual(res.body);
    const same = await setPermissions(role.sid, { permissions: ['tickets:read', 'tickets:write'] }).expect(200);
    expect(same.body).toEqual(res.body);
    const cleared = await setPermissions(role.sid, { permissions: [] }).expect(200);
    expect(cleared.body.permissions).toEqual([]);
  });

  it('R1: a built-in account role other than Administrator may be set', async () => {
    const sid = BUILT_IN_ROLE_SIDS.account['Billing Manager'];
    const res = await setPermissions(sid, { permissions: ['billing:read', 'billing:write'] }).expect(200);
    expect(res.body).toMatchObject({ sid, type: 'built_in', scope_type: 'account', permissions: ['billing:read', 'billing:write'] });
  });

  it('R1: the account Administrator and the organization roles are 409 role_built_in; nothing changes', async () => {
    for (const sid of [ACCOUNT_ADMINISTRATOR_ROLE_SID, BUILT_IN_ROLE_SIDS.organization.Administrator, BUILT_IN_ROLE_SIDS.organization['Standard User']]) {
      const before = await ctx.store.read.roles.get(sid);
      const res = await setPermissions(sid, { permissions: ['messages:send'] }).expect(409);
      expect(res.body.error.code).toBe('role_built_in');
      expect(await ctx.store.read.roles.get(sid)).toEqual(before);
    }
  });

  it('an unknown role is 404; a malformed SID, a malformed permission or a missing list is 400', async () => {
    expect((await setPermissions(`IX${'0'.repeat(32)}`, { permissions: [] }).expect(404)).body.error.code).toBe('not_found');
    const role = (await create({ name: 'Validation target', permissions: ['a:b'] }).expect(201)).body;
    for (const [sid, body] of [['IX123', { permissions: [] }], [role.sid, { permissions: ['NOT OK'] }], [role.sid, {}], [role.sid, { permissions: [], name: 'Renamed' }]] as const) {
      expect((await setPermissions(sid, body).expect(400)).body.error.code).toBe('invalid_input');
    }
    expect(await listed(r.org.org.sid, r.headers('owner'), role.sid)).toMatchObject({ name: 'Validation target', permissions: ['a:b'] });
  });

  it.each(CALLERS.filter((c) => c !== 'operator'))('R1: %s gets 403 and changes nothing', async (caller) => {
    const sid = BUILT_IN_ROLE_SIDS.account.Support;
    const before = await ctx.store.read.roles.get(sid);
    const res = await setPermissions(sid, { permissions: ['everything:do'] }, r.headers(caller)).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await ctx.store.read.roles.get(sid)).toEqual(before);
  });
});
