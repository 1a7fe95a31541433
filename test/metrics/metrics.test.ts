/**
 * The metrics move with traffic (issue 12): a sign-in increments the right series, a SCIM request
 * its operation, an HTTP request its route template; failed sign-ins and SCIM authentication
 * failures are logged for a SIEM, without secrets; the public app never serves /metrics.
 */
import request from 'supertest';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics/registry.js';
import { scimOperationOf } from '../../src/metrics/http.js';
import { onQueryError, outboxBacklog, poolStats, userImportBacklog, webhookDeliveryBacklog } from '../../src/store/ops-stats.js';
import { totpCode } from '../../src/services/totp.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { createOrgWithOwner } from '../support/fixtures.js';
import { PASSWORD, postForm, signInWithPassword, userWithPassword } from '../http/auth/support.js';

let ctx: TestContext;
let metrics: Metrics;
let orgSid: string;
const lines: string[] = [];

beforeAll(async () => {
  metrics = createMetrics();
  ctx = await createTestContext({ metrics, logger: createLogger('info', (l) => lines.push(l)) });
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@metrics.test' })).org.sid;
});
afterAll(async () => { await ctx.close(); });

/** The value of one series in the exposition text (0 when absent). */
async function value(series: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('metrics and sign-in events', () => {
  it('counts a failed and a successful password sign-in by method and outcome, and logs both without the password', async () => {
    await userWithPassword(ctx, 'mira@metrics.test', orgSid);
    const failed = 'orgward_sign_ins_total{method="password",outcome="invalid_credentials"}';
    const succeeded = 'orgward_sign_ins_total{method="password",outcome="success"}';
    const totp = 'orgward_sign_ins_total{method="totp",outcome="success"}';
    const before = { failed: await value(failed), succeeded: await value(succeeded), totp: await value(totp) };

    const wrong = await postForm(request.agent(ctx.app), '/login/password', { email: 'mira@metrics.test', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(await value(failed)).toBe(before.failed + 1);
    expect(await value(succeeded)).toBe(before.succeeded);

    await signInWithPassword(ctx, request.agent(ctx.app), 'mira@metrics.test');
    expect(await value(succeeded)).toBe(before.succeeded + 1);
    expect(await value(totp)).toBe(before.totp + 1);

    const events = logged().filter((e) => e.event === 'sign_in' && e.email === 'mira@metrics.test');
    expect(events.map((e) => [e.method, e.outcome, e.level])).toEqual([['password', 'invalid_credentials', 'warn'], ['password', 'success', 'info']]);
    expect(events[0]).toMatchObject({ msg: 'sign-in failed', clientAddress: expect.any(String) });
    expect(lines.join('\n')).not.toContain('not the password');
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });

  it('counts a wrong TOTP code as a totp failure and a recovery-code-shaped one as recovery_code', async () => {
    await userWithPassword(ctx, 'noor@metrics.test', orgSid);
    const { secret } = await signInWithPassword(ctx, request.agent(ctx.app), 'noor@metrics.test');
    const agent = request.agent(ctx.app);
    await postForm(agent, '/login/password', { email: 'noor@metrics.test', password: PASSWORD });
    const wrongTotp = 'orgward_sign_ins_total{method="totp",outcome="invalid_credentials"}';
    const wrongRecovery = 'orgward_sign_ins_total{method="recovery_code",outcome="invalid_credentials"}';
    const before = [await value(wrongTotp), await value(wrongRecovery)];
    const code = totpCode(secret, ctx.clock.now()) === '000000' ? '111111' : '000000';
    expect((await postForm(agent, '/login/second-factor', { code })).status).toBe(401);
    expect((await postForm(agent, '/login/second-factor', { code: 'abcde-fghij' })).status).toBe(401);
    expect([await value(wrongTotp), await value(wrongRecovery)]).toEqual([before[0]! + 1, before[1]! + 1]);
    expect(lines.join('\n')).not.toContain('abcde-fghij');
  });

  it('records HTTP requests by route template, never the raw path', async () => {
    await request(ctx.app).get('/healthz').expect(200);
    expect(await value('orgward_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"}')).toBeGreaterThanOrEqual(1);
    await request(ctx.app).get('/no/such/path/123').expect(404);
    const text = await metrics.registry.metrics();
    expect(text).toContain('route="(unmatched)",method="GET",status="404"');
    expect(text).not.toContain('/no/such/path/123');
    const api = await request(ctx.app).get(`/Organizations/${orgSid}`);
    expect(api.status).toBe(401);
    const after = await metrics.registry.metrics();
    expect(after).toMatch(/route="\/Organizations\/:OrganizationSid",method="GET",status="401"/);
    expect(after).not.toContain(orgSid);
  });

  it('counts SCIM operations and logs a failed SCIM authentication without the token', async () => {
    const series = 'orgward_scim_operations_total{resource="Users",op="list",status="401"}';
    const before = await value(series);
    const res = await request(ctx.app).get('/scim/v2/Users?count=1').set('Authorization', 'Bearer owscim_not-a-real-token-123');
    expect(res.status).toBe(401);
    expect(await value(series)).toBe(before + 1);
    expect(await value('orgward_http_request_duration_seconds_count{route="/scim/v2/Users",method="GET",status="401"}')).toBeGreaterThanOrEqual(1);
    const event = logged().find((e) => e.event === 'scim_auth');
    expect(event).toMatchObject({ level: 'warn', msg: 'scim authentication failed', outcome: 'scim_token_invalid' });
    expect(lines.join('\n')).not.toContain('not-a-real-token-123');
  });

  it('names SCIM operations from method and path', () => {
    expect(scimOperationOf('GET', '/Users/abc')).toEqual({ resource: 'Users', op: 'get', route: '/scim/v2/Users/:id' });
    expect(scimOperationOf('POST', '/Groups')).toEqual({ resource: 'Groups', op: 'create', route: '/scim/v2/Groups' });
    expect(scimOperationOf('PATCH', '/groups/g1')).toMatchObject({ resource: 'Groups', op: 'patch' });
    expect(scimOperationOf('POST', '/Users/.search')).toMatchObject({ resource: 'Users', op: 'search' });
    expect(scimOperationOf('POST', '/Bulk')).toMatchObject({ resource: 'Bulk', op: 'bulk' });
    expect(scimOperationOf('DELETE', '/Nope/1')).toMatchObject({ resource: 'other', op: 'other' });
  });

  it('the public app answers 404 for /metrics', async () => {
    const res = await request(ctx.app).get('/metrics');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('orgward_');
  });

  it('reads the outbox, job queue and pool gauges from the database at scrape time', async () => {
    const { db } = ctx.testDb;
    await db('mail_outbox').update({ sent_at: ctx.clock.now() }).whereNull('sent_at');
    await db('mail_outbox').insert({ recipient: 'late@metrics.test', subject: 's', body_text: 'b', created_at: new Date(ctx.clock.now().getTime() - 120_000) });
    metrics.observeOutbox(() => outboxBacklog(db, ctx.clock.now()));
    metrics.registerQueue('user_import', () => userImportBacklog(db, ctx.clock.now()));
    metrics.observePool(() => poolStats(db));
    expect(await value('orgward_mail_outbox_depth')).toBe(1);
    expect(await value('orgward_mail_outbox_oldest_age_seconds')).toBeCloseTo(120, 0);
    expect(await value('orgward_job_queue_depth{queue="user_import"}')).toBe(0);
    expect(await value('orgward_job_queue_failed{queue="user_import"}')).toBe(0);
    expect(await metrics.registry.metrics()).toMatch(/^orgward_db_pool_in_use \d+$/m);
  });

  it('reads the webhook delivery queue: pending depth, the oldest one\'s age, failed deliveries', async () => {
    const { db } = ctx.testDb;
    const now = ctx.clock.now().getTime();
    await db('webhook_endpoints').insert({ id: `WH${'a'.repeat(32)}`, url: 'https://hooks.metrics.test/in', secret_encrypted: 'sealed', created_by: 'test' });
    const delivery = (position: number, status: string, ageMs: number) => ({
      endpoint_id: `WH${'a'.repeat(32)}`, event_position: position, event_sid: `EV${String(position).repeat(32).slice(0, 32)}`, status, created_at: new Date(now - ageMs),
    });
    await db('webhook_deliveries').insert([delivery(1, 'failed', 900_000), delivery(2, 'pending', 60_000), delivery(3, 'pending', 1_000), delivery(4, 'delivered', 5_000)]);
    metrics.registerQueue('webhook_delivery', () => webhookDeliveryBacklog(db, ctx.clock.now()));
    expect(await value('orgward_job_queue_depth{queue="webhook_delivery"}')).toBe(2);
    expect(await value('orgward_job_queue_oldest_age_seconds{queue="webhook_delivery"}')).toBeCloseTo(60, 0);
    expect(await value('orgward_job_queue_failed{queue="webhook_delivery"}')).toBe(1);
  });

  it('counts failed database statements', async () => {
    const { db } = ctx.testDb;
    onQueryError(db, () => metrics.queryError());
    const before = await value('orgward_db_query_errors_total');
    await expect(db.raw('SELECT * FROM no_such_table')).rejects.toThrow();
    expect(await value('orgward_db_query_errors_total')).toBe(before + 1);
  });
});

describe('SSO rejections', () => {
  it('counts a refused SAML response by its reason code, as a failed saml sign-in', async () => {
    const before = await metrics.registry.metrics();
    const res = await request(ctx.app).post('/sso/saml/00000000-0000-4000-8000-000000000000/acs').type('form').send({ SAMLResponse: 'bm90IHhtbA==' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const code = /<code>([a-z_]+)<\/code>/.exec(res.text)?.[1];
    expect(code).toBeDefined();
    expect(before).not.toContain(`orgward_sso_rejections_total{protocol="saml",code="${code}"}`);
    expect(await value(`orgward_sso_rejections_total{protocol="saml",code="${code}"}`)).toBe(1);
    expect(await value(`orgward_sign_ins_total{method="saml",outcome="${code}"}`)).toBe(1);
  });
});
