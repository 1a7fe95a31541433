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

  app.use((_req, _res, next) => next(new DomainError('not_found', 'No such endpoint.')));
  app.use(errorHandler(deps.logger));
  return app;
}
