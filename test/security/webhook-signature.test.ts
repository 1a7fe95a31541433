import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { webhookSigner } from '../../src/security/webhook-signature.js';

describe('webhookSigner (Standard Webhooks, issue 13)', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const at = new Date('2026-12-07T12:00:00Z');
  const id = 'EV0123456789abcdef0123456789abcdef';

  it.each([
    ['ASCII', '{"id":"EV1","type":"user.created"}'],
    ['non-ASCII (UTF-8 bytes are signed)', '{"name":"Zoë Ærø — 東京"}'],
    ['empty', ''],
  ])('signs %s bodies exactly as the standardwebhooks package does', (_, body) => {
    expect(webhookSigner(secret)(id, at.getTime() / 1000, body)).toBe(new Webhook(secret).sign(id, at, body));
  });

  it('produces signatures the standardwebhooks package verifies, and a changed body fails', () => {
    const now = Math.floor(Date.now() / 1000);
    const body = '{"id":"EV1","data":{"target":"US1"}}';
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(now), 'webhook-signature': webhookSigner(secret)(id, now, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'EV1', data: { target: 'US1' } });
    expect(() => new Webhook(secret).verify(body.replace('US1', 'US2'), headers)).toThrow('No matching signature');
  });

  it('refuses an empty secret', () => {
    expect(() => webhookSigner('whsec_')).toThrow('at least one byte');
  });
});
