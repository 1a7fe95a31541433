/**
 * The audit log over HTTP (issue 10, L1): filters by actor, action, target and time range, cursor
 * paging, the streamed CSV export, 404 across organizations (U6) and who may read it (O3).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { apiClient, tokenFor } from './support.js';
import { AUDIT_EXPORT_BATCH } from '../../../src/services/audit-log.js';

let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;
let adminToken: string;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function append(orgSid: string, actor: string, action: string, target: string | null, at: string, after: unknown = { n: 1 }) {
  await ctx.store.transaction((repos) => repos.audit.append({ orgSid, actor, action, target, before: null, after }));
  const [row] = await ctx.testDb.db('audit_log').where({ org_sid: orgSid }).max('id as id');
  await ctx.testDb.db('audit_log').where({ id: row!.id }).update({ created_at: new Date(at) });
}

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@audit-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@audit-b.example' });
  adminToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  await append(a.org.sid, 'USaaaa', 'domain.added', 'corp.example', '2026-03-01T10:00:00Z');
  await append(a.org.sid, 'USaaaa', 'member.role_changed', 'USbbbb', '2026-03-02T10:00:00Z');
  await append(a.org.sid, 'operator', 'organization.limits_changed', a.org.sid, '2026-03-03T10:00:00Z');
  await append(a.org.sid, 'USaaaa', 'member.role_changed', 'UScccc', '2026-03-04T10:00:00Z', { note: '=HYPERLINK("x"), "quoted"\nnext' });
  await append(b.org.sid, 'USzzzz', 'member.role_changed', 'USyyyy', '2026-03-02T10:00:00Z');
});
afterAll(() => ctx.close());

const ids = (res: request.Response) => (res.body.content as { target: string }[]).map((e) => e.target);

describe('GET /Organizations/{sid}/AuditLog', () => {
  it('R-L1: filters by actor, action, target and time range', async () => {
    const url = `/Organizations/${a.org.sid}/AuditLog`;
    const byActor = await request(ctx.app).get(`${url}?Actor=operator`).set(bearer(adminToken)).expect(200);
    expect(ids(byActor)).toEqual([a.org.sid]);
    const byAction = await request(ctx.app).get(`${url}?Action=member.role_changed`).set(bearer(adminToken)).expect(200);
    expect(ids(byAction)).toEqual(['USbbbb', 'UScccc']);
    const byTarget = await request(ctx.app).get(`${url}?Target=corp.example`).set(bearer(adminToken)).expect(200);
    expect(byTarget.body.content[0]).toMatchObject({ actor: 'USaaaa', action: 'domain.added', target: 'corp.example', after: { n: 1 }, date_created: '2026-03-01T10:00:00.000Z' });
    const byTime = await request(ctx.app).get(`${url}?StartDate=2026-03-02T00:00:00Z&EndDate=2026-03-04T00:00:00Z`).set(bearer(adminToken)).expect(200);
    expect(ids(byTime)).toEqual(['USbbbb', a.org.sid]);
    const combined = await request(ctx.app).get(`${url}?Actor=USaaaa&Action=member.role_changed&StartDate=2026-03-03T00:00:00%2B00:00`).set(bearer(adminToken)).expect(200);
    expect(ids(combined)).toEqual(['UScccc']);
  });

  it('R-L1: pages forward with PageToken, keeping the filters in next_page_url', async () => {
    const first = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog?Actor=USaaaa&PageSize=2`).set(bearer(adminToken)).expect(200);
    expect(ids(first)).toEqual(['corp.example', 'USbbbb']);
    expect(first.body.meta).toMatchObject({ key: 'content', page: 0, page_size: 2, previous_page_url: null });
    const next = new URL(first.body.meta.next_page_url);
    expect(next.searchParams.get('Actor')).toBe('USaaaa');
    const second = await request(ctx.app).get(next.pathname + next.search).set(bearer(adminToken)).expect(200);
    expect(ids(second)).toEqual(['UScccc']);
    expect(second.body.meta).toMatchObject({ page: 1, next_page_url: null });
  });

  it('R-L1: pages back with previous_page_url (Twilio\'s envelope), keeping the filters, to the first page', async () => {
    const get = async (link: string) => { const u = new URL(link); return request(ctx.app).get(u.pathname + u.search).set(bearer(adminToken)).expect(200); };
    const first = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog?Actor=USaaaa&PageSize=1`).set(bearer(adminToken)).expect(200);
    const second = await get(first.body.meta.next_page_url);
    const third = await get(second.body.meta.next_page_url);
    expect([ids(first), ids(second), ids(third)]).toEqual([['corp.example'], ['USbbbb'], ['UScccc']]);
    expect(new URL(third.body.meta.previous_page_url).searchParams.get('Actor')).toBe('USaaaa');
    const back = await get(third.body.meta.previous_page_url);
    expect(ids(back)).toEqual(['USbbbb']);
    expect(back.body.meta).toMatchObject({ page: 1 });
    expect(ids(await get(back.body.meta.next_page_url))).toEqual(['UScccc']);
    const start = await get(back.body.meta.previous_page_url);
    expect(ids(start)).toEqual(['corp.example']);
    expect(start.body.meta).toMatchObject({ page: 0, previous_page_url: null });
  });

  it('refuses unknown parameters, bad dates, page sizes and forged page tokens with 400', async () => {
    const url = `/Organizations/${a.org.sid}/AuditLog`;
    expect((await request(ctx.app).get(`${url}?actor=x`).set(bearer(adminToken)).expect(400)).body.error.message).toMatch(/actor/);
    await request(ctx.app).get(`${url}?StartDate=yesterday`).set(bearer(adminToken)).expect(400);
    await request(ctx.app).get(`${url}?PageSize=501`).set(bearer(adminToken)).expect(400);
    await request(ctx.app).get(`${url}?PageToken=${Buffer.from("1.1' or 1=1").toString('base64url')}`).set(bearer(adminToken)).expect(400);
    await request(ctx.app).get(`${url}.csv?PageSize=2`).set(bearer(adminToken)).expect(400);
  });

  it('R-U6: a client of organization A gets 404 for B\'s log, as list and as CSV; B\'s entries never appear in A\'s', async () => {
    await request(ctx.app).get(`/Organizations/${b.org.sid}/AuditLog`).set(bearer(adminToken)).expect(404);
    await request(ctx.app).get(`/Organizations/${b.org.sid}/AuditLog.csv`).set(bearer(adminToken)).expect(404);
    const mine = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog?Actor=USzzzz`).set(bearer(adminToken)).expect(200);
    expect(mine.body.content).toEqual([]);
  });

  it('R-O3: a read-only client and the operator read it; a Standard User session cannot (403); the Owner\'s session can', async () => {
    const readOnly = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
    await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog`).set(bearer(readOnly)).expect(200);
    const operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'ops' }));
    await request(ctx.app).get(`/Organizations/${b.org.sid}/AuditLog.csv`).set(bearer(operator)).expect(200);
    const std = await addMember(ctx, a.org.sid, 'std@audit-a.example', 'standard');
    const stdSession = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: std.sid, method: 'password', passwordChangedAt: null }));
    const refused = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog`).set('Cookie', `orgward_session=${stdSession.token}`).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog.csv`).set('Cookie', `orgward_session=${stdSession.token}`).expect(403);
    const ownerSession = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid: a.owner.sid, method: 'password', passwordChangedAt: null }));
    await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog`).set('Cookie', `orgward_session=${ownerSession.token}`).expect(200);
  });
});

describe('CSV export', () => {
  it('R-L1: AuditLog.csv streams every matching entry as CSV, quoted, with formulas defused', async () => {
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog.csv?Action=member.role_changed`).set(bearer(adminToken)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`audit-log-${a.org.sid}.csv`);
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('id,date_created,actor,action,target,before,after,request_id');
    expect(lines[1]).toMatch(/^\d+,2026-03-02T10:00:00\.000000Z,USaaaa,member\.role_changed,USbbbb,,"?\{""?n""?: 1\}"?,$/);
    // The JSON with a quote, a comma and a newline is one quoted cell; the export ends with CRLF.
    expect(res.text).toContain('"{""note"": ""=HYPERLINK(\\""x\\""), \\""quoted\\""\\nnext""}"');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(4);
  });

  it('R-L1: Accept: text/csv on AuditLog exports too', async () => {
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog?Actor=operator`).set(bearer(adminToken)).set('Accept', 'text/csv').expect(200);
    expect(res.text.split('\r\n')).toHaveLength(3);
  });

  it('a cell a spreadsheet would run as a formula gets an apostrophe', async () => {
    await append(a.org.sid, 'USaaaa', 'domain.added', '=cmd|calc', '2026-03-05T10:00:00Z');
    const res = await request(ctx.app).get(`/Organizations/${a.org.sid}/AuditLog.csv?Target=%3Dcmd%7Ccalc`).set(bearer(adminToken)).expect(200);
    expect(res.text).toContain(`,"'=cmd|calc",`);
  });

  it('R-L1: an export longer than one keyset batch has every entry once, in id order', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@audit-many.example' });
    const count = AUDIT_EXPORT_BATCH * 2 + 345;
    await ctx.testDb.db.raw(`INSERT INTO audit_log (org_sid, actor, action, target, after)
      SELECT ?, 'USbulk', 'member.role_changed', 'US' || g, jsonb_build_object('seq', g) FROM generate_series(1, ?) AS g`, [org.org.sid, count]);
    const token = await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'read-only'));
    const res = await request(ctx.app).get(`/Organizations/${org.org.sid}/AuditLog.csv?Actor=USbulk`).set(bearer(token)).expect(200);
    const ids = res.text.split('\r\n').slice(1, -1).map((line) => BigInt(line.split(',')[0]!));
    expect(ids).toHaveLength(count);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });
});
