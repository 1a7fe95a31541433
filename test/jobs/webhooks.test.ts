/**
 * Webhooks (issue 13): endpoints over the API at both levels, deliveries signed per Standard
 * Webhooks and verified with the `standardwebhooks` package, type filters, ordered per endpoint
 * with retries that honour Retry-After, 410 disables, the delivery log, replay, secret rotation
 * (both signatures during the overlap), and two instances on one database delivering in order
 * with none lost when one stops mid-delivery. A real HTTP receiver on loopback
 * (WEBHOOK_ALLOW_PRIVATE_TARGETS on; webhook-ssrf.test.ts proves the refusal with it off).
 */
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { createWebhookSender, type WebhookSender } from '../../src/adapters/webhook-target.js';
import { createEventWorker, type EventWorker } from '../../src/jobs/event-worker.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { createOrgWithOwner, OPERATOR, type OrgWithOwner } from '../support/fixtures.js';
import { apiClient, tokenFor } from '../http/api/support.js';
import { startReceiver, until, type Receiver } from './webhook-support.js';

let ctx: TestContext;
let sender: WebhookSender;
let worker: EventWorker;
let a: OrgWithOwner;
let b: OrgWithOwner;
let operator: string;
let adminA: string;
let readOnlyA: string;
let adminB: string;
let receiver: Receiver;
let n = 0;

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
type Payload = { id: string; type: string; organization: string; data: { target: string } };

beforeAll(async () => {
  ctx = await createTestContext({ events: { allowPrivateTargets: true } });
  sender = createWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
  worker = createEventWorker({ events: ctx.services.events, delivery: ctx.services.webhookDelivery, sender, logger: ctx.services.deps.logger, leaseMs: 60_000 });
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@wh-a.example' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@wh-b.example' });
  operator = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient(OPERATOR, { name: 'product' }));
  adminA = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  readOnlyA = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
  adminB = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
});
afterAll(async () => { await worker.stop(); sender.close(); await ctx.close(); });
beforeEach(async () => { receiver = await startReceiver(); });
afterEach(async () => {
  // Endpoints of a finished test stop receiving.
  for (const w of (await ctx.store.read.webhooks.list(a.org.sid))) await ctx.store.read.webhooks.delete(w.id);
  for (const w of (await ctx.store.read.webhooks.list(null))) await ctx.store.read.webhooks.delete(w.id);
  await receiver.close();
});

/** A change in `org`: an audit entry (and so an event) renaming it. */
const change = (org: OrgWithOwner, target = `change-${(n += 1)}`) =>
  ctx.store.transaction((repos) => repos.audit.append({ orgSid: org.org.sid, actor: 'operator', action: 'organization.renamed', target, before: null, after: null })).then(() => target);

const payloads = (r: Receiver) => r.received.map((x) => JSON.parse(x.body) as Payload);

describe('endpoints and signed deliveries', () => {
  it('an organization endpoint receives its organization\'s events, signed per Standard Webhooks', async () => {
    const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url }).expect(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^WH[0-9a-f]{32}$/), organization: a.org.sid, url: receiver.url, enabled: true, secret: expect.stringMatching(/^whsec_/) });
    const listed = await request(ctx.app).get(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(readOnlyA)).expect(200);
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    await change(b);
    const target = await change(a);
    await until(() => payloads(receiver).some((p) => p.type === 'organization.updated'), () => worker.runOnce());
    // Its own creation is an event of the organization too (webhook.created), delivered first.
    expect(payloads(receiver).map((p) => p.type)).toEqual(['webhook.created', 'organization.updated']);
    const got = receiver.received[1];
    const verified = new Webhook(created.body.secret).verify(got!.body, got!.headers) as Payload;
    expect(verified).toMatchObject({ type: 'organization.updated', organization: a.org.sid, data: { target } });
    expect(got!.headers['webhook-id']).toBe(verified.id);
    // Another organization's event never reaches it.
    expect(payloads(receiver).every((p) => p.organization === a.org.sid)).toBe(true);
    const log = await request(ctx.app).get(`/Organizations/${a.org.sid}/Webhooks/${created.body.id}/Deliveries`).set(bearer(adminA)).expect(200);
    expect(log.body.deliveries).toHaveLength(2);
    expect(log.body.deliveries[0]).toMatchObject({ event: verified.id, status: 'delivered', response_status: 200, attempts: 1 });
  });

  it('a product-wide endpoint (operator) receives every organization\'s events, filtered by type', async () => {
    const created = await request(ctx.app).post('/v1/Webhooks').set(bearer(operator)).send({ url: receiver.url, types: ['organization.*'] }).expect(201);
    expect(created.body.organization).toBeNull();
    await ctx.services.domains.add(a.ownerActor, a.org.sid, 'wh-a.example');
    await change(a);
    await change(b);
    await until(() => receiver.received.length >= 2, () => worker.runOnce());
    expect(payloads(receiver).map((p) => [p.organization, p.type])).toEqual([[a.org.sid, 'organization.updated'], [b.org.sid, 'organization.updated']]);
  });

  it('R-U6, O3: another organization\'s webhook is 404, a read-only client cannot add, only the operator adds product-wide', async () => {
    const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url }).expect(201);
    await request(ctx.app).delete(`/Organizations/${b.org.sid}/Webhooks/${created.body.id}`).set(bearer(adminB)).expect(404);
    await request(ctx.app).get(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminB)).expect(404);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(readOnlyA)).send({ url: receiver.url }).expect(403);
    await request(ctx.app).post('/v1/Webhooks').set(bearer(adminA)).send({ url: receiver.url }).expect(403);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: 'ftp://x.example/' }).expect(400);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url, types: ['NOPE'] }).expect(400);
    await request(ctx.app).delete(`/Organizations/${a.org.sid}/Webhooks/${created.body.id}`).set(bearer(adminA)).expect(204);
  });
});

describe('retries, order, 410, replay, rotation', () => {
  it('a failed delivery is retried after Retry-After, and later events wait behind it (order per endpoint)', async () => {
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
    receiver.answers = [{ status: 503, headers: { 'Retry-After': '120' } }];
    const first = await change(a);
    const second = await change(a);
    await until(() => receiver.received.length >= 1, () => worker.runOnce());
    await worker.runOnce();
    // Only the failed attempt so far: the second event waits behind the first.
    expect(payloads(receiver).map((p) => p.data.target)).toEqual([first]);
    ctx.clock.advance(121_000);
    await until(() => receiver.received.length >= 3, () => worker.runOnce());
    expect(payloads(receiver).map((p) => p.data.target)).toEqual([first, first, second]);
    expect(receiver.received[0]!.headers['webhook-id']).toBe(receiver.received[1]!.headers['webhook-id']);
  });

  it('order per endpoint holds across positions of different lengths (99,999 before 100,000)', async () => {
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
    await ctx.testDb.db.raw(`SELECT setval('event_positions', GREATEST((SELECT last_value FROM event_positions), 99995))`);
    // The first delivery fails, so the queue holds them all; then it drains in one run.
    receiver.answers = [{ status: 503, headers: { 'Retry-After': '60' } }];
    const targets: string[] = [];
    for (let i = 0; i < 12; i += 1) targets.push(await change(a));
    await until(() => receiver.received.length >= 1, () => worker.runOnce());
    ctx.clock.advance(61_000);
    await until(() => receiver.received.length >= 13, () => worker.runOnce());
    expect(payloads(receiver).map((p) => p.data.target)).toEqual([targets[0], ...targets]);
  });

  it('410 Gone disables the endpoint; enabling it delivers what waits', async () => {
    const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
    receiver.answers = [{ status: 410 }];
    const target = await change(a);
    await until(() => receiver.received.length >= 1, () => worker.runOnce());
    await worker.runOnce();
    const [endpoint] = (await request(ctx.app).get(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).expect(200)).body.webhooks;
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('410') });
    await change(a);
    await worker.runOnce();
    expect(receiver.received).toHaveLength(1);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks/${created.body.id}/Enable`).set(bearer(adminA)).expect(200);
    await until(() => receiver.received.length >= 2, () => worker.runOnce());
    expect(payloads(receiver)[1]!.data.target).toBe(target);
  });

  it('Standard Webhooks semantics: events of the time an endpoint was disabled stay in the feed and are never sent to it, even after Enable', async () => {
    const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
    const id = created.body.id as string;
    receiver.answers = [{ status: 410 }];
    const gone = await change(a);
    await until(() => receiver.received.length >= 1, () => worker.runOnce());
    await worker.runOnce();
    expect((await ctx.store.read.webhooks.get(id))?.enabled).toBe(false);
    // While disabled: one event the background sequencer has seen, one it has not yet when the endpoint is enabled again.
    const whileOffSeen = await change(a);
    await worker.runOnce();
    const whileOffUnseen = await change(a);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks/${id}/Enable`).set(bearer(adminA)).expect(200);
    const after = await change(a);
    await until(() => receiver.received.length >= 3, () => worker.runOnce());
    for (let i = 0; i < 5; i += 1) await worker.runOnce();
    // The delivery answered 410 is sent again (same webhook-id), then what happened after Enable; nothing of the time off.
    expect(payloads(receiver).map((p) => p.data.target)).toEqual([gone, gone, after]);
    expect(receiver.received[0]!.headers['webhook-id']).toBe(receiver.received[1]!.headers['webhook-id']);
    // The feed keeps every event: a receiver catches up on the time off by reading it.
    const feed = (await request(ctx.app).get(`/Organizations/${a.org.sid}/Events?types=organization.updated&limit=1000`).set(bearer(adminA)).expect(200)).body.events as Payload[];
    const idOf = new Map(feed.map((e) => [e.data.target, e.id]));
    expect([gone, whileOffSeen, whileOffUnseen, after].every((t) => idOf.has(t))).toBe(true);
    // The delivery log has no delivery of them either (so nothing to replay).
    const log = (await request(ctx.app).get(`/Organizations/${a.org.sid}/Webhooks/${id}/Deliveries`).set(bearer(adminA)).expect(200)).body;
    const logged = JSON.stringify(log);
    expect([gone, after].map((t) => logged.includes(idOf.get(t)!))).toEqual([true, true]);
    expect([whileOffSeen, whileOffUnseen].map((t) => logged.includes(idOf.get(t)!))).toEqual([false, false]);
  });

  it('replay sends an event again with the same webhook-id; rotation signs with both secrets during the overlap', async () => {
    const created = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set(bearer(adminA)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
    await change(a);
    await until(() => receiver.received.length >= 1, () => worker.runOnce());
    const eventId = receiver.received[0]!.headers['webhook-id']!;
    const rotated = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks/${created.body.id}/Secret`).set(bearer(adminA)).expect(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks/${created.body.id}/Replay`).set(bearer(adminA)).send({ event: eventId }).expect(202);
    await until(() => receiver.received.length >= 2, () => worker.runOnce());
    const replayed = receiver.received[1]!;
    expect(replayed.headers['webhook-id']).toBe(eventId);
    expect(replayed.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.body.secret).verify(replayed.body, replayed.headers)).not.toThrow();
    expect(() => new Webhook(created.body.secret).verify(replayed.body, replayed.headers)).not.toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(replayed.body, replayed.headers)).toThrow();
    await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks/${created.body.id}/Replay`).set(bearer(adminA)).send({ event: 'EVnope' }).expect(404);
  });
});

describe('two instances', () => {
  it('a run whose lease ran out records nothing; the instance holding the lease now sends the same deliveries', async () => {
    await ctx.services.events.sequence();
    await request(ctx.app).post('/v1/Webhooks').set(bearer(operator)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
    const targets = [await change(a), await change(a)];
    await ctx.services.events.sequence();
    const now = ctx.clock.now();
    const later = new Date(now.getTime() + 6_000);
    const first = (await ctx.store.read.webhooks.claimHead('instance-1', 5_000, now, 200))!;
    // The head in event order, each delivery with its event.
    expect(first.head.map((d) => d.event?.data.target)).toEqual(targets);
    expect(first.head.map((d) => d.event?.id)).toEqual(first.head.map((d) => d.eventSid));
    expect(await ctx.store.read.webhooks.claimHead('instance-2', 5_000, now, 200)).toBeUndefined();
    const second = (await ctx.store.read.webhooks.claimHead('instance-2', 5_000, later, 200))!;
    expect(second.head.map((d) => d.id)).toEqual(first.head.map((d) => d.id));
    const delivered = first.head.map((d) => ({ deliveryId: d.id, responseStatus: 204, error: null, durationMs: 1, result: { kind: 'delivered' as const } }));
    const states = async () => (await ctx.store.read.webhooks.deliveries(first.endpoint.id, 10)).map((d) => [d.status, d.attempts, d.lastStatus]);
    expect(await ctx.store.transaction((repos) => repos.webhooks.record(first.endpoint.id, 'instance-1', delivered, later))).toBe(false);
    expect(await states()).toEqual([['pending', 0, null], ['pending', 0, null]]);
    expect(await ctx.store.transaction((repos) => repos.webhooks.record(second.endpoint.id, 'instance-2', delivered, later))).toBe(true);
    expect(await states()).toEqual([['delivered', 1, 204], ['delivered', 1, 204]]);
    // Released with nothing left: no instance claims it.
    expect(await ctx.store.read.webhooks.claimHead('instance-3', 5_000, new Date(later.getTime() + 60_000), 200)).toBeUndefined();
  });

  it('deliver in order with none lost when one stops mid-delivery (duplicates keep their webhook-id)', async () => {
    const other = await createTestContext({ testDb: ctx.testDb, clock: ctx.clock, events: { allowPrivateTargets: true } });
    const senderA = createWebhookSender({ allowPrivate: true, timeoutMs: 30_000 });
    const senderB = createWebhookSender({ allowPrivate: true, timeoutMs: 30_000 });
    const first = createEventWorker({ events: ctx.services.events, delivery: ctx.services.webhookDelivery, sender: senderA, logger: ctx.services.deps.logger, leaseMs: 5_000, concurrency: 1 });
    const second = createEventWorker({ events: other.services.events, delivery: other.services.webhookDelivery, sender: senderB, logger: other.services.deps.logger, leaseMs: 5_000, concurrency: 1 });
    try {
      await request(ctx.app).post('/v1/Webhooks').set(bearer(operator)).send({ url: receiver.url, types: ['organization.updated'] }).expect(201);
      const targets: string[] = [];
      for (let i = 0; i < 10; i += 1) targets.push(await change(i % 2 ? a : b));
      // The first instance sends three, then the receiver holds the fourth: it stops mid-delivery.
      receiver.answers = [];
      let answered = 0;
      const run = first.runOnce();
      await until(() => receiver.received.length >= 3, async () => undefined, 10_000);
      receiver.hold = true;
      answered = receiver.received.length;
      await first.halt();
      receiver.hold = false;
      receiver.release();
      await run.catch(() => undefined);
      // Its lease expires; the second instance takes the endpoint over.
      ctx.clock.advance(6_000);
      await until(() => new Set(receiver.received.map((r) => r.headers['webhook-id'])).size >= 10, () => second.runOnce());
      const seen: string[] = [];
      for (const p of payloads(receiver)) if (!seen.includes(p.data.target)) seen.push(p.data.target);
      expect(seen).toEqual(targets);
      expect(answered).toBeGreaterThanOrEqual(3);
      // Every duplicate carries the webhook-id of the first send of that event.
      const ids = new Map<string, string>();
      for (const r of receiver.received) {
        const p = JSON.parse(r.body) as Payload;
        expect(ids.get(p.data.target) ?? r.headers['webhook-id']).toBe(r.headers['webhook-id']);
        ids.set(p.data.target, r.headers['webhook-id']!);
      }
    } finally {
      await second.stop();
      senderA.close();
      senderB.close();
      await other.close();
    }
  });
});
