/**
 * Issue 13: on PostgreSQL the server runs the event worker in a thread of its own
 * (jobs/event-worker-thread.ts). The thread delivers an endpoint's events in order, signed per
 * Standard Webhooks (verified with the `standardwebhooks` package) with the key the process was
 * given; stop() lets it finish and exit; a thread that dies is logged and started again.
 */
import { Webhook } from 'standardwebhooks';
import { createEventWorkerThread, type EventThreadSettings } from '../../src/jobs/event-worker-thread.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { createTestContext, TEST_SECRET_KEY, type TestContext } from '../support/app.js';
import { createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../support/fixtures.js';
import { eventually, startReceiver, type Receiver } from './webhook-support.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

(onPostgres ? describe : describe.skip)('the event worker thread (PostgreSQL)', () => {
  let ctx: TestContext;
  let org: OrgWithOwner;
  let receiver: Receiver;
  let settings: EventThreadSettings;

  beforeAll(async () => {
    ctx = await createTestContext({ events: { allowPrivateTargets: true } });
    org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@thread.example' });
    receiver = await startReceiver();
    settings = { databaseUrl: ctx.testDb.url!, dbTimeoutMs: 5000, secretKeys: [TEST_SECRET_KEY], logLevel: 'silent', allowPrivateTargets: true, retentionDays: 30, pollMs: 20 };
  });
  afterAll(async () => { await receiver.close(); await ctx.close(); });

  it('delivers the events of changes in order, signed with the process\'s key, and stops when told', async () => {
    const { secret } = await ctx.services.webhooks.add(OPERATOR, null, { url: receiver.url, types: ['organization.updated'] });
    const thread = createEventWorkerThread(settings, silentLogger);
    await thread.start();
    const targets = ['first', 'second', 'third'];
    for (const target of targets) {
      await ctx.store.transaction((repos) => repos.audit.append({ orgSid: org.org.sid, actor: 'operator', action: 'organization.renamed', target, before: null, after: null }));
    }
    await eventually(() => receiver.received.length >= targets.length);
    await thread.stop();
    const verified = receiver.received.map((r) => new Webhook(secret).verify(r.body, r.headers) as { type: string; data: { target: string } });
    expect(verified.map((e) => [e.type, e.data.target])).toEqual(targets.map((t) => ['organization.updated', t]));
    const pending = await ctx.testDb.db.raw(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'delivered'`);
    expect(pending.rows[0].n).toBe(0);
  });

  it('a thread that dies is logged and started again; stop() ends the restarts', async () => {
    const lines: string[] = [];
    // No key to open webhook secrets with: the thread fails as it starts.
    const thread = createEventWorkerThread({ ...settings, secretKeys: [] }, createLogger('error', (line) => lines.push(line)));
    await thread.start();
    await eventually(() => lines.some((l) => l.includes('event worker thread exited; starting another')));
    expect(lines.find((l) => l.includes('event worker thread failed'))).toContain('a keyring needs at least one key');
    expect(JSON.parse(lines.find((l) => l.includes('starting another'))!)).toMatchObject({ code: 1, inMs: 1000 });
    await thread.stop();
  });
});
