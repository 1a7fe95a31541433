/**
 * The documentation of POST /v1/token. The endpoint itself is oidc-provider's (http/oidc), not a
 * registry route, but it is described here in the same terms so the OpenAPI document covers it.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { defineRoute } from './registry.js';

export const tokenDocumentation = defineRoute({
  method: 'post', path: '/v1/token', tags: ['OAuth'], access: 'public', auth: 'public', errors: 'oauth', bodyType: 'form',
  summary: 'Exchange API client credentials for an access token (OAuth 2.0 client credentials, form-encoded; HTTP Basic also accepted); product apps exchange authorization codes and refresh tokens here too',
  body: z.strictObject({
    grant_type: z.enum(['client_credentials', 'authorization_code', 'refresh_token']),
    client_id: z.string().describe('The API client ID (OQ…) or the app\'s client ID (AP…)'),
    client_secret: z.string().optional().describe('The secret shown once at creation (or send both as HTTP Basic); none for public apps'),
    scope: z.string().optional(),
    code: z.string().optional().describe('authorization_code: the code from /oauth/authorize'),
    redirect_uri: z.string().optional().describe('authorization_code: the redirect URI of the authorization request'),
    code_verifier: z.string().optional().describe('authorization_code: the PKCE verifier'),
    refresh_token: z.string().optional().describe('refresh_token: the refresh token (rotated: use the new one each time)'),
  }),
  responses: {
    200: {
      description: 'An access token (oauth.v1.token); send it as `Authorization: Bearer <access_token>`',
      schema: z.object({
        access_token: z.string(), token_type: z.string(), expires_in: z.number().int(), scope: z.string().optional(),
        id_token: z.string().optional().describe('Product apps (openid scope): the ID token with the organization claims'),
        refresh_token: z.string().optional().describe('Product apps (offline_access scope): the rotated refresh token'),
      }),
    },
  },
  handler: () => Promise.reject(new DomainError('not_found', 'Served by the OAuth server.')),
});
