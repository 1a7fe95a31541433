/**
 * Bulk user import over HTTP (issue 10, B1, B2): upload, progress, per-line report, the background
 * job surviving a crash (its lease expires and another worker takes it over) and a SIGTERM drain
 * (the job goes back to the queue); 404 across organizations (U6) and roles (O3). The worker is
 * driven with runOnce() and the test clock: no timers, no sleeps.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, addVerifiedDomain, createOrgWithOwner, setOrgSettings } from '../../support/fixtures.js';
import { createUserImportWorker } from '../../../src/jobs/user-import-worker.js';
import { USER_IMPORT_LEASE_MS } from '../../../src/services/user-imports.js';
import { silentLogger } from '../../../src/logger.js';
import { MAX_BULK_IMPORT_BYTES } from '../../../src/rules/bulk-import.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let n = 0;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => { ctx = await createTestContext(); });
afterAll(() => ctx.close());

const worker = (workerId?: string) => createUserImportWorker({ userImports: ctx.services.userImports, logger: silentLogger, ...(workerId && { workerId }) });

async function setting(options: { enabled?: boolean } = {}) {
  n += 1;
  const corp = `imp${n}.example`;
  const o = await createOrgWithOwner(ctx, { ownerEmail: `owner@${corp}`, name: `Import ${n}` });
  await addVerifiedDomain(ctx, o.org.sid, corp);
  if (options.enabled !== false) await setOrgSettings(ctx, o.org.sid, { bulkImportEnabled: true });
  const token = await tokenFor(ctx, await apiClient(ctx, o.ownerActor, o.org.sid, 'admin'));
  return { ...o, corp, token };
}

const manyRows = (corp: string, count: number) => ['email,role', ...Array.from({ length: count }, (_, i) => `user${i}@${corp},standard`)].join('\n');

describe('POST /Organizations/{sid}/UserImports', () => {
  it('R-B1: refused at upload (403 bulk_import_disabled) until the operator enables bulk import', async () => {
    const s = await setting({ enabled: false });
    const res = await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).send({ csv: `email\nnew@${s.corp}\n` }).expect(403);
    expect(res.body.error.code).toBe('bulk_import_disabled');
    expect(res.body.error.message).toContain('orgward org set');
    expect(await ctx.store.read.userImportJobs.listByOrg(s.org.sid, 10)).toEqual([]);
  });

  it('R-B2: queued (202), run by the worker, progress and counts visible, per-line report; the same file again changes nothing', async () => {
    const s = await setting();
    const csv = ['email,role,name', `alice@${s.corp},admin,Alice`, 'not-an-email,standard,', `bob@${s.corp},,`, `dave@gmail.com,standard`].join('\n');
    const queued = await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).send({ csv }).expect(202);
    expect(queued.body).toMatchObject({ status: 'queued', rows_total: null, rows_done: 0, attempts: 0 });
    expect(queued.headers.location).toBe(queued.body.url);
    const path = new URL(queued.body.url).pathname;
    await request(ctx.app).get(`${path}/Report`).set(bearer(s.token)).expect(409);
    expect(await worker().runOnce()).toBe(true);
    const done = await request(ctx.app).get(path).set(bearer(s.token)).expect(200);
    expect(done.body).toMatchObject({ status: 'done', rows_total: 4, rows_done: 4, applied: 2, skipped: 0, errors: 2, attempts: 1, failure: null });
    const report = await request(ctx.app).get(`${path}/Report`).set(bearer(s.token)).expect(200);
    expect(report.body.applied).toEqual([
      { line: 2, email: `alice@${s.corp}`, user_sid: expect.stringMatching(/^US/), role: 'admin', action: 'added' },
      { line: 4, email: `bob@${s.corp}`, user_sid: expect.stringMatching(/^US/), role: 'standard', action: 'added' },
    ]);
    expect(report.body.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([[3, 'invalid_input'], [5, 'domain_not_verified']]);
    // Running the same file again changes nothing: both people are reported as already members.
    const again = await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).send({ csv }).expect(202);
    expect(await worker().runOnce()).toBe(true);
    const second = await request(ctx.app).get(new URL(again.body.url).pathname).set(bearer(s.token)).expect(200);
    expect(second.body).toMatchObject({ status: 'done', applied: 0, skipped: 2, errors: 2 });
    const listed = await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).expect(200);
    expect(listed.body.imports.map((j: { id: string }) => j.id)).toEqual([again.body.id, queued.body.id]);
    expect(await worker().runOnce()).toBe(false);
  });

  it('R-B2: a job left running by a dead instance is taken over once its lease expires, and finishes the file', async () => {
    const s = await setting();
    const queued = await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).send({ csv: manyRows(s.corp, 1200) }).expect(202);
    const path = new URL(queued.body.url).pathname;
    // The dead instance: it claimed the job, recorded its first chunk, and never came back.
    const now = ctx.clock.now();
    const claimed = await ctx.store.read.userImportJobs.claim('dead-instance', now, new Date(now.getTime() + USER_IMPORT_LEASE_MS));
    expect(claimed?.id).toBe(queued.body.id);
    await ctx.services.bulkImport.importUsers(s.ownerActor, s.org.sid, manyRows(s.corp, 500));
    await ctx.store.read.userImportJobs.progress(queued.body.id, 'dead-instance', { rowsDone: 500, rowsTotal: 1200, leaseUntil: new Date(now.getTime() + USER_IMPORT_LEASE_MS) });
    expect((await request(ctx.app).get(path).set(bearer(s.token)).expect(200)).body).toMatchObject({ status: 'running', rows_done: 500, rows_total: 1200 });
    // Within the lease nobody else takes it.
    const survivor = worker('survivor');
    expect(await survivor.runOnce()).toBe(false);
    ctx.clock.advance(USER_IMPORT_LEASE_MS + 1);
    expect(await survivor.runOnce()).toBe(true);
    const done = (await request(ctx.app).get(path).set(bearer(s.token)).expect(200)).body;
    expect(done).toMatchObject({ status: 'done', rows_total: 1200, rows_done: 1200, applied: 700, skipped: 500, errors: 0, attempts: 2 });
    expect(await ctx.store.read.users.getByEmail(`user1199@${s.corp}`)).toBeDefined();
    // The dead instance, were it to wake up, can no longer write to the job.
    expect(await ctx.store.read.userImportJobs.progress(queued.body.id, 'dead-instance', { rowsDone: 1, rowsTotal: 1, leaseUntil: ctx.clock.now() })).toBe(false);
  });

  it('SIGTERM drain: a stopped worker releases its job to the queue, and another one runs it', async () => {
    const s = await setting();
    const queued = await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).send({ csv: manyRows(s.corp, 20) }).expect(202);
    const draining = worker('draining');
    const run = draining.runOnce();
    await draining.stop();
    expect(await run).toBe(true);
    const path = new URL(queued.body.url).pathname;
    expect((await request(ctx.app).get(path).set(bearer(s.token)).expect(200)).body).toMatchObject({ status: 'queued', applied: 0 });
    expect(await worker().runOnce()).toBe(true);
    expect((await request(ctx.app).get(path).set(bearer(s.token)).expect(200)).body).toMatchObject({ status: 'done', applied: 20, attempts: 2 });
  });

  it('a job whose uploader lost the right to import fails as a whole, with the reason', async () => {
    const s = await setting();
    const admin = await addMember(ctx, s.org.sid, `adm@${s.corp}`, 'admin');
    const { userImports } = ctx.services;
    const job = await userImports.upload({ kind: 'user', userSid: admin.sid }, s.org.sid, { csv: `email\nx@${s.corp}`, updateRoles: false });
    await ctx.store.transaction((repos) => repos.users.setRole(admin.sid, s.org.sid, 'standard'));
    expect(await worker().runOnce()).toBe(true);
    const res = await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports/${job.id}`).set(bearer(s.token)).expect(200);
    expect(res.body).toMatchObject({ status: 'failed', failure: { code: 'forbidden' } });
    expect((await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports/${job.id}/Report`).set(bearer(s.token)).expect(409)).body.error.message).toMatch(/failed/);
  });

  it('refuses unknown fields, an empty file, a file over the row limit and a bad id (400)', async () => {
    const s = await setting();
    const url = `/Organizations/${s.org.sid}/UserImports`;
    await request(ctx.app).post(url).set(bearer(s.token)).send({ csv: 'email\na@b.c', mode: 'fast' }).expect(400);
    await request(ctx.app).post(url).set(bearer(s.token)).send({ csv: '' }).expect(400);
    const tooMany = await request(ctx.app).post(url).set(bearer(s.token)).send({ csv: manyRows('x.io', 10_001) }).expect(400);
    expect(tooMany.body.error.message).toMatch(/10000 rows/);
    await request(ctx.app).get(`${url}/not-a-uuid`).set(bearer(s.token)).expect(400);
  });

  it('R-U6: another organization\'s client gets 404 for the imports, by path and by id', async () => {
    const s = await setting();
    const other = await setting();
    const queued = await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(s.token)).send({ csv: `email\nz@${s.corp}` }).expect(202);
    await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports`).set(bearer(other.token)).expect(404);
    await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports/${queued.body.id}`).set(bearer(other.token)).expect(404);
    await request(ctx.app).get(`/Organizations/${other.org.sid}/UserImports/${queued.body.id}`).set(bearer(other.token)).expect(404);
    await request(ctx.app).get(`/Organizations/${other.org.sid}/UserImports/${queued.body.id}/Report`).set(bearer(other.token)).expect(404);
    await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(other.token)).send({ csv: `email\nz@${s.corp}` }).expect(404);
    await worker().runOnce();
  });

  it('R-O3: a read-only client and a Standard User cannot upload; the read-only client follows progress; the Owner\'s session uploads', async () => {
    const s = await setting();
    const readOnly = await tokenFor(ctx, await apiClient(ctx, s.ownerActor, s.org.sid, 'read-only'));
    await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(readOnly)).send({ csv: `email\nr@${s.corp}` }).expect(403);
    await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports`).set(bearer(readOnly)).expect(200);
    const std = await addMember(ctx, s.org.sid, `std@${s.corp}`, 'standard');
    const stdSession = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: std.sid, method: 'password', passwordChangedAt: null }));
    const csrf = 'u'.repeat(43);
    await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set('Cookie', `orgward_session=${stdSession.token}; orgward_csrf=${csrf}`).set('X-CSRF-Token', csrf)
      .send({ csv: `email\nr@${s.corp}` }).expect(403);
    await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports`).set('Cookie', `orgward_session=${stdSession.token}`).expect(403);
    const owner = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: s.owner.sid, method: 'password', passwordChangedAt: null }));
    await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set('Cookie', `orgward_session=${owner.token}; orgward_csrf=${csrf}`).set('X-CSRF-Token', csrf)
      .send({ csv: `email\nr@${s.corp}` }).expect(202);
    const operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops' }));
    await request(ctx.app).get(`/Organizations/${s.org.sid}/UserImports`).set(bearer(operator)).expect(200);
    await worker().runOnce();
  });
});

describe('POST /Organizations/{sid}/UserImports with the file itself (text/csv, the console\'s drag-and-drop)', () => {
  it('R-B2: a text/csv body is imported like the JSON one (same columns); UpdateRoles=true changes roles', async () => {
    const s = await setting();
    const url = `/Organizations/${s.org.sid}/UserImports`;
    const csv = ['email;role;name', `carol@${s.corp};admin;Carol`, `dan@${s.corp};;`].join('\r\n');
    const queued = await request(ctx.app).post(url).set(bearer(s.token)).type('text/csv').send(csv).expect(202);
    expect(queued.body).toMatchObject({ status: 'queued', update_roles: false });
    expect(await worker().runOnce()).toBe(true);
    const report = await request(ctx.app).get(`${new URL(queued.body.url).pathname}/Report`).set(bearer(s.token)).expect(200);
    expect(report.body.applied.map((a: { email: string; role: string }) => [a.email, a.role])).toEqual([[`carol@${s.corp}`, 'admin'], [`dan@${s.corp}`, 'standard']]);
    const promote = await request(ctx.app).post(`${url}?UpdateRoles=true`).set(bearer(s.token)).type('text/csv; charset=utf-8').send(`email,role\ndan@${s.corp},admin\n`).expect(202);
    expect(promote.body.update_roles).toBe(true);
    expect(await worker().runOnce()).toBe(true);
    expect((await ctx.store.read.users.getByEmail(`dan@${s.corp}`))?.role).toBe('admin');
  });

  it('a file over the size limit is 413 naming the limit; another media type is 415; UpdateRoles with JSON is 400; nothing is queued', async () => {
    const s = await setting();
    const url = `/Organizations/${s.org.sid}/UserImports`;
    const big = `email\n${'x'.repeat(MAX_BULK_IMPORT_BYTES)}@${s.corp}\n`;
    const tooLarge = await request(ctx.app).post(url).set(bearer(s.token)).type('text/csv').send(big).expect(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining(String(MAX_BULK_IMPORT_BYTES)) });
    const wrongType = await request(ctx.app).post(url).set(bearer(s.token)).type('text/plain').send(`email\na@${s.corp}`).expect(415);
    expect(wrongType.body.error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('text/csv') });
    await request(ctx.app).post(url).set(bearer(s.token)).type('application/xml').send('<csv/>').expect(415);
    await request(ctx.app).post(`${url}?UpdateRoles=true`).set(bearer(s.token)).send({ csv: `email\na@${s.corp}` }).expect(400);
    await request(ctx.app).post(`${url}?UpdateRoles=yes`).set(bearer(s.token)).type('text/csv').send(`email\na@${s.corp}`).expect(400);
    await request(ctx.app).post(url).set(bearer(s.token)).type('text/csv').send('').expect(400);
    expect(await ctx.store.read.userImportJobs.listByOrg(s.org.sid, 10)).toEqual([]);
  });

  it('R-O3, R-U6: a read-only client gets 403 and another organization 404 for a CSV upload too', async () => {
    const s = await setting();
    const other = await setting();
    const readOnly = await tokenFor(ctx, await apiClient(ctx, s.ownerActor, s.org.sid, 'read-only'));
    await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(readOnly)).type('text/csv').send(`email\nr@${s.corp}`).expect(403);
    await request(ctx.app).post(`/Organizations/${s.org.sid}/UserImports`).set(bearer(other.token)).type('text/csv').send(`email\nr@${s.corp}`).expect(404);
    expect(await ctx.store.read.userImportJobs.listByOrg(s.org.sid, 10)).toEqual([]);
  });

  it('the OpenAPI document gives both request media types', async () => {
    const doc = (await request(ctx.app).get('/openapi.json').expect(200)).body;
    const content = doc.paths['/Organizations/{OrganizationSid}/UserImports'].post.requestBody.content;
    expect(Object.keys(content).sort()).toEqual(['application/json', 'text/csv']);
    expect(content['text/csv'].schema).toMatchObject({ type: 'string', maxLength: MAX_BULK_IMPORT_BYTES });
  });
});
