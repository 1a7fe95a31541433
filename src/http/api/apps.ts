/**
 * The product's apps over the API (issue 13): `/v1/Apps`, the OpenID Connect clients of Orgward's
 * provider, registered, listed and deleted by the operator credential alone (the same service as
 * `orgward app create|list|delete`). A confidential app's secret is in the create response only; a
 * public app has none. The service checks the registration (rules/oidc-apps.ts): its refusals are
 * 400 `invalid_input` with its message.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import type { AppView } from '../../services/oidc-apps.js';
import { defineRoute, type ApiRoute } from './registry.js';

const TAGS = ['Apps'];
const ClientId = z.string().regex(/^AP[0-9a-f]{32}$/, 'must be an app client ID: AP and 32 lowercase hex digits');

export const AppResource = z.object({
  client_id: ClientId,
  name: z.string(),
  redirect_uris: z.array(z.string()).describe('Compared exactly by the provider.'),
  public: z.boolean().describe('true: no secret, PKCE with S256 required.'),
  backchannel_logout_uri: z.string().nullable(),
  date_created: z.iso.datetime(),
});

const toResource = (a: AppView): z.infer<typeof AppResource> => ({
  client_id: a.clientId, name: a.name, redirect_uris: [...a.redirectUris], public: a.public,
  backchannel_logout_uri: a.backchannelLogoutUri, date_created: a.createdAt.toISOString(),
});

// Types and sizes only: what makes a redirect URI acceptable is the service's rule, one place for
// the API and the CLI.
const NewApp = z.strictObject({
  name: z.string().max(200).describe('What the app is called (1 to 200 characters).'),
  redirect_uris: z.array(z.string().max(2000)).max(20).describe('1 to 20; https, or http on localhost, 127.0.0.1 or [::1]; no fragment.'),
  public: z.boolean().optional().describe('A browser or native app: no secret, PKCE with S256 required.'),
  backchannel_logout_uri: z.string().max(2000).nullable().optional().describe('Where Orgward posts logout tokens when it ends a session.'),
});

export function appRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/v1/Apps', summary: 'Register an app (operator credential); a confidential app\'s secret is in this response only', tags: TAGS,
      auth: 'principal', access: 'operator:write', errors: 'orgward', body: NewApp,
      // No Idempotency-Key: a replay would have to keep the secret in the idempotency table in the clear.
      responses: {
        201: {
          description: 'The app, and its secret unless it is public',
          schema: AppResource.extend({ client_secret: z.string().optional().describe('Shown once; stored only as a digest. Absent for a public app.') }),
        },
      },
      async handler({ body, principal }) {
        const created = await services.oidcApps.create(principal.actor, {
          name: body.name, redirectUris: body.redirect_uris, public: body.public === true, backchannelLogoutUri: body.backchannel_logout_uri,
        });
        // The record just written (the service checked the operator); its secret digest is not shown.
        const app = (await services.oidcApps.find(created.clientId))!;
        return { status: 201, body: { ...toResource(app), ...(created.clientSecret !== undefined && { client_secret: created.clientSecret }) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/Apps', summary: 'List the registered apps (operator credential; never their secrets)', tags: TAGS,
      auth: 'principal', access: 'operator:read', errors: 'orgward',
      responses: { 200: { description: 'The apps', schema: z.object({ apps: z.array(AppResource) }) } },
      async handler({ principal }) {
        return { status: 200, body: { apps: (await services.oidcApps.list(principal.actor)).map(toResource) } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/v1/Apps/{ClientId}', summary: 'Delete an app (operator credential): its grants and tokens stop working at once', tags: TAGS,
      auth: 'principal', access: 'operator:write', errors: 'orgward', params: z.strictObject({ ClientId }),
      responses: { 204: { description: 'Deleted' } },
      async handler({ params, principal }) {
        await services.oidcApps.delete(principal.actor, params.ClientId);
        return { status: 204 };
      },
    }),
  ];
}
