/**
 * The documentation of POST /v1/token. The endpoint itself is oidc-provider's (http/oidc), not a
 * registry route, but it is described here in the same terms so the OpenAPI document covers it.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { defineRoute } from './registry.js';

export const tokenDocumentation = defineRoute({
  method: 'post', path: '/v1/token', tags: ['OAuth'], access: 'public', auth: 'public', errors: 'oauth', bodyType: 'form',
  summary: 'Exchange API client credentials for an access token (OAuth 2.0 client credentials, form-encoded; HTTP Basic also accepted)',
  body: z.strictObject({
    grant_type: z.literal('client_credentials'),
    client_id: z.string().describe('The API client ID (OQ…)'),
    client_secret: z.string().optional().describe('The secret shown once at creation (or send both as HTTP Basic)'),
    scope: z.string().optional(),
  }),
  responses: {
    200: {
      description: 'An access token (oauth.v1.token); send it as `Authorization: Bearer <access_token>`',
      schema: z.object({ access_token: z.string(), token_type: z.string(), expires_in: z.number().int(), scope: z.string().optional() }),
    },
  },
  handler: () => Promise.reject(new DomainError('not_found', 'Served by the OAuth server.')),
});
