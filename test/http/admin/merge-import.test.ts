/**
 * Admin Center Merge (M1-M3) and Bulk import (B1, B2) pages: a merge invited, previewed and
 * accepted by the Candidate Owner from their own Admin Center; a CSV imported as a background job
 * whose page refreshes itself while it runs and lists the bad lines when done.
 */
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addLoneUser, addMember, addVerifiedDomain, createOrgWithOwner, setOrgSettings } from '../../support/fixtures.js';
import { get, post, sessionCookie } from './support.js';

let ctx: TestContext;
let primeSid: string;
let adminCookie: string;

beforeAll(async () => {
  ctx = await createTestContext();
  primeSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@prime.test', name: 'Prime Co' })).org.sid;
  await addVerifiedDomain(ctx, primeSid, 'prime.test');
  adminCookie = await sessionCookie(ctx, (await addMember(ctx, primeSid, 'admin@prime.test', 'admin')).sid);
});
afterAll(async () => ctx.close());

describe('Merge page (M1-M3)', () => {
  it('an Administrator invites the Candidate Owner and sees the preview; the Candidate Owner accepts from their Admin Center', async () => {
    const candidate = await createOrgWithOwner(ctx, { ownerEmail: 'boss@prime.test', name: 'Little Co' });
    const moving = await addMember(ctx, candidate.org.sid, 'worker@prime.test', 'admin');
    const invited = await post(ctx, adminCookie, '/admin/merge', { email: 'boss@prime.test' }).expect(303);
    const preview = await get(ctx, adminCookie, invited.headers.location as string).expect(200);
    expect(preview.text).toMatch(/id="merge-allowed">yes/);
    expect(preview.text).toContain('worker@prime.test');
    expect(preview.text).not.toContain('Accept: move everything');

    const bossCookie = await sessionCookie(ctx, candidate.owner.sid);
    const overview = await get(ctx, bossCookie, '/admin/merge').expect(200);
    const incoming = /href="(\/admin\/merge\/incoming\/[^"]+)"/.exec(overview.text)?.[1];
    expect(incoming).toBeDefined();
    const confirm = await get(ctx, bossCookie, incoming!).expect(200);
    expect(confirm.text).toContain('Accept: move everything into Prime Co');
    await post(ctx, bossCookie, `${incoming}/accept`).expect(303);
    expect((await ctx.store.read.users.get(moving.sid))).toMatchObject({ orgSid: primeSid, role: 'standard' });
    const audit = await get(ctx, adminCookie, '/admin/audit?action=organization.merged').expect(200);
    expect(audit.text).toMatch(/<td>organization\.merged<\/td>/);
  });
});

describe('Bulk import page (B1, B2)', () => {
  it('is refused until an operator enables it (bulk_import_disabled)', async () => {
    const res = await post(ctx, adminCookie, '/admin/users/import', { csv: 'email,role\nx@prime.test,standard\n' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.text).toContain('bulk_import_disabled');
  });

  it('queues the CSV, shows progress while it runs, then the bad lines', async () => {
    await setOrgSettings(ctx, primeSid, { bulkImportEnabled: true });
    const rows = ['email,role,name', 'ann@prime.test,standard,Ann', 'bob@gmail.com,standard,Bob', 'cy@prime.test,admin,Cy'];
    const queued = await post(ctx, adminCookie, '/admin/users/import', { csv: `${rows.join('\n')}\n` }).expect(303);
    const jobPath = queued.headers.location as string;
    const running = await get(ctx, adminCookie, jobPath).expect(200);
    expect(running.text).toContain('<meta http-equiv="refresh" content="2">');
    expect(running.text).toContain('<progress id="import-progress"');
    while (await ctx.services.userImports.runNext('test-worker')) { /* the worker's loop */ }
    const done = await get(ctx, adminCookie, jobPath).expect(200);
    expect(done.text).not.toContain('http-equiv="refresh"');
    expect(done.text).toContain('value="100"');
    expect(done.text).toMatch(/<tr><td>3<\/td><td>bob@gmail\.com<\/td>/);
    expect((await ctx.store.read.users.getByEmail('cy@prime.test'))?.orgSid).toBe(primeSid);
  });
});

describe('Account import by SID (A3)', () => {
  it('puts the account in the pending tab until its owner confirms; an owner on an unverified domain is refused with domain_not_verified', async () => {
    const outsider = await addLoneUser(ctx, 'dora@prime.test');
    const account = await addAccount(ctx, { ownerSid: outsider.sid, name: 'Dora shop' });
    const res = await post(ctx, adminCookie, '/admin/accounts/import', { accountSid: account.sid }).expect(303);
    expect(res.headers.location).toBe('/admin/accounts?tab=pending&notice=account_import_requested');
    const pending = await get(ctx, adminCookie, res.headers.location as string).expect(200);
    expect(pending.text).toContain('Dora shop');
    const stranger = await addAccount(ctx, { ownerSid: (await addLoneUser(ctx, 'eve@elsewhere.test')).sid, name: 'Eve shop' });
    const refused = await post(ctx, adminCookie, '/admin/accounts/import', { accountSid: stranger.sid });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.text).toContain('domain_not_verified');
  });
});
