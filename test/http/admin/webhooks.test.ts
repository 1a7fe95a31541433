/**
 * Admin Center Webhooks page (issue 13, the organization's own endpoints): the signing secret shown
 * once and verifiable with `standardwebhooks`, the delivery log, replay with the same webhook-id,
 * rotation (both signatures during the overlap), turning a 410-disabled endpoint back on, removal
 * behind a confirmation; a Standard User gets 403 and another organization's endpoint is 404 (U6).
 */
import { Webhook } from 'standardwebhooks';
import { createWebhookSender, type WebhookSender } from '../../../src/adapters/webhook-target.js';
import { createEventWorker, type EventWorker } from '../../../src/jobs/event-worker.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, createOrgWithOwner, type OrgWithOwner } from '../../support/fixtures.js';
import { startReceiver, until, type Receiver } from '../../jobs/webhook-support.js';
import { get, post, sessionCookie } from './support.js';

let ctx: TestContext;
let sender: WebhookSender;
let worker: EventWorker;
let org: OrgWithOwner;
let adminCookie: string;
let standardCookie: string;
let receiver: Receiver;

beforeAll(async () => {
  ctx = await createTestContext({ events: { allowPrivateTargets: true } });
  sender = createWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
  worker = createEventWorker({ events: ctx.services.events, delivery: ctx.services.webhookDelivery, sender, logger: ctx.services.deps.logger, leaseMs: 60_000 });
  org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@hooks.test' });
  adminCookie = await sessionCookie(ctx, (await addMember(ctx, org.org.sid, 'admin@hooks.test', 'admin')).sid);
  standardCookie = await sessionCookie(ctx, (await addMember(ctx, org.org.sid, 'std@hooks.test')).sid);
  receiver = await startReceiver();
});
afterAll(async () => { await worker.stop(); sender.close(); await receiver.close(); await ctx.close(); });

const secretOn = (html: string): string => /<code class="copyable" id="secret-value">([^<]+)<\/code>/.exec(html)?.[1] ?? '';
const rename = (target: string) => ctx.store.transaction((repos) => repos.audit.append({ orgSid: org.org.sid, actor: 'operator', action: 'organization.renamed', target, before: null, after: null }));
const verified = (secret: string, i: number) => new Webhook(secret).verify(receiver.received[i]!.body, receiver.received[i]!.headers) as { type: string };

describe('Webhooks page', () => {
  it('adds an endpoint, shows its secret once, and the deliveries it signs verify with that secret', async () => {
    const added = await post(ctx, adminCookie, '/admin/webhooks', { url: receiver.url, types: 'organization.*, user.created' }).expect(201);
    expect(added.headers['cache-control']).toBe('no-store');
    const secret = secretOn(added.text);
    expect(secret).toMatch(/^whsec_/);
    const list = (await get(ctx, adminCookie, '/admin/webhooks').expect(200)).text;
    expect(list).toContain(receiver.url);
    expect(list).toContain('organization.*, user.created');
    expect(list).not.toContain(secret);
    await rename('first');
    await until(() => receiver.received.length >= 1, () => worker.runOnce());
    expect(verified(secret, 0).type).toBe('organization.updated');

    const id = /href="\/admin\/webhooks\/(WH[0-9a-f]{32})"/.exec(list)![1]!;
    const page = (await get(ctx, adminCookie, `/admin/webhooks/${id}`).expect(200)).text;
    expect(page).toMatch(/<td>delivered<\/td><td>1<\/td><td>HTTP 200<\/td>/);
    expect(page).not.toContain(secret);

    // Replay: the same event again, with the same webhook-id.
    const eventId = /name="event" value="([^"]+)"/.exec(page)![1]!;
    await post(ctx, adminCookie, `/admin/webhooks/${id}/replay`, { event: eventId }).expect(303);
    await until(() => receiver.received.length >= 2, () => worker.runOnce());
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);

    // Rotation: a new secret, and the former one still verifies during the overlap.
    expect((await get(ctx, adminCookie, `/admin/webhooks/${id}/confirm/rotate`).expect(200)).text).toContain(`action="/admin/webhooks/${id}/rotate"`);
    const rotated = secretOn((await post(ctx, adminCookie, `/admin/webhooks/${id}/rotate`).expect(201)).text);
    expect(rotated).not.toBe(secret);
    await rename('second');
    await until(() => receiver.received.length >= 3, () => worker.runOnce());
    expect(verified(rotated, 2).type).toBe('organization.updated');
    expect(verified(secret, 2).type).toBe('organization.updated');

    // A 410 turns the endpoint off; the page turns it back on.
    receiver.answers.push({ status: 410 });
    await rename('gone');
    await until(async () => !(await ctx.services.webhooks.list(org.ownerActor, org.org.sid))[0]!.enabled, () => worker.runOnce());
    const off = (await get(ctx, adminCookie, `/admin/webhooks/${id}`).expect(200)).text;
    expect(off).toContain('Turn back on');
    await post(ctx, adminCookie, `/admin/webhooks/${id}/enable`).expect(303);
    expect((await ctx.services.webhooks.list(org.ownerActor, org.org.sid))[0]!.enabled).toBe(true);

    await get(ctx, adminCookie, `/admin/webhooks/${id}/confirm/remove`).expect(200);
    await post(ctx, adminCookie, `/admin/webhooks/${id}/remove`).expect(303);
    expect(await ctx.services.webhooks.list(org.ownerActor, org.org.sid)).toHaveLength(0);
  });

  it('refuses a target that is not a URL, with the reason, and adds nothing', async () => {
    const res = await post(ctx, adminCookie, '/admin/webhooks', { url: 'not a url' }).expect(400);
    expect(res.text).toContain('invalid_input');
    expect(await ctx.services.webhooks.list(org.ownerActor, org.org.sid)).toHaveLength(0);
  });

  it('O3, U6: a Standard User gets 403; another organization\'s endpoint is not found', async () => {
    await get(ctx, standardCookie, '/admin/webhooks').expect(403);
    await post(ctx, standardCookie, '/admin/webhooks', { url: receiver.url }).expect(403);
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@other-hooks.test' });
    const { endpoint } = await ctx.services.webhooks.add(other.ownerActor, other.org.sid, { url: receiver.url });
    await get(ctx, adminCookie, `/admin/webhooks/${endpoint.id}`).expect(404);
    await post(ctx, adminCookie, `/admin/webhooks/${endpoint.id}/remove`).expect(404);
    expect(await ctx.services.webhooks.list(other.ownerActor, other.org.sid)).toHaveLength(1);
  });
});
