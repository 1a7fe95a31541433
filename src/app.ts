/**
 * createApp(deps): the Express application, without listen and without reading the environment,
 * so tests build it over their own database.
 */
import express, { type Express } from 'express';
import { errorHandler } from './http/error-handler.js';
import { healthRoutes, type HealthCheck } from './http/health.js';
import { requestId } from './http/request-id.js';
import type { Logger } from './logger.js';
import type { Services } from './services/index.js';
import { DomainError } from './errors.js';
import { authRoutes } from './http/auth/routes.js';
import { sessionMiddleware } from './http/auth/session.js';
import { ssoRoutes } from './http/sso/routes.js';
import { SCIM_BASE_PATH, scimRouter } from './http/scim/router.js';

export interface AppDeps {
  readonly services: Services;
  readonly health: HealthCheck;
  readonly logger: Logger;
  readonly baseUrl: string;
  readonly secureCookies: boolean;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Express 5's query parser: plain, flat values only (SCIM casts startIndex/count itself).
  app.set('query parser', 'simple');
  app.use(requestId);
  app.use(healthRoutes(deps.health));
  // SCIM 2.0 for IdPs (C1-C5): bearer tokens, no cookies; its own errors in SCIM form (http/scim).
  app.use(SCIM_BASE_PATH, scimRouter(deps));

  // Sign-in: every request with a session cookie gets req.signedIn (http/auth/session.ts).
  app.use(sessionMiddleware(deps.services));
  app.use(authRoutes(deps));
  app.use(ssoRoutes(deps));

  app.use((_req, _res, next) => next(new DomainError('not_found', 'No such endpoint.')));
  app.use(errorHandler(deps.logger));
  return app;
}
