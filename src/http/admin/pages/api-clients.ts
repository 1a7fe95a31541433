/**
 * API clients of the organization: create (the secret shown once, on the response of the POST that
 * made it), list with last use, revoke behind a confirmation. The services decide who may (the
 * Owner and Administrators).
 */
import { withNotice } from '../notices.js';
import { formField, orgOf, param, type AdminRoute } from '../page.js';

export function apiClientPages(): AdminRoute[] {
  const back = () => '/admin/api-clients';
  return [
    {
      method: 'get', path: '/api-clients', action: 'manage_settings',
      handler: async (c) => ({ view: 'api-clients', title: 'API clients', data: { clients: (await c.services.apiClients.list(c.actor, orgOf(c))).filter((k) => k.revokedAt === null) } }),
    },
    {
      method: 'post', path: '/api-clients', action: 'manage_settings', back,
      handler: async (c) => {
        const name = formField(c.req, 'name');
        const created = await c.services.apiClients.create(c.actor, orgOf(c), { role: formField(c.req, 'role'), ...(name !== '' && { name }) });
        return {
          view: 'secret', title: 'New API client', status: 201,
          data: { label: 'Client secret', secret: created.clientSecret, extra: [['Client ID', created.clientId], ['Role', created.role], ['Token endpoint', `${c.baseUrl}/v1/token`]], next: '/admin/api-clients' },
        };
      },
    },
    {
      method: 'get', path: '/api-clients/:id/confirm/revoke', action: 'manage_settings',
      handler: async (c) => ({
        view: 'confirm', title: 'Revoke this API client?',
        data: { subject: param(c.req, 'id'), text: 'Programs using it stop working at once; its tokens are refused.', button: 'Revoke', action: `/admin/api-clients/${encodeURIComponent(param(c.req, 'id'))}/revoke`, cancel: '/admin/api-clients' },
      }),
    },
    {
      method: 'post', path: '/api-clients/:id/revoke', action: 'manage_settings', back,
      handler: async (c) => {
        await c.services.apiClients.revoke(c.actor, orgOf(c), param(c.req, 'id'));
        return { redirect: withNotice('/admin/api-clients', 'client_revoked') };
      },
    },
  ];
}
