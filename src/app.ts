/**
 * createApp(deps): the request listener, without listen and without reading the environment,
 * so tests build it over their own database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { errorHandler } from './http/error-handler.js';
import { healthRoutes, type HealthCheck } from './http/health.js';
import { requestId } from './http/request-id.js';
import type { Logger } from './logger.js';
import type { Services } from './services/index.js';
import { DomainError } from './errors.js';
import { authRoutes } from './http/auth/routes.js';
import { sessionMiddleware } from './http/auth/session.js';
import { SECURE_COOKIES_SETTING } from './http/auth/cookies.js';
import { ssoRoutes } from './http/sso/routes.js';
import { scimBaseLength, scimEndpoint } from './http/scim/router.js';
import type { RateLimitSettings } from './http/rate-limit.js';
import { apiRoutes, apiTokenRoute, isApiPath } from './http/api/index.js';
import type { AppListener } from './http/server.js';
import { adminRoutes } from './http/admin/index.js';
import { setupRoutes } from './http/admin/setup/routes.js';
import type { Metrics } from './metrics/registry.js';
import { httpMetrics, scimMetrics } from './metrics/http.js';
import { interactionRoutes } from './http/oidc/interactions.js';
import { primaryKey } from './security/encryption.js';

export interface AppDeps {
  readonly services: Services;
  readonly health: HealthCheck;
  readonly logger: Logger;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
  /** Rate limits of the sign-in forms and SCIM authentication (http/rate-limit.ts defaults). */
  readonly rateLimits?: Partial<RateLimitSettings>;
  /** Prometheus series (metrics/registry.ts), served on the metrics listener; none recorded when absent. */
  readonly metrics?: Metrics;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The request listener: SCIM beside Express, the rest through Express; serve it with http/server.ts. */
export function createApp(deps: AppDeps): AppListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Express 5's query parser: plain, flat values only (node:querystring, as the SCIM endpoint parses its own).
  app.set('query parser', 'simple');
  // Secure cookies go by `__Host-` names; readCookie finds out from here (http/auth/cookies.ts).
  app.set(SECURE_COOKIES_SETTING, deps.secureCookies);
  app.use(requestId);
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(healthRoutes(deps.health));
  app.use(apiTokenRoute(deps));

  // Sign-in: every request with a session cookie gets req.signedIn (http/auth/session.ts).
  app.use(sessionMiddleware(deps.services));
  // The Organizations API (/Organizations/…, /v1/…, /openapi.json, /docs: http/api), right after
  // the session the console authenticates it with: an API request then skips the route tables of
  // the sign-in, OIDC and SSO routers (about 0.3 ms per request, bench/README.md). Only the API's
  // own paths enter it, so the pages' errors keep their own handlers.
  const api = apiRoutes(deps);
  app.use((req, res, next) => (isApiPath(req.path) ? api(req, res, next) : next()));
  app.use(authRoutes(deps));
  // The product's apps sign people in through the pages above (http/oidc/interactions.ts).
  app.use(interactionRoutes({ services: deps.services, clock: deps.services.deps.clock, baseUrl: deps.baseUrl, secretKey: primaryKey(deps.services.deps.secretKey) }));
  app.use(ssoRoutes(deps));
  // The Admin Center: server-rendered pages at /admin over the same services (http/admin).
  app.use(adminRoutes(deps));
  // Setup links: the customer's IT admin, without an account, at /setup/{token} (http/admin/setup).
  app.use(setupRoutes(deps));

  app.use((_req, _res, next) => next(new DomainError('not_found', 'No such endpoint.')));
  app.use(errorHandler(deps.logger));
  // SCIM 2.0 for IdPs (C1-C5) at SCIM_BASE_PATH, beside Express (http/scim/router.ts says why):
  // bearer tokens, no cookies, its own errors in SCIM form.
  const scim = deps.metrics ? scimMetrics(deps.metrics, scimEndpoint(deps), scimBaseLength) : scimEndpoint(deps);
  const listener: RequestListener = (req, res) => (scimBaseLength(req.url ?? '/') > 0 ? scim(req, res) : app(req, res));
  // Express's prototypes, for the server to build requests and responses with (http/server.ts says why).
  return Object.assign(listener, { request: app.request, response: app.response });
}
