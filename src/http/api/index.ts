/**
 * The Organizations API: every resource group's routes, mounted once, documented at
 * /openapi.json and /docs, authenticated by bearer token (POST /v1/token) or console session.
 * To add a resource group: write `src/http/api/<group>.ts` exporting `<group>Routes(services,
 * baseUrl): ApiRoute[]` and add it to `allRoutes` below (README.md in this folder).
 */
import type { Router } from 'express';
import express from 'express';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import { primaryKey } from '../../security/encryption.js';
import { accessTokenKey, apiAudience, verifyAccessToken } from '../oidc/access-tokens.js';
import { tokenRoute } from '../oidc/routes.js';
import { accountActionRoutes } from './account-actions.js';
import { accountRoutes } from './accounts.js';
import { apiClientRoutes } from './api-clients.js';
import { domainRoutes } from './domains.js';
import { roleAssignmentRoutes } from './role-assignments.js';
import { roleRoutes } from './roles.js';
import { invitationRoutes } from './invitations.js';
import { organizationRoutes } from './organizations.js';
import { userRoutes } from './users.js';
import { auditLogRoutes } from './audit-log.js';
import { mergeRoutes } from './merges.js';
import { userImportRoutes } from './user-imports.js';
import { documentationRoutes, openApiDocument } from './openapi.js';
import { principalResolver, type BearerVerifier, type Principal } from './principal.js';
import { mountRoutes, type ApiRoute } from './registry.js';
import { tokenDocumentation } from './token.js';
import { twilioScimDocumentation, twilioScimEntry } from './scim-users.js';
import { scimProvisioningRoutes } from './scim-provisioning.js';
import { ssoConnectionRoutes } from './sso-connections.js';
import { scimEngine } from '../scim/router.js';
import { accessCheckRoutes } from './access-checks.js';
import { eventRoutes } from './events.js';
import { webhookRoutes } from './webhooks.js';
import { appRoutes } from './apps.js';
import { setupLinkRoutes } from './setup-links.js';

export interface ApiDeps {
  readonly services: Services;
  readonly logger: Logger;
  readonly baseUrl: string;
}

/** Every route of the API, in documentation order. Resource groups add themselves here. */
export function allRoutes(services: Services, baseUrl: string): ApiRoute[] {
  return [
    tokenDocumentation,
    ...accountRoutes(services, baseUrl),
    ...accountActionRoutes(services, baseUrl),
    ...domainRoutes(services, baseUrl),
    ...apiClientRoutes(services),
    ...roleAssignmentRoutes(services, baseUrl),
    ...roleRoutes(services),
    ...organizationRoutes(services),
    ...userRoutes(services, baseUrl),
    ...invitationRoutes(services),
    ...twilioScimDocumentation,
    ...scimProvisioningRoutes(services, baseUrl),
    ...ssoConnectionRoutes(services),
    ...setupLinkRoutes(services),
    ...auditLogRoutes(services, baseUrl),
    ...mergeRoutes(services),
    ...userImportRoutes(services, baseUrl),
    ...accessCheckRoutes(services),
    ...eventRoutes(services),
    ...webhookRoutes(services),
    ...appRoutes(services),
  ];
}

/** Bearer tokens: the JWT is checked locally, then the client's standing in the database. */
export function bearerVerifier(services: Services, baseUrl: string): BearerVerifier {
  const key = accessTokenKey(primaryKey(services.deps.secretKey));
  const audience = apiAudience(baseUrl);
  const { clock } = services.deps;
  return async (token, requestId): Promise<Principal> => {
    const claims = verifyAccessToken(token, { key, issuer: baseUrl, audience, nowSeconds: Math.floor(clock.now().getTime() / 1000) });
    const client = await services.apiClients.standing(claims.clientId);
    if (client.kind === 'operator') {
      return { kind: 'operator', clientId: client.clientId, orgSid: null, role: 'operator', actor: { kind: 'operator', requestId } };
    }
    return {
      kind: 'api-client', clientId: client.clientId, orgSid: client.orgSid, role: client.role,
      actor: { kind: 'api_client', clientId: client.clientId, orgSid: client.orgSid, role: client.role, requestId },
    };
  };
}

/**
 * POST /v1/token. Mounted by app.ts ahead of the session and page routers: a token request needs
 * none of them, and passing their route tables costs CPU on every token.
 */
export function apiTokenRoute(deps: ApiDeps): Router {
  const { services, baseUrl } = deps;
  return tokenRoute({ services, clock: services.deps.clock, baseUrl, secretKey: primaryKey(services.deps.secretKey) });
}

/**
 * The paths the API serves: its routes (/v1/…, /Organizations/…, Twilio's SCIM users among them),
 * /openapi.json and /docs. Case-insensitive, as Express's routing is.
 */
export const isApiPath = (path: string): boolean => /^\/(?:v1\/|organizations(?:\/|$)|openapi\.json$|docs(?:\/|$))/i.test(path);

/** The API's routes, /openapi.json and /docs (POST /v1/token: apiTokenRoute). */
export function apiRoutes(deps: ApiDeps): Router {
  const { services, baseUrl } = deps;
  const routes = allRoutes(services, baseUrl);
  const router = express.Router();
  router.use(documentationRoutes(() => openApiDocument(routes, baseUrl)));
  const authenticate = principalResolver(bearerVerifier(services, baseUrl), baseUrl);
  // Twilio's /Organizations/{sid}/scim/Users: the SCIM engine, authorised by the API's principal.
  router.use(twilioScimEntry(scimEngine({ services, logger: deps.logger, baseUrl }), authenticate, baseUrl));
  router.use(mountRoutes(routes.filter((r) => r !== tokenDocumentation && !twilioScimDocumentation.includes(r)), {
    logger: deps.logger, baseUrl, authenticate,
  }));
  return router;
}
