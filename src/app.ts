/**
 * createApp(deps): the request listener, without listen and without reading the environment,
 * so tests build it over their own database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
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

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The length of the SCIM base at the start of `url` (any case, as Express matches), or 0. */
function scimBaseLength(url: string): number {
  const n = SCIM_BASE_PATH.length;
  const next = url.charAt(n);
  return url.slice(0, n).toLowerCase() === SCIM_BASE_PATH && (next === '' || next === '/' || next === '?') ? n : 0;
}

/**
 * SCIM requests skip Express's router: IdPs send them by the thousand and the router's layers cost
 * a lookup more than its query does. They keep Express's req/res API, set up as Express itself
 * does (the documented `app.request`/`app.response` prototypes) and with the URL split as a mount
 * at SCIM_BASE_PATH would split it.
 */
function withScimEndpoint(app: Express, deps: AppDeps): RequestListener {
  const scim = scimRouter(deps);
  return (incoming, outgoing) => {
    const url = incoming.url ?? '/';
    const base = scimBaseLength(url);
    if (base === 0) return app(incoming, outgoing);
    const req = Object.setPrototypeOf(incoming, app.request) as Request;
    const res = Object.setPrototypeOf(outgoing, app.response) as Response;
    Object.assign(req, { res, originalUrl: url, baseUrl: url.slice(0, base), url: url.charAt(base) === '/' ? url.slice(base) : `/${url.slice(base)}` });
    Object.assign(res, { req, locals: Object.create(null) as Record<string, unknown> });
    requestId(req, res, () => undefined);
    void scim(req, res, (error?: unknown) => {
      // Only reached once a response has started (the SCIM handler answers every error itself).
      if (error) deps.logger.error('scim response failed', { error, requestId: req.id });
      res.destroy();
    });
  };
}

export function createApp(deps: AppDeps): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Express 5's query parser: plain, flat values only (SCIM casts startIndex/count itself).
  app.set('query parser', 'simple');
  app.use(requestId);
  app.use(healthRoutes(deps.health));

  // Sign-in: every request with a session cookie gets req.signedIn (http/auth/session.ts).
  app.use(sessionMiddleware(deps.services));
  app.use(authRoutes(deps));
  app.use(ssoRoutes(deps));

  app.use((_req, _res, next) => next(new DomainError('not_found', 'No such endpoint.')));
  app.use(errorHandler(deps.logger));
  // SCIM 2.0 for IdPs (C1-C5) at SCIM_BASE_PATH: bearer tokens, no cookies; its own errors in SCIM form (http/scim).
  return withScimEndpoint(app, deps);
}
