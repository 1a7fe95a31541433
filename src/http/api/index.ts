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
import { tokenRoute } from '../oidc/provider.js';
import { accountRoutes } from './accounts.js';
import { apiClientRoutes } from './api-clients.js';
import { auditLogRoutes } from './audit-log.js';
import { mergeRoutes } from './merges.js';
import { userImportRoutes } from './user-imports.js';
import { documentationRoutes, openApiDocument } from './openapi.js';
import { principalResolver, type BearerVerifier, type Principal } from './principal.js';
import { mountRoutes, type ApiRoute } from './registry.js';
import { tokenDocumentation } from './token.js';

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
    ...apiClientRoutes(services),
    ...auditLogRoutes(services, baseUrl),
    ...mergeRoutes(services),
    ...userImportRoutes(services, baseUrl),
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

/** POST /v1/token, the API's routes, /openapi.json and /docs. */
export function apiRoutes(deps: ApiDeps): Router {
  const { services, baseUrl } = deps;
  const routes = allRoutes(services, baseUrl);
  const router = express.Router();
  router.use(tokenRoute({ services, clock: services.deps.clock, baseUrl, secretKey: primaryKey(services.deps.secretKey) }));
  router.use(documentationRoutes(() => openApiDocument(routes, baseUrl)));
  router.use(mountRoutes(routes.filter((r) => r !== tokenDocumentation), {
    logger: deps.logger, baseUrl, authenticate: principalResolver(bearerVerifier(services, baseUrl), baseUrl),
  }));
  return router;
}
