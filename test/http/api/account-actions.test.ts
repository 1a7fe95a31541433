/**
 * Orgward's account operations over HTTP (issue 10): import by SID (A3), ownership transfer (A6),
 * independence (A1, A4),
 * upgrade (A7, operator only), the HIPAA flag (H1-H3), subaccounts (A7) and the account limit
 * (O5); tenant isolation (U6: 404 by path and by body reference) and each role on each route (O3).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addLoneUser, addMember, addVerifiedDomain, grantAccount, lastLinkTo, setOrgSettings } from '../../support/fixtures.js';
import { allRoutes } from '../../../src/http/api/index.js';
import type { Account } from '../../../src/types.js';
import { CALLERS, roleCallers, type Caller, type RoleCallers } from './role-callers.js';

let ctx: TestContext;
let r: RoleCallers;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  r = await roleCallers(ctx, 'acct-api.example');
  orgSid = r.org.org.sid;
  await setOrgSettings(ctx, orgSid, { accountLimit: 100 });
});
afterAll(() => ctx.close());

/** Every response checked here must validate against the schema the OpenAPI document shows. */
function documented(method: string, path: string, status: number, body: unknown): void {
  const route = allRoutes(ctx.services, ctx.baseUrl).find((x) => x.method === method && x.path === path);
  const schema = route?.responses[status]?.schema;
  expect(schema).toBeDefined();
  const parsed = schema!.safeParse(body);
  expect(parsed.error?.issues ?? []).toEqual([]);
}

const account = (over: Partial<Parameters<typeof addAccount>[1]> = {}) => addAccount(ctx, { orgSid, ownerSid: r.org.owner.sid, ...over });
const base = () => `/Organizations/${orgSid}`;

describe('POST /Organizations/{sid}/AccountImports (A3)', () => {
  it('R-A3: an account whose owner is on a verified domain becomes pending (202) until the owner confirms by mail', async () => {
    await addVerifiedDomain(ctx, orgSid, 'imports.acct-api.example');
    const owner = await addLoneUser(ctx, 'dev@imports.acct-api.example');
    const outside = await addAccount(ctx, { ownerSid: owner.sid, name: 'Outside' });
    const sub = await addAccount(ctx, { ownerSid: owner.sid, parentSid: outside.sid, name: 'Outside sub' });
    const res = await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers('adminClient')).send({ account_sid: outside.sid }).expect(202);
    documented('post', '/Organizations/{OrganizationSid}/AccountImports', 202, res.body);
    expect(res.body).toMatchObject({ account_sid: outside.sid, management: 'pending', import_status: 'pending', confirmation_email: 'dev@imports.acct-api.example' });
    const fetched = await request(ctx.app).get(`${base()}/Accounts/${outside.sid}`).set(r.headers('owner')).expect(200);
    expect(fetched.body.management).toBe('pending');

    // Importing it again changes nothing (200).
    const again = await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers('owner')).send({ account_sid: outside.sid }).expect(200);
    expect(again.body.import_status).toBe('already_in_org');

    // The owner confirms with the mailed link (/account-imports/<token>); the account and its subaccount become managed.
    await ctx.services.accounts.confirmImport(await lastLinkTo(ctx, 'dev@imports.acct-api.example', '/account-imports/'));
    const managed = await request(ctx.app).get(`${base()}/Accounts/${outside.sid}`).set(r.headers('owner')).expect(200);
    expect(managed.body.management).toBe('managed');
    const subs = await request(ctx.app).get(`${base()}/Accounts/${outside.sid}/Subaccounts`).set(r.headers('owner')).expect(200);
    expect(subs.body.content).toEqual([expect.objectContaining({ account_sid: sub.sid, management: 'managed', parent_account_sid: outside.sid })]);
  });

  it('R-A3: an owner on an unverified domain is refused with domain_not_verified; a bad SID with 400', async () => {
    const owner = await addLoneUser(ctx, 'dev@unverified-acct-api.example');
    const outside = await addAccount(ctx, { ownerSid: owner.sid });
    const res = await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers('adminClient')).send({ account_sid: outside.sid }).expect(400);
    expect(res.body.error.code).toBe('domain_not_verified');
    const bad = await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers('adminClient')).send({ account_sid: 'AC123', note: 'x' }).expect(400);
    expect(bad.body.error.message).toMatch(/account_sid[\s\S]*note|note[\s\S]*account_sid/);
  });

  it('R-U6: an account of another organization is 404 by body reference, like an unknown SID, and never named', async () => {
    const theirs = await addAccount(ctx, { orgSid: r.other.org.sid, ownerSid: r.other.owner.sid });
    const res = await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers('owner')).send({ account_sid: theirs.sid }).expect(404);
    expect(JSON.stringify(res.body)).not.toContain(r.other.org.sid);
    const unknown = await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers('owner')).send({ account_sid: `AC${'f'.repeat(32)}` }).expect(404);
    expect(unknown.body.error.message).toBe(res.body.error.message);
    expect((await ctx.store.read.accounts.get(theirs.sid))?.orgSid).toBe(r.other.org.sid);
  });

  it.each<[Caller, number]>([['standard', 403], ['readOnlyClient', 403], ['otherOrgClient', 404]])('R-O3: %s → %i', async (caller, status) => {
    await request(ctx.app).post(`${base()}/AccountImports`).set(r.headers(caller)).send({ account_sid: `AC${'e'.repeat(32)}` }).expect(status);
  });
});

describe('POST /Organizations/{sid}/Accounts/{AccountSid}/Owner (A6)', () => {
  it('R-A6: moves the account and its subaccounts to an active managed user; If-Match guards it', async () => {
    const parent = await account({ plan: 'upgraded' });
    const sub = await account({ parentSid: parent.sid });
    const read = await request(ctx.app).get(`${base()}/Accounts/${parent.sid}`).set(r.headers('adminClient')).expect(200);
    const res = await request(ctx.app).post(`${base()}/Accounts/${parent.sid}/Owner`).set(r.headers('adminClient')).set('If-Match', read.headers.etag!)
      .send({ owner_sid: r.admin.sid }).expect(200);
    documented('post', '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Owner', 200, res.body);
    expect(res.body).toMatchObject({ account_sid: parent.sid, owner_sid: r.admin.sid, subaccount_sids: [sub.sid] });
    expect((await ctx.store.read.accounts.get(sub.sid))?.ownerSid).toBe(r.admin.sid);
    // The ETag read before the change is stale now.
    const stale = await request(ctx.app).post(`${base()}/Accounts/${parent.sid}/Owner`).set(r.headers('adminClient')).set('If-Match', read.headers.etag!)
      .send({ owner_sid: r.org.owner.sid }).expect(412);
    expect(stale.body.error.code).toBe('precondition_failed');
  });

  it('R-A6: a suspended member, a user of another organization and an unknown SID are all transfer_target_not_managed', async () => {
    const target = await account();
    const suspended = await addMember(ctx, orgSid, 'suspended@acct-api.example', 'standard');
    await ctx.store.transaction((repos) => repos.users.update(suspended.sid, { status: 'suspended' }));
    for (const ownerSid of [suspended.sid, r.other.owner.sid, `US${'d'.repeat(32)}`]) {
      const res = await request(ctx.app).post(`${base()}/Accounts/${target.sid}/Owner`).set(r.headers('owner')).send({ owner_sid: ownerSid }).expect(409);
      expect(res.body.error.code).toBe('transfer_target_not_managed');
      expect(JSON.stringify(res.body)).not.toContain(r.other.org.sid);
    }
    expect((await ctx.store.read.accounts.get(target.sid))?.ownerSid).toBe(r.org.owner.sid);
  });

  it('R-U6: another organization\'s account is 404 by path, in either organization\'s URL', async () => {
    const theirs = await addAccount(ctx, { orgSid: r.other.org.sid, ownerSid: r.other.owner.sid });
    await request(ctx.app).post(`${base()}/Accounts/${theirs.sid}/Owner`).set(r.headers('owner')).send({ owner_sid: r.admin.sid }).expect(404);
    await request(ctx.app).post(`/Organizations/${r.other.org.sid}/Accounts/${theirs.sid}/Owner`).set(r.headers('adminClient')).send({ owner_sid: r.admin.sid }).expect(404);
    expect((await ctx.store.read.accounts.get(theirs.sid))?.ownerSid).toBe(r.other.owner.sid);
  });
});

describe('POST /Organizations/{sid}/Accounts/{AccountSid}/Independence (A1, A4)', () => {
  const path = '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Independence';
  const independence = (a: Account) => `${base()}/Accounts/${a.sid}/Independence`;

  it('R-A1: a managed account of a member and its subaccounts become independent; the organization no longer changes it', async () => {
    const parent = await account({ ownerSid: r.admin.sid });
    const sub = await account({ ownerSid: r.admin.sid, parentSid: parent.sid });
    const read = await request(ctx.app).get(`${base()}/Accounts/${parent.sid}`).set(r.headers('adminClient')).expect(200);
    const res = await request(ctx.app).post(independence(parent)).set(r.headers('adminClient')).set('If-Match', read.headers.etag!).expect(200);
    documented('post', path, 200, res.body);
    expect(res.body).toMatchObject({ account_sid: parent.sid, management: 'independent', owner_sid: r.admin.sid, subaccount_sids: [sub.sid] });
    expect(res.headers.etag).not.toBe(read.headers.etag);
    expect((await ctx.store.read.accounts.get(sub.sid))?.management).toBe('independent');
    // A1: independent, so the organization changes it no more (making it independent again included).
    expect((await request(ctx.app).post(independence(parent)).set(r.headers('owner')).expect(403)).body.error.code).toBe('account_not_managed');
  });

  it('R-A4: an account owned by the Owner stays managed (409 owner_accounts_managed)', async () => {
    const owned = await account();
    const res = await request(ctx.app).post(independence(owned)).set(r.headers('owner')).expect(409);
    expect(res.body.error.code).toBe('owner_accounts_managed');
    expect((await ctx.store.read.accounts.get(owned.sid))?.management).toBe('managed');
  });

  it('R-A7: a subaccount follows its parent (400); a body, a stale If-Match and a malformed SID are refused', async () => {
    const parent = await account({ ownerSid: r.admin.sid });
    const sub = await account({ ownerSid: r.admin.sid, parentSid: parent.sid });
    expect((await request(ctx.app).post(independence(sub)).set(r.headers('owner')).expect(400)).body.error.code).toBe('invalid_input');
    expect((await request(ctx.app).post(independence(parent)).set(r.headers('owner')).send({ management: 'independent' }).expect(400)).body.error.code).toBe('invalid_input');
    expect((await request(ctx.app).post(independence(parent)).set(r.headers('owner')).set('If-Match', '"stale"').expect(412)).body.error.code).toBe('precondition_failed');
    expect((await request(ctx.app).post(`${base()}/Accounts/AC123/Independence`).set(r.headers('owner')).expect(400)).body.error.code).toBe('invalid_input');
    for (const a of [parent, sub]) expect((await ctx.store.read.accounts.get(a.sid))?.management).toBe('managed');
  });

  it('R-U6: another organization\'s account is 404 by path, in either organization\'s URL, and stays managed', async () => {
    const member = await addMember(ctx, r.other.org.sid, 'member@other-indep.acct-api.example', 'standard');
    const theirs = await addAccount(ctx, { orgSid: r.other.org.sid, ownerSid: member.sid });
    await request(ctx.app).post(independence(theirs)).set(r.headers('owner')).expect(404);
    await request(ctx.app).post(`/Organizations/${r.other.org.sid}/Accounts/${theirs.sid}/Independence`).set(r.headers('adminClient')).expect(404);
    await request(ctx.app).post(independence(theirs)).set(r.headers('operator')).expect(404);
    expect((await ctx.store.read.accounts.get(theirs.sid))?.management).toBe('managed');
  });

  it.each<[Caller, number]>([['owner', 200], ['admin', 200], ['adminClient', 200], ['operator', 200], ['standard', 403], ['readOnlyClient', 403], ['otherOrgClient', 404]])('R-O3: %s → %i', async (caller, status) => {
    const a = await account({ ownerSid: r.standard.sid });
    await grantAccount(ctx, orgSid, r.standard.sid, a.sid);
    await request(ctx.app).post(independence(a)).set(r.headers(caller)).expect(status);
    expect((await ctx.store.read.accounts.get(a.sid))?.management).toBe(status === 200 ? 'independent' : 'managed');
  });
});

describe('POST /Organizations/{sid}/Accounts/{AccountSid}/Upgrade (A7)', () => {
  it('R-A7: only the operator upgrades; subaccounts follow the plan', async () => {
    const parent = await account();
    const sub = await account({ parentSid: parent.sid });
    for (const caller of ['owner', 'admin', 'adminClient'] as const) {
      const refused = await request(ctx.app).post(`${base()}/Accounts/${parent.sid}/Upgrade`).set(r.headers(caller)).expect(403);
      expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('operator') });
    }
    const res = await request(ctx.app).post(`${base()}/Accounts/${parent.sid}/Upgrade`).set(r.headers('operator')).expect(200);
    documented('post', '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Upgrade', 200, res.body);
    expect(res.body).toMatchObject({ plan: 'upgraded', subaccount_sids: [sub.sid] });
    // An operator names the right organization too: the account is 404 under another one.
    await request(ctx.app).post(`/Organizations/${r.other.org.sid}/Accounts/${parent.sid}/Upgrade`).set(r.headers('operator')).expect(404);
  });
});

describe('POST /Organizations/{sid}/Accounts/{AccountSid}/Hipaa (H1-H3)', () => {
  it('R-H2: baa_required before the operator records the BAA; then the flag is set, and new subaccounts take it (H3)', async () => {
    const org = await roleCallers(ctx, 'hipaa-api.example');
    const target = await addAccount(ctx, { orgSid: org.org.org.sid, ownerSid: org.org.owner.sid, plan: 'upgraded' });
    const url = `/Organizations/${org.org.org.sid}/Accounts/${target.sid}`;
    const before = await request(ctx.app).post(`${url}/Hipaa`).set(org.headers('owner')).send({ hipaa: true }).expect(409);
    expect(before.body.error).toMatchObject({ code: 'baa_required', message: expect.stringContaining('orgward org set') });
    await setOrgSettings(ctx, org.org.org.sid, { baaExecutedAt: new Date() });
    const flagged = await request(ctx.app).post(`${url}/Hipaa`).set(org.headers('adminClient')).send({ hipaa: true }).expect(200);
    documented('post', '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Hipaa', 200, flagged.body);
    expect(flagged.body.hipaa).toBe(true);
    const sub = await request(ctx.app).post(`${url}/Subaccounts`).set(org.headers('owner')).send({ friendly_name: 'Flagged child' }).expect(201);
    expect(sub.body).toMatchObject({ hipaa: true, parent_account_sid: target.sid, plan: 'upgraded' });
    // H3: clearing the parent's flag leaves the existing subaccount flagged.
    await request(ctx.app).post(`${url}/Hipaa`).set(org.headers('owner')).send({ hipaa: false }).expect(200);
    expect((await ctx.store.read.accounts.get(sub.body.account_sid))?.hipaa).toBe(true);
  });

  it('R-O3: a read-only API client cannot set the HIPAA flag (it was let through as a read before)', async () => {
    await setOrgSettings(ctx, orgSid, { baaExecutedAt: new Date() });
    const target = await account();
    const res = await request(ctx.app).post(`${base()}/Accounts/${target.sid}/Hipaa`).set(r.headers('readOnlyClient')).send({ hipaa: true }).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await ctx.store.read.accounts.get(target.sid))?.hipaa).toBe(false);
  });

  it('refuses a body that is not a boolean flag (400)', async () => {
    const target = await account();
    await request(ctx.app).post(`${base()}/Accounts/${target.sid}/Hipaa`).set(r.headers('owner')).send({ hipaa: 'yes' }).expect(400);
    await request(ctx.app).post(`${base()}/Accounts/${target.sid}/Hipaa`).set(r.headers('owner')).send({}).expect(400);
  });
});

describe('/Organizations/{sid}/Accounts/{AccountSid}/Subaccounts (A7)', () => {
  it('R-A7: one subaccount under a trial account, then subaccount_limit_reached; listed with paging', async () => {
    const trial = await account({ name: 'Trial parent' });
    const created = await request(ctx.app).post(`${base()}/Accounts/${trial.sid}/Subaccounts`).set(r.headers('adminClient'))
      .set('Idempotency-Key', 'sub-1').send({ friendly_name: 'First' }).expect(201);
    documented('post', '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Subaccounts', 201, created.body);
    expect(created.body).toMatchObject({ friendly_name: 'First', parent_account_sid: trial.sid, owner_sid: r.org.owner.sid, plan: 'trial' });
    // The same Idempotency-Key replays the first result; it does not hit the limit.
    const replay = await request(ctx.app).post(`${base()}/Accounts/${trial.sid}/Subaccounts`).set(r.headers('adminClient'))
      .set('Idempotency-Key', 'sub-1').send({ friendly_name: 'First' }).expect(201);
    expect(replay.body.account_sid).toBe(created.body.account_sid);
    const refused = await request(ctx.app).post(`${base()}/Accounts/${trial.sid}/Subaccounts`).set(r.headers('adminClient')).send({ friendly_name: 'Second' }).expect(409);
    expect(refused.body.error.code).toBe('subaccount_limit_reached');

    const upgraded = await account({ plan: 'upgraded' });
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      made.push((await request(ctx.app).post(`${base()}/Accounts/${upgraded.sid}/Subaccounts`).set(r.headers('owner')).send({ friendly_name: `S${i}`, usage: 'flex' }).expect(201)).body.account_sid);
    }
    const first = await request(ctx.app).get(`${base()}/Accounts/${upgraded.sid}/Subaccounts?PageSize=2`).set(r.headers('readOnlyClient')).expect(200);
    documented('get', '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Subaccounts', 200, first.body);
    const next = new URL(first.body.meta.next_page_url);
    const second = await request(ctx.app).get(next.pathname + next.search).set(r.headers('readOnlyClient')).expect(200);
    expect([...first.body.content, ...second.body.content].map((x: { account_sid: string }) => x.account_sid).sort()).toEqual(made.sort());
  });

  it('R-A7: a subaccount has no subaccounts of its own (400), and unknown fields are refused (400)', async () => {
    const parent = await account({ plan: 'upgraded' });
    const sub = await account({ parentSid: parent.sid, plan: 'upgraded' });
    const res = await request(ctx.app).post(`${base()}/Accounts/${sub.sid}/Subaccounts`).set(r.headers('owner')).send({ friendly_name: 'x' }).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
    await request(ctx.app).post(`${base()}/Accounts/${parent.sid}/Subaccounts`).set(r.headers('owner')).send({ friendly_name: 'x', plan: 'upgraded' }).expect(400);
    await request(ctx.app).get(`${base()}/Accounts/${sub.sid}/Subaccounts`).set(r.headers('owner')).expect(404);
  });

  it('R-O3: a Standard User creates and lists subaccounts only under accounts granted to them', async () => {
    const granted = await account({ plan: 'upgraded' });
    const hidden = await account({ plan: 'upgraded' });
    await grantAccount(ctx, orgSid, r.standard.sid, granted.sid);
    await request(ctx.app).post(`${base()}/Accounts/${granted.sid}/Subaccounts`).set(r.headers('standard')).send({ friendly_name: 'Mine' }).expect(201);
    await request(ctx.app).get(`${base()}/Accounts/${granted.sid}/Subaccounts`).set(r.headers('standard')).expect(200);
    await request(ctx.app).post(`${base()}/Accounts/${hidden.sid}/Subaccounts`).set(r.headers('standard')).send({ friendly_name: 'Not mine' }).expect(404);
    await request(ctx.app).get(`${base()}/Accounts/${hidden.sid}/Subaccounts`).set(r.headers('standard')).expect(404);
  });
});

describe('GET /Organizations/{sid}/AccountLimits (O5)', () => {
  it('R-O5: shows the limit and the accounts that count (top-level, not closed; subaccounts do not count)', async () => {
    const org = await roleCallers(ctx, 'limits-api.example');
    const sid = org.org.org.sid;
    const parent = await addAccount(ctx, { orgSid: sid, ownerSid: org.org.owner.sid, plan: 'upgraded' });
    await addAccount(ctx, { orgSid: sid, ownerSid: org.org.owner.sid, parentSid: parent.sid });
    await addAccount(ctx, { orgSid: sid, ownerSid: org.org.owner.sid, status: 'closed' });
    const res = await request(ctx.app).get(`/Organizations/${sid}/AccountLimits`).set(org.headers('standard')).expect(200);
    documented('get', '/Organizations/{OrganizationSid}/AccountLimits', 200, res.body);
    expect(res.body).toEqual({ organization_sid: sid, account_limit: 10, account_count: 1, accounts_remaining: 9 });
    await setOrgSettings(ctx, sid, { accountLimit: 1 });
    const full = await request(ctx.app).post(`/Organizations/${sid}/Accounts`).set(org.headers('owner')).send({ friendlyName: 'One too many' }).expect(409);
    expect(full.body.code).toBe('account_limit_reached');
    expect((await request(ctx.app).get(`/Organizations/${sid}/AccountLimits`).set(org.headers('readOnlyClient')).expect(200)).body.accounts_remaining).toBe(0);
  });
});

describe('roles on every account operation (O3, U6)', () => {
  let designated = false;
  const fresh = async (): Promise<Account> => {
    if (!designated) { await setOrgSettings(ctx, orgSid, { baaExecutedAt: new Date() }); designated = true; }
    const a = await account({ plan: 'upgraded' });
    // The Standard User may use the account, so refusals below are about the role, not visibility.
    await grantAccount(ctx, orgSid, r.standard.sid, a.sid);
    return a;
  };
  const cases: { name: string; call: (a: Account, caller: Caller) => request.Test; expected: Record<Caller, number> }[] = [
    {
      name: 'transfer ownership',
      call: (a, c) => request(ctx.app).post(`${base()}/Accounts/${a.sid}/Owner`).set(r.headers(c)).send({ owner_sid: r.admin.sid }),
      expected: { owner: 200, admin: 200, standard: 403, adminClient: 200, readOnlyClient: 403, operator: 200, otherOrgClient: 404 },
    },
    {
      name: 'upgrade',
      call: (a, c) => request(ctx.app).post(`${base()}/Accounts/${a.sid}/Upgrade`).set(r.headers(c)),
      expected: { owner: 403, admin: 403, standard: 403, adminClient: 403, readOnlyClient: 403, operator: 200, otherOrgClient: 404 },
    },
    {
      name: 'HIPAA flag',
      call: (a, c) => request(ctx.app).post(`${base()}/Accounts/${a.sid}/Hipaa`).set(r.headers(c)).send({ hipaa: true }),
      expected: { owner: 200, admin: 200, standard: 403, adminClient: 200, readOnlyClient: 403, operator: 200, otherOrgClient: 404 },
    },
    {
      name: 'create a subaccount',
      call: (a, c) => request(ctx.app).post(`${base()}/Accounts/${a.sid}/Subaccounts`).set(r.headers(c)).send({ friendly_name: 'Role sub' }),
      expected: { owner: 201, admin: 201, standard: 201, adminClient: 201, readOnlyClient: 403, operator: 201, otherOrgClient: 404 },
    },
    {
      name: 'list subaccounts',
      call: (a, c) => request(ctx.app).get(`${base()}/Accounts/${a.sid}/Subaccounts`).set(r.headers(c)),
      expected: { owner: 200, admin: 200, standard: 200, adminClient: 200, readOnlyClient: 200, operator: 200, otherOrgClient: 404 },
    },
    {
      name: 'account limits',
      call: (_a, c) => request(ctx.app).get(`${base()}/AccountLimits`).set(r.headers(c)),
      expected: { owner: 200, admin: 200, standard: 200, adminClient: 200, readOnlyClient: 200, operator: 200, otherOrgClient: 404 },
    },
  ];
  for (const { name, call, expected } of cases) {
    it(`R-O3: ${name}: ${CALLERS.map((c) => `${c} ${expected[c]}`).join(', ')}`, async () => {
      const got: Record<string, number> = {};
      for (const caller of CALLERS) got[caller] = (await call(await fresh(), caller)).status;
      expect(got).toEqual(expected);
    });
  }
});
