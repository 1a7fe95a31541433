/**
 * The SCIM 2.0 endpoint (RFC 7644), mounted at one fixed base, /scim/v2. The organization comes
 * from the bearer token (C1). Order: token → JSON body (application/scim+json or application/json)
 * → quirk normalisation (quirks.ts) → handlers → the one SCIM error mapping (errors.ts).
 *
 * scimmy-routers serves the discovery endpoints (/ServiceProviderConfig, /ResourceTypes, /Schemas)
 * from SCIMMY's declarations. Users, Groups, /.search and /Bulk are routed here instead, because
 * scimmy-routers: answers 401 for any failure of the authentication callback (a database outage
 * must be 503); casts startIndex/count by assigning to req.query, which Express 5 re-parses on
 * every read (so they stay strings); builds lists with SCIMMY's ListResponse, which re-slices
 * rows the database already paged; has no ETag/If-Match; and its PATCH and Bulk load and rewrite
 * whole resources (a 100,000-member group). SCIMMY still provides the schemas, validation and
 * discovery documents.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { SCIMMYRouters } from 'scimmy-routers';
import { DomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import type { ScimActor } from '../../services/scim-tokens.js';
import { parseIfMatch } from './call.js';
import { dispatch } from './dispatch.js';
import { ScimError, toScimError } from './errors.js';
import { checkStorable, normaliseBody } from './quirks.js';
import { configureServiceProvider, declareScimSchemas, LIMITS } from './schemas.js';

export const SCIM_BASE_PATH = '/scim/v2';
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimRouterDeps {
  readonly services: Services;
  readonly logger: Logger;
  /** Public base URL of the service (meta.location and $ref are absolute). */
  readonly baseUrl: string;
}

type ScimRequest = Request & { scimBodyBytes?: number };

const actorOf = (res: Response): ScimActor | undefined => res.locals.scimActor as ScimActor | undefined;

/** C1: the actor a bearer token stands for; 401 without a valid one, 503 when the database is down. */
async function authenticate(services: Services, req: Request, res: Response): Promise<ScimActor> {
  const header = req.get('authorization');
  const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  try {
    return await services.scimTokens.authenticate(token, req.id);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer realm="orgward-scim"');
    throw error;
  }
}

function send(res: Response, status: number, body: unknown, headers: Readonly<Record<string, string | undefined>> = {}): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
  res.statusCode = status;
  if (body === undefined) {
    res.removeHeader('Content-Type');
    res.end();
    return;
  }
  // Written directly: res.send would hash every list body for an ETag of its own. A string, so
  // Node writes head and body in one piece.
  const payload = JSON.stringify(body);
  res.setHeader('Content-Type', CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(payload, 'utf8'));
  res.end(payload, 'utf8');
}

const DISCOVERY = /^\/(?:Schemas|ResourceTypes|ServiceProviderConfig)(?:\/.*)?$/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The SCIM endpoint as one request handler (mounted at SCIM_BASE_PATH): IdPs send thousands of
 * small requests, so the steps run in sequence here rather than as a chain of Express layers.
 */
export function scimRouter(deps: ScimRouterDeps): RequestHandler {
  declareScimSchemas();
  const origin = deps.baseUrl.replace(/\/+$/, '');
  const discovery = new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (!req.res || !actorOf(req.res)) throw new Error('A valid SCIM bearer token is required.');
      return '';
    },
    context: () => undefined,
    baseUri: () => origin,
  });
  configureServiceProvider();
  const json = express.json({
    type: ['application/scim+json', 'application/json', 'application/*+json'],
    limit: LIMITS.bodyLimit,
    verify: (req, _res, buf) => { (req as ScimRequest).scimBodyBytes = buf.length; },
  });
  const parseBody = (req: Request, res: Response) => new Promise<void>((resolve, reject) => json(req, res, (error?: unknown) => (error ? reject(error) : resolve())));

  return async (req: ScimRequest, res: Response, next: NextFunction) => {
    const fail = (error: unknown) => {
      if (res.headersSent) return next(error);
      const { status, body } = toScimError(error, deps.logger, req.id);
      send(res, status, body, { 'Retry-After': status === 503 ? '5' : undefined });
    };
    try {
      res.setHeader('Content-Type', CONTENT_TYPE);
      const actor = await authenticate(deps.services, req, res);
      res.locals.scimActor = actor;
      if (WITH_BODY.has(req.method)) {
        await parseBody(req, res);
        if (req.body !== undefined) {
          checkStorable(req.body);
          req.body = normaliseBody(req.method, req.path, req.body);
        }
      }
      if (req.method === 'GET' && DISCOVERY.test(req.path)) {
        return discovery(req, res, (error?: unknown) => fail(error ?? new ScimError(404, undefined, 'No such SCIM endpoint.')));
      }
      const reply = await dispatch({
        actor, services: deps.services, method: req.method, path: req.path, query: req.query as Record<string, unknown>,
        body: req.body, ifMatch: parseIfMatch(req.get('if-match')), base: `${origin}${req.baseUrl}`,
        bodyBytes: req.scimBodyBytes ?? 0, logger: deps.logger, requestId: req.id,
      });
      send(res, reply.status, reply.body, { ETag: reply.etag, Location: reply.location });
    } catch (error) {
      fail(error);
    }
  };
}
