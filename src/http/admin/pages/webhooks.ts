/**
 * The organization's own webhook endpoints (issue 13): add (the signing secret shown once, on the
 * response of the POST that made it), the delivery log with a replay button, secret rotation (the
 * former secret keeps signing for the overlap), turning a disabled endpoint back on, removal behind a
 * confirmation. The services decide who may (manage_settings: the Owner and Administrators).
 */
import type { Request } from 'express';
import { DomainError } from '../../../errors.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute } from '../page.js';

const back = () => '/admin/webhooks';
const endpointPath = (req: Request) => `/admin/webhooks/${encodeURIComponent(param(req, 'id'))}`;

/** Event types from the form: separated by spaces, commas or lines; none means every type. */
function typesOf(text: string): string[] {
  const types = text.split(/[\s,]+/).filter((t) => t !== '');
  if (types.length > 50) throw new DomainError('invalid_input', 'Give at most 50 event types (a pattern such as user.* counts as one).');
  return types;
}

const secretPage = (secret: string, extra: [string, string][], next: string) => ({
  view: 'secret', title: 'Webhook signing secret', status: 201,
  data: {
    label: 'Signing secret', secret, extra, next,
    note: 'Orgward keeps it encrypted and never shows it again; if it is lost, rotate the secret.',
  },
});

export function webhookPages(): AdminRoute[] {
  return [
    {
      method: 'get', path: '/webhooks', action: 'manage_settings',
      handler: async (c) => ({ view: 'webhooks', title: 'Webhooks', data: { endpoints: await c.services.webhooks.list(c.actor, orgOf(c)) } }),
    },
    {
      method: 'post', path: '/webhooks', action: 'manage_settings', back,
      handler: async (c) => {
        const added = await c.services.webhooks.add(c.actor, orgOf(c), { url: formField(c.req, 'url'), types: typesOf(formField(c.req, 'types')) });
        return secretPage(added.secret, [['Endpoint', added.endpoint.id], ['URL', added.endpoint.url]], `/admin/webhooks/${added.endpoint.id}`);
      },
    },
    {
      method: 'get', path: '/webhooks/:id', action: 'manage_settings',
      handler: async (c) => {
        const orgSid = orgOf(c);
        const id = param(c.req, 'id');
        const endpoint = (await c.services.webhooks.list(c.actor, orgSid)).find((e) => e.id === id);
        if (!endpoint) throw new DomainError('not_found', 'There is no such webhook in this organization.');
        return { view: 'webhook', title: `Webhook ${endpoint.url}`, data: { endpoint, deliveries: await c.services.webhooks.deliveries(c.actor, orgSid, id, 100) } };
      },
    },
    {
      method: 'post', path: '/webhooks/:id/replay', action: 'manage_settings', back: endpointPath,
      handler: async (c) => {
        await c.services.webhooks.replay(c.actor, orgOf(c), param(c.req, 'id'), formField(c.req, 'event'));
        return { redirect: withNotice(endpointPath(c.req), 'webhook_replayed') };
      },
    },
    {
      method: 'post', path: '/webhooks/:id/enable', action: 'manage_settings', back: endpointPath,
      handler: async (c) => {
        await c.services.webhooks.enable(c.actor, orgOf(c), param(c.req, 'id'));
        return { redirect: withNotice(endpointPath(c.req), 'webhook_enabled') };
      },
    },
    {
      method: 'get', path: '/webhooks/:id/confirm/rotate', action: 'manage_settings',
      handler: async (c) => ({
        view: 'confirm', title: 'Rotate the signing secret?',
        data: {
          subject: param(c.req, 'id'), button: 'Rotate', action: `${endpointPath(c.req)}/rotate`, cancel: endpointPath(c.req),
          text: 'A new secret signs every delivery from now on; the former one keeps signing beside it for 24 hours, so your receiver can switch without losing a delivery.',
        },
      }),
    },
    {
      method: 'post', path: '/webhooks/:id/rotate', action: 'manage_settings', back: endpointPath,
      handler: async (c) => {
        const rotated = await c.services.webhooks.rotateSecret(c.actor, orgOf(c), param(c.req, 'id'));
        return secretPage(rotated.secret, [['Endpoint', param(c.req, 'id')], ['The former secret signs too until (UTC)', rotated.previousExpiresAt.toISOString().slice(0, 16).replace('T', ' ')]], endpointPath(c.req));
      },
    },
    {
      method: 'get', path: '/webhooks/:id/confirm/remove', action: 'manage_settings',
      handler: async (c) => ({
        view: 'confirm', title: 'Remove this webhook?',
        data: { subject: param(c.req, 'id'), text: 'Nothing more is sent to it, including deliveries still waiting.', button: 'Remove', action: `${endpointPath(c.req)}/remove`, cancel: endpointPath(c.req) },
      }),
    },
    {
      method: 'post', path: '/webhooks/:id/remove', action: 'manage_settings', back,
      handler: async (c) => {
        await c.services.webhooks.remove(c.actor, orgOf(c), param(c.req, 'id'));
        return { redirect: withNotice('/admin/webhooks', 'webhook_removed') };
      },
    },
  ];
}
