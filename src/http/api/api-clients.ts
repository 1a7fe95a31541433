/**
 * API clients of an organization over the API (issue 10): the Owner or an Administrator, signed in
 * to the console, creates (secret shown once), lists and revokes them. An API client never manages
 * API clients (services/api-clients.ts says why). Orgward-only resource: Orgward's error body.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import type { ApiClientRecord } from '../../services/api-clients.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';

const TAGS = ['API clients'];
const ClientId = z.string().regex(/^OQ[0-9a-f]{32}$/, 'must be an API client ID: OQ and 32 lowercase hex digits');

export const ApiClientResource = z.object({
  clientId: ClientId,
  role: z.enum(['admin', 'read-only']),
  name: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});

const toResource = (c: ApiClientRecord): z.infer<typeof ApiClientResource> => ({
  clientId: c.clientId, role: c.role ?? 'read-only', name: c.name, createdBy: c.createdBy, createdAt: c.createdAt.toISOString(),
  lastUsedAt: c.lastUsedAt?.toISOString() ?? null, revokedAt: c.revokedAt?.toISOString() ?? null,
});

const orgParams = z.strictObject({ OrganizationSid });

export function apiClientRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/ApiClients', summary: "List the organization's API clients (never their secrets)", tags: TAGS,
      access: 'admin-session:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The API clients', schema: z.object({ clients: z.array(ApiClientResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { clients: (await services.apiClients.list(principal.actor, params.OrganizationSid)).map(toResource) } };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/ApiClients', summary: 'Create an API client; its secret is in this response only', tags: TAGS,
      access: 'admin-session:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({ role: z.enum(['admin', 'read-only']), name: z.string().max(200).optional() }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The new client and its secret', schema: z.object({ clientId: ClientId, clientSecret: z.string(), role: z.enum(['admin', 'read-only']), name: z.string().nullable() }) } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => ({
          status: 201, body: await services.apiClients.create(principal.actor, params.OrganizationSid, { role: body.role, name: body.name }),
        }));
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/ApiClients/{ClientId}', summary: 'Revoke an API client at once', tags: TAGS,
      access: 'admin-session:write', auth: 'principal', errors: 'orgward', params: z.strictObject({ OrganizationSid, ClientId }),
      responses: { 204: { description: 'Revoked (also when it already was)' } },
      async handler({ params, principal }) {
        await services.apiClients.revoke(principal.actor, params.OrganizationSid, params.ClientId);
        return { status: 204 };
      },
    }),
  ];
}
