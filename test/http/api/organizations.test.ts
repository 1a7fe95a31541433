/**
 * The organization over the Organizations API (issue 10): fetch, rename (O3), operator-only
 * settings (O5, B1, H1), the Owner hand-over (O2) and creation by the operator credential only,
 * with each role, 404 across organizations (U6) and strict validation.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember } from '../../support/fixtures.js';
import { call, operatorCaller, orgWithCallers, sessionOf, type Caller, type OrgCallers } from './users-support.js';

let ctx: TestContext;
let a: OrgCallers;
let b: OrgCallers;
let operator: Caller;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await orgWithCallers(ctx, 'org-a.example');
  b = await orgWithCallers(ctx, 'org-b.example');
  operator = await operatorCaller(ctx);
});
afterAll(() => ctx.close());

const ORG = '/Organizations/{OrganizationSid}';
const TRANSFER = '/Organizations/{OrganizationSid}/OwnerTransfer';
const orgUrl = (sid: string) => `/Organizations/${sid}`;

describe('GET /Organizations/{sid}', () => {
  it('shows name, Owner, counts and limits to every member and client of the organization, and the operator', async () => {
    await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: a.org.owner.sid, name: 'Counted' });
    for (const caller of [a.ownerSession, a.adminSession, a.standardSession, a.adminClient, a.readOnlyClient, operator]) {
      const res = await call(ctx, caller, 'get', ORG, orgUrl(a.org.org.sid));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        organization_sid: a.org.org.sid, owner_sid: a.org.owner.sid, member_count: 3, account_count: 1, account_limit: 10,
        bulk_import_enabled: false, baa_executed_at: null,
      });
      expect(res.headers.etag).toMatch(/^"/);
    }
  });

  it('R-U6: another organization is 404 for every kind of caller; a malformed SID is 400', async () => {
    for (const caller of [b.ownerSession, b.adminSession, b.standardSession, b.adminClient, b.readOnlyClient]) {
      const res = await call(ctx, caller, 'get', ORG, orgUrl(a.org.org.sid));
      expect(res.status).toBe(404);
    }
    expect((await call(ctx, a.adminClient, 'get', ORG, '/Organizations/OR123')).status).toBe(400);
    expect((await call(ctx, a.adminClient, 'get', ORG, `${orgUrl(a.org.org.sid)}?x=1`)).status).toBe(400);
  });
});

describe('POST /Organizations/{sid} (update)', () => {
  it('R-O3: the Owner, an Administrator and an admin client rename it; If-Match is checked', async () => {
    const current = await call(ctx, a.adminClient, 'get', ORG, orgUrl(a.org.org.sid));
    const stale = await request(ctx.app).post(orgUrl(a.org.org.sid)).set(a.adminClient).set('If-Match', '"old"').send({ friendly_name: 'Stale' });
    expect(stale.status).toBe(412);
    const renamed = await request(ctx.app).post(orgUrl(a.org.org.sid)).set(a.adminClient).set('If-Match', current.headers.etag!).send({ friendly_name: '  Renamed A  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.friendly_name).toBe('Renamed A');
    expect(renamed.headers.etag).not.toBe(current.headers.etag);
    for (const caller of [a.ownerSession, a.adminSession]) {
      expect((await call(ctx, caller, 'post', ORG, orgUrl(a.org.org.sid), { friendly_name: 'Org A' })).status).toBe(200);
    }
    const audit = await ctx.services.auditLog.list(a.org.ownerActor, a.org.org.sid, {});
    expect(JSON.stringify(audit)).toContain('organization.renamed');
  });

  it('R-O3: a read-only client and a Standard User cannot rename; another organization gets 404; bad input is 400', async () => {
    for (const caller of [a.readOnlyClient, a.standardSession]) {
      const res = await call(ctx, caller, 'post', ORG, orgUrl(a.org.org.sid), { friendly_name: 'Nope' });
      expect(res.status).toBe(403);
    }
    expect((await call(ctx, b.adminClient, 'post', ORG, orgUrl(a.org.org.sid), { friendly_name: 'Nope' })).status).toBe(404);
    for (const body of [{ friendly_name: '' }, { friendly_name: 'x'.repeat(65) }, { name: 'x' }, { account_limit: -1 }, { account_limit: '20' }]) {
      expect((await call(ctx, a.adminClient, 'post', ORG, orgUrl(a.org.org.sid), body)).status).toBe(400);
    }
  });

  it('R-O5, B1, H1: only the operator changes the account limit, bulk import and the BAA; others get forbidden and nothing changes', async () => {
    for (const caller of [a.ownerSession, a.adminSession, a.adminClient]) {
      for (const body of [{ account_limit: 50 }, { bulk_import_enabled: true }, { baa_executed: true }, { friendly_name: 'Sneaky', account_limit: 50 }]) {
        const res = await call(ctx, caller, 'post', ORG, orgUrl(a.org.org.sid), body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 403, code: 'forbidden' });
      }
    }
    const unchanged = await call(ctx, a.adminClient, 'get', ORG, orgUrl(a.org.org.sid));
    expect(unchanged.body).toMatchObject({ account_limit: 10, bulk_import_enabled: false, baa_executed_at: null });
    expect(unchanged.body.friendly_name).not.toBe('Sneaky');
    const res = await call(ctx, operator, 'post', ORG, orgUrl(a.org.org.sid), { account_limit: 50, bulk_import_enabled: true, baa_executed: true, friendly_name: 'By operator' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account_limit: 50, bulk_import_enabled: true, baa_executed_at: expect.any(String), friendly_name: 'By operator' });
  });
});

describe('POST /Organizations (create)', () => {
  it('the operator credential creates an organization with its Owner; nobody else can', async () => {
    const res = await call(ctx, operator, 'post', '/Organizations', '/Organizations', { friendly_name: 'Made over HTTP', owner_email: 'new-owner@made.example' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ friendly_name: 'Made over HTTP', member_count: 1, owner_sid: expect.stringMatching(/^US/) });
    for (const caller of [a.ownerSession, a.adminClient, a.readOnlyClient]) {
      const refused = await call(ctx, caller, 'post', '/Organizations', '/Organizations', { friendly_name: 'Nope', owner_email: 'x@nope.example' });
      expect(refused.status).toBe(403);
    }
    const taken = await call(ctx, operator, 'post', '/Organizations', '/Organizations', { friendly_name: 'Again', owner_email: a.admin.email });
    expect(taken.body.error.code).toBe('member_of_other_org');
    expect((await call(ctx, operator, 'post', '/Organizations', '/Organizations', { friendly_name: 'No owner' })).status).toBe(400);
  });
});

describe('POST /Organizations/{sid}/OwnerTransfer', () => {
  it('R-O2: the Owner hands the role over; the former Owner becomes Administrator', async () => {
    const org = await orgWithCallers(ctx, 'handover.example');
    const res = await call(ctx, org.ownerSession, 'post', TRANSFER, `${orgUrl(org.org.org.sid)}/OwnerTransfer`, { owner_sid: org.admin.sid });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ owner_sid: org.admin.sid, former_owner_sid: org.org.owner.sid, accounts_joined: [] });
    expect((await ctx.store.read.users.get(org.org.owner.sid))?.role).toBe('admin');
    // The former Owner cannot take it back: only the Owner hands over.
    const back = await call(ctx, await sessionOf(ctx, org.org.owner.sid), 'post', TRANSFER, `${orgUrl(org.org.org.sid)}/OwnerTransfer`, { owner_sid: org.org.owner.sid });
    expect(back.status).toBe(403);
    expect(back.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('Only the Owner') });
  });

  it('R-O2: Administrators, API clients, Standard Users and the operator cannot hand over; another organization is 404', async () => {
    const target = await addMember(ctx, a.org.org.sid, 'heir@org-a.example', 'admin');
    const url = `${orgUrl(a.org.org.sid)}/OwnerTransfer`;
    for (const caller of [a.adminSession, a.adminClient, a.readOnlyClient, a.standardSession, operator]) {
      const res = await call(ctx, caller, 'post', TRANSFER, url, { owner_sid: target.sid });
      expect(res.status).toBeGreaterThanOrEqual(403);
      expect(res.status).toBeLessThan(500);
      expect(['forbidden', 'owner_required']).toContain(res.body.error.code);
    }
    expect((await ctx.store.read.users.owner(a.org.org.sid))?.sid).toBe(a.org.owner.sid);
    expect((await call(ctx, b.ownerSession, 'post', TRANSFER, url, { owner_sid: target.sid })).status).toBe(404);
    const foreign = await call(ctx, a.ownerSession, 'post', TRANSFER, url, { owner_sid: b.admin.sid });
    expect(foreign.status).toBe(404);
    expect((await call(ctx, a.ownerSession, 'post', TRANSFER, url, { owner_sid: 'nobody' })).status).toBe(400);
  });
});
