/**
 * The SCIM 2.0 endpoint (RFC 7644) at one fixed base, /scim/v2. The organization comes from the
 * bearer token (C1). Order: token → JSON body (application/scim+json or application/json) → quirk
 * normalisation (quirks.ts) → handlers → the one SCIM error mapping (errors.ts).
 *
 * It is a plain Node request handler beside the Express app, not a mount inside it: IdPs send
 * thousands of small requests, and Express's router layers and its per-request req/res set-up
 * (prototype swaps that turn both objects into slow dictionaries) cost more than a lookup's query.
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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express, { type Request, type Response } from 'express';
import { SCIMMYRouters } from 'scimmy-routers';
import { DomainError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import type { ScimActor } from '../../services/scim-tokens.js';
import type { Actor } from '../../types.js';
import { requestIdFrom } from '../request-id.js';
import { withRequestId } from '../../request-context.js';
import { parseIfMatch, type ScimReply } from './call.js';
import { dispatch } from './dispatch.js';
import { ScimError, scimErrorBody, toScimError, type ScimErrorBody } from './errors.js';
import { checkStorable, normaliseBody } from './quirks.js';
import { configureServiceProvider, declareScimSchemas, LIMITS } from './schemas.js';
import { rateLimitSettings, scimAuthFailureLimit, type RateLimitSettings } from '../rate-limit.js';

export const SCIM_BASE_PATH = '/scim/v2';
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimRouterDeps {
  readonly services: Services;
  readonly logger: Logger;
  /** Public base URL of the service (meta.location and $ref are absolute). */
  readonly baseUrl: string;
  readonly rateLimits?: Partial<RateLimitSettings>;
}

export type ScimEndpoint = (req: IncomingMessage, res: ServerResponse) => void;

/** The length of the SCIM base at the start of `url` (in any case, as an Express mount matches), or 0. */
export function scimBaseLength(url: string): number {
  const n = SCIM_BASE_PATH.length;
  const next = url.charAt(n);
  return url.slice(0, n).toLowerCase() === SCIM_BASE_PATH && (next === '' || next === '/' || next === '?') ? n : 0;
}

type ScimRequest = IncomingMessage & { body?: unknown; scimBodyBytes?: number };

/** C1: the actor a bearer token stands for; 401 without a valid one, 503 when the database is down. */
async function authenticate(services: Services, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<ScimActor> {
  const header = req.headers.authorization;
  const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  try {
    return await services.scimTokens.authenticate(token, requestId);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer realm="orgward-scim"');
    throw error;
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string | undefined>> = {}): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
  res.statusCode = status;
  if (body === undefined) {
    res.removeHeader('Content-Type');
    res.end();
    return;
  }
  // A string, so that Node writes head and body in one piece.
  const payload = JSON.stringify(body);
  res.setHeader('Content-Type', CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(payload, 'utf8'));
  res.end(payload, 'utf8');
}

const DISCOVERY = /^\/(?:Schemas|ResourceTypes|ServiceProviderConfig)(?:\/.*)?$/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * How a request reaches the SCIM engine. /scim/v2 authenticates a SCIM token (C1); the
 * Organizations API's Twilio-compatible `/Organizations/{sid}/scim` (http/api/scim-users.ts) an
 * API client's bearer token. Both run the same handlers (dispatch.ts) and rules.
 */
export interface ScimEntry {
  /** The length of the entry's base at the start of req.url (what precedes `/Users`). */
  readonly baseLength: number;
  /** The request id (the Express app's, when mounted there). */
  readonly requestId?: string;
  /** The actor acting, or undefined when this has already answered (e.g. 429). */
  readonly authenticate: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<Actor | undefined>;
  /** The paths under the base this entry serves (others are 404); all when absent. */
  readonly serves?: RegExp;
  /** Discovery documents (/Schemas, /ResourceTypes, /ServiceProviderConfig) at this entry. */
  readonly discovery: boolean;
  /** Adjusts a successful reply for the entry's clients (e.g. a paging link). */
  readonly decorate?: (reply: ScimReply, call: { path: string; method: string; query: Readonly<Record<string, unknown>>; base: string }) => ScimReply;
  /** Adds the entry's fields to a SCIM Error body (e.g. Orgward's stable code). */
  readonly decorateError?: (body: ScimErrorBody, error: unknown) => unknown;
}

/** Runs one request through the SCIM engine for `entry`. */
export type ScimEngine = (req: IncomingMessage, res: ServerResponse, entry: ScimEntry) => Promise<void>;

/** The SCIM engine: body parsing, quirks, dispatch and the one SCIM error mapping, for any entry. */
export function scimEngine(deps: ScimRouterDeps): ScimEngine {
  declareScimSchemas();
  const origin = deps.baseUrl.replace(/\/+$/, '');
  const authenticated = new WeakSet<object>();
  // scimmy-routers is an Express router: the discovery documents go through an Express app of their own.
  const discovery = express();
  discovery.disable('x-powered-by');
  discovery.use(SCIM_BASE_PATH, new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (!authenticated.has(req)) throw new Error('A valid SCIM bearer token is required.');
      return '';
    },
    context: () => undefined,
    baseUri: () => origin,
  }));
  configureServiceProvider();
  const json = express.json({
    type: ['application/scim+json', 'application/json', 'application/*+json'],
    limit: LIMITS.bodyLimit,
    verify: (req, _res, buf) => { (req as ScimRequest).scimBodyBytes = buf.length; },
  });
  const parseBody = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => json(req as Request, res as Response, (error?: unknown) => (error ? reject(error) : resolve())));

  return async (req: ScimRequest, res: ServerResponse, entry: ScimEntry): Promise<void> => {
    const url = req.url ?? '/';
    const base = entry.baseLength;
    const queryAt = url.indexOf('?');
    const path = url.slice(base, queryAt < 0 ? undefined : queryAt) || '/';
    const method = req.method ?? 'GET';
    const requestId = entry.requestId ?? requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    const fail = (error: unknown) => {
      if (res.headersSent) {
        deps.logger.error('scim response failed', { error, requestId });
        res.destroy();
        return;
      }
      const { status, body } = toScimError(error, deps.logger, requestId);
      send(res, status, entry.decorateError ? entry.decorateError(body, error) : body, { 'Retry-After': status === 503 ? '5' : undefined });
    };
    try {
      res.setHeader('Content-Type', CONTENT_TYPE);
      const actor = await entry.authenticate(req, res, requestId);
      if (actor === undefined) return;
      if (entry.serves && !entry.serves.test(path)) throw new ScimError(404, undefined, 'No such SCIM endpoint.');
      if (WITH_BODY.has(method)) {
        await parseBody(req, res);
        if (req.body !== undefined) {
          checkStorable(req.body);
          req.body = normaliseBody(method, path, req.body);
        }
      }
      if (method === 'GET' && DISCOVERY.test(path) && entry.discovery) {
        authenticated.add(req);
        discovery(req as Request, res as Response, (error?: unknown) => fail(error ?? new ScimError(404, undefined, 'No such SCIM endpoint.')));
        return;
      }
      const query = queryAt < 0 ? {} : parseQuery(url.slice(queryAt + 1));
      const call = { path, method, query, base: `${origin}${url.slice(0, base)}` };
      let reply = await dispatch({
        actor, services: deps.services, method, path, query,
        body: req.body, ifMatch: parseIfMatch(req.headers['if-match']), base: call.base,
        bodyBytes: req.scimBodyBytes ?? 0, logger: deps.logger, requestId,
      });
      if (entry.decorate) reply = entry.decorate(reply, call);
      send(res, reply.status, reply.body, { ETag: reply.etag, Location: reply.location });
    } catch (error) {
      fail(error);
    }
  };
}

/** The SCIM endpoint for requests whose URL starts with SCIM_BASE_PATH (scimBaseLength > 0). */
export function scimEndpoint(deps: ScimRouterDeps): ScimEndpoint {
  const engine = scimEngine(deps);
  const authFailures = scimAuthFailureLimit(deps.services.deps.store, rateLimitSettings(deps.rateLimits));
  const entry = (url: string): ScimEntry => ({
    baseLength: scimBaseLength(url),
    discovery: true,
    authenticate: (req, res, requestId) => authenticate(deps.services, req, res, requestId).catch(async (error: unknown) => {
      // Only failures are counted (the valid-token path stays one lookup); over the limit: 429.
      if (error instanceof DomainError && error.kind === 'unauthenticated') {
        // For a SIEM: the refusal and where it came from, never the token.
        deps.logger.warn('scim authentication failed', { event: 'scim_auth', outcome: error.code, requestId, clientAddress: req.socket.remoteAddress });
      }
      const wait = error instanceof DomainError && error.kind === 'unauthenticated' ? await authFailures.failed(req) : null;
      if (wait === null) throw error;
      send(res, 429, scimErrorBody(429, undefined, `Too many failed authentications. Try again in ${wait} seconds.`), { 'Retry-After': String(wait) });
      return undefined;
    }),
  });
  return (req, res) => {
    // Every log line of this request carries its id (request-context.ts).
    const requestId = requestIdFrom(req.headers['x-request-id']);
    withRequestId(requestId, () => engine(req, res, { ...entry(req.url ?? '/'), requestId })).catch((error: unknown) => {
      deps.logger.error('scim request failed', { error });
      res.destroy();
    });
  };
}
