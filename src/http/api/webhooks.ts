/**
 * Webhook endpoints over the API (issue 13): `/v1/Webhooks` (product-wide; the operator) and
 * `/Organizations/{sid}/Webhooks` (an organization's; its Owner, Administrators and admin API
 * clients, read-only clients list). Create returns the signing secret once; rotate returns a new
 * one (the former keeps signing for 24 hours); the delivery log and replay per endpoint.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import type { WebhookEndpointView } from '../../services/webhooks.js';
import type { DeliveryLogEntry } from '../../store/webhooks.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';

const TAGS = ['Webhooks'];
const WebhookSid = z.string().regex(/^WH[0-9a-f]{32}$/, 'must be a webhook id: WH and 32 lowercase hex digits');

export const WebhookResource = z.object({
  id: z.string(), organization: z.string().nullable().describe('null: product-wide'), url: z.string(), types: z.array(z.string()),
  enabled: z.boolean(), disabled_reason: z.string().nullable(), created_by: z.string(), date_created: z.iso.datetime(),
});
const toResource = (e: WebhookEndpointView): z.infer<typeof WebhookResource> => ({
  id: e.id, organization: e.orgSid, url: e.url, types: [...e.types], enabled: e.enabled, disabled_reason: e.disabledReason, created_by: e.createdBy, date_created: e.createdAt.toISOString(),
});
const DeliveryResource = z.object({
  id: z.string(), event: z.string(), status: z.enum(['pending', 'delivered', 'failed']), attempts: z.number().int(),
  response_status: z.number().int().nullable(), error: z.string().nullable(), date_created: z.iso.datetime(), date_delivered: z.iso.datetime().nullable(),
});
const toDelivery = (d: DeliveryLogEntry): z.infer<typeof DeliveryResource> => ({
  id: d.deliveryId, event: d.eventId, status: d.status, attempts: d.attempts, response_status: d.lastStatus, error: d.lastError,
  date_created: new Date(d.createdAt).toISOString(), date_delivered: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString(),
});

const NewWebhook = z.strictObject({
  url: z.string().min(1).max(2000).describe('Where deliveries are POSTed (public addresses only unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true).'),
  types: z.array(z.string().max(100)).max(100).optional().describe('Event types to send (user.suspended, user.*); none: all.'),
});

/** The same routes at both levels: `base` is '/v1' (product-wide) or '/Organizations/{OrganizationSid}'. */
function routesAt(services: Services, level: 'product' | 'organization'): ApiRoute[] {
  const base = level === 'product' ? '/v1/Webhooks' : '/Organizations/{OrganizationSid}/Webhooks';
  const orgOf = (params: object) => (level === 'product' ? null : (params as { OrganizationSid: string }).OrganizationSid);
  const p = level === 'product' ? {} : { OrganizationSid };
  const who = level === 'product' ? ' (product-wide; operator)' : '';
  // Product-wide webhooks carry every organization's events: the operator's alone (rules/route-access.ts).
  const audience = level === 'product' ? 'operator' : 'admin';
  const reads = `${audience}:read` as const;
  const writes = `${audience}:write` as const;
  return [
    defineRoute({
      method: 'post', path: base, summary: `Add a webhook${who}; the secret is shown once`, tags: TAGS, auth: 'principal', errors: 'orgward', access: writes,
      ...(level === 'organization' && { params: z.strictObject(p) }), body: NewWebhook,
      responses: { 201: { description: 'The webhook and its signing secret', schema: WebhookResource.extend({ secret: z.string() }) } },
      async handler({ params, body, principal }) {
        const { endpoint, secret } = await services.webhooks.add(principal.actor, orgOf(params), { url: body.url, types: body.types });
        return { status: 201, body: { ...toResource(endpoint), secret } };
      },
    }),
    defineRoute({
      method: 'get', path: base, summary: `List webhooks${who}`, tags: TAGS, auth: 'principal', errors: 'orgward', access: reads,
      ...(level === 'organization' && { params: z.strictObject(p) }),
      responses: { 200: { description: 'The webhooks', schema: z.object({ webhooks: z.array(WebhookResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { webhooks: (await services.webhooks.list(principal.actor, orgOf(params))).map(toResource) } };
      },
    }),
    defineRoute({
      method: 'delete', path: `${base}/{WebhookSid}`, summary: `Remove a webhook${who}`, tags: TAGS, auth: 'principal', errors: 'orgward', access: writes,
      params: z.strictObject({ ...p, WebhookSid }), responses: { 204: { description: 'Removed' } },
      async handler({ params, principal }) {
        await services.webhooks.remove(principal.actor, orgOf(params), params.WebhookSid);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/{WebhookSid}/Secret`, summary: 'Rotate the signing secret (the former one signs too for 24 hours)', tags: TAGS, auth: 'principal', errors: 'orgward', access: writes,
      params: z.strictObject({ ...p, WebhookSid }),
      responses: { 200: { description: 'The new secret', schema: z.object({ secret: z.string(), previous_secret_expires: z.iso.datetime() }) } },
      async handler({ params, principal }) {
        const r = await services.webhooks.rotateSecret(principal.actor, orgOf(params), params.WebhookSid);
        return { status: 200, body: { secret: r.secret, previous_secret_expires: r.previousExpiresAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/{WebhookSid}/Enable`, summary: 'Turn a disabled webhook (410 Gone) back on', tags: TAGS, auth: 'principal', errors: 'orgward', access: writes,
      params: z.strictObject({ ...p, WebhookSid }), responses: { 200: { description: 'The webhook', schema: WebhookResource } },
      async handler({ params, principal }) {
        return { status: 200, body: toResource(await services.webhooks.enable(principal.actor, orgOf(params), params.WebhookSid)) };
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/{WebhookSid}/Deliveries`, summary: 'The delivery log, newest first', tags: TAGS, auth: 'principal', errors: 'orgward', access: reads,
      params: z.strictObject({ ...p, WebhookSid }), query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: { 200: { description: 'Deliveries with their last response status', schema: z.object({ deliveries: z.array(DeliveryResource) }) } },
      async handler({ params, query, principal }) {
        return { status: 200, body: { deliveries: (await services.webhooks.deliveries(principal.actor, orgOf(params), params.WebhookSid, query.limit)).map(toDelivery) } };
      },
    }),
    defineRoute({
      method: 'post', path: `${base}/{WebhookSid}/Replay`, summary: 'Send an event to this webhook again (same webhook-id)', tags: TAGS, auth: 'principal', errors: 'orgward', access: writes,
      params: z.strictObject({ ...p, WebhookSid }), body: z.strictObject({ event: z.string().min(1).max(40) }),
      responses: { 202: { description: 'Queued', schema: z.object({ queued: z.literal(true) }) } },
      async handler({ params, body, principal }) {
        await services.webhooks.replay(principal.actor, orgOf(params), params.WebhookSid, body.event);
        return { status: 202, body: { queued: true } };
      },
    }),
  ];
}

export function webhookRoutes(services: Services): ApiRoute[] {
  return [...routesAt(services, 'product'), ...routesAt(services, 'organization')];
}
