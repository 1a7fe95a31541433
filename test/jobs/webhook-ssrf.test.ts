/**
 * Webhook SSRF (issue 13): with WEBHOOK_ALLOW_PRIVATE_TARGETS off, targets resolving to loopback,
 * private or link-local addresses are refused when added, and again at delivery (a name that
 * resolves to loopback later, DNS rebinding, is not connected to).
 */
import request from 'supertest';
import { createWebhookSender, nonPublicRange, checkTarget } from '../../src/adapters/webhook-target.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';
import { apiClient, tokenFor } from '../http/api/support.js';
import { startReceiver, type Receiver } from './webhook-support.js';

let ctx: TestContext;
let a: OrgWithOwner;
let admin: string;
let receiver: Receiver;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@ssrf.example' });
  admin = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  receiver = await startReceiver();
});
afterAll(async () => { await receiver.close(); await ctx.close(); });

describe('webhook targets', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'], ['http://localhost/hook', 'loopback'], ['http://10.1.2.3/', 'private'],
    ['http://192.168.0.10/', 'private'], ['http://169.254.169.254/latest/meta-data', 'linkLocal'], ['http://[::1]/', 'loopback'],
    ['http://[fd00::1]/', 'uniqueLocal'], ['http://0.0.0.0/', 'unspecified'], ['http://[::ffff:127.0.0.1]/', 'loopback'],
  ])('refuses %s when added (%s)', async (url, range) => {
    const res = await request(ctx.app).post(`/Organizations/${a.org.sid}/Webhooks`).set({ Authorization: `Bearer ${admin}` }).send({ url }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'webhook_target_refused', message: expect.stringContaining('WEBHOOK_ALLOW_PRIVATE_TARGETS') });
    expect(res.body.error.message).toContain(range);
  });

  it('classifies public addresses as public', () => {
    expect(nonPublicRange('93.184.216.34')).toBeNull();
    expect(nonPublicRange('2606:4700::1111')).toBeNull();
    expect(nonPublicRange('100.64.0.1')).toBe('carrierGradeNat');
  });

  it('refuses at delivery too: the connection\'s own lookup checks the address (DNS rebinding)', async () => {
    const sender = createWebhookSender({ allowPrivate: false, timeoutMs: 2000 });
    try {
      const byName = await sender.send(receiver.url.replace('127.0.0.1', 'localhost'), {}, '{}');
      expect(byName).toMatchObject({ status: null, error: expect.stringContaining('WEBHOOK_ALLOW_PRIVATE_TARGETS') });
      const byAddress = await sender.send(receiver.url, {}, '{}');
      expect(byAddress).toMatchObject({ status: null, error: expect.stringContaining('loopback') });
      expect(receiver.received).toHaveLength(0);
    } finally {
      sender.close();
    }
    // With the setting on, the same receiver is reached.
    const allowed = createWebhookSender({ allowPrivate: true });
    try {
      expect((await allowed.send(receiver.url, {}, '{}')).status).toBe(200);
    } finally {
      allowed.close();
    }
    await expect(checkTarget(receiver.url, true)).resolves.toBeUndefined();
  });
});
