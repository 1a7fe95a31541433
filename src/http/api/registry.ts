/**
 * The Organizations API route registry: each route is declared once, with its zod schemas, and
 * both request validation and the OpenAPI document (openapi.ts) are derived from that declaration.
 * See ./README.md for how to add a resource group.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Principal } from './principal.js';
import { apiErrorHandler, type ErrorStyle } from './errors.js';
import type { Logger } from '../../logger.js';
import { decideRouteAccess, type RouteAccess, type RouteCaller } from '../../rules/route-access.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone, or a caller with a bearer token or a console session. */
export type RouteAuth = 'public' | 'principal';

/** A strict object schema (unknown fields are refused) or nothing. */
type Shape = z.ZodObject | undefined;
type Out<S extends Shape> = S extends z.ZodObject ? z.output<S> : Record<string, never>;

export interface RouteResponse {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Other media types of this response (the audit log's text/csv), documented as strings. */
  readonly otherMediaTypes?: readonly string[];
  /** A body that is not JSON (SAML metadata, a CSV export): its media type, documented as a string. */
  readonly mediaType?: string;
}

/**
 * A body sent as text of one media type (the console's drag-and-drop sends a CSV file as is):
 * `toBody` makes it the value the route's JSON body schema then validates, so both forms go
 * through the same checks.
 */
export interface TextBody<Q extends Shape = Shape> {
  readonly mediaType: string;
  readonly maxBytes: number;
  readonly description: string;
  readonly toBody: (text: string, query: Out<Q>) => unknown;
}

export interface RouteInput<P extends Shape, Q extends Shape, B extends Shape> {
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly body: Out<B>;
  /** Set on every route whose auth is 'principal'. */
  readonly principal: Principal;
  readonly req: Request;
  readonly res: Response;
}

/** What a handler returns; the registry sends it. */
export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body that is not JSON (e.g. SAML metadata XML): sent as is with this Content-Type. */
  readonly contentType?: string;
}

export interface RouteSpec<P extends Shape, Q extends Shape, B extends Shape> {
  readonly method: HttpMethod;
  /** OpenAPI form: `/Organizations/{OrganizationSid}/Accounts`. */
  readonly path: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  /**
   * Who may call the route and whether it writes (rules/route-access.ts): checked before the body
   * is read; the services then decide per resource. Required, so no route goes without one.
   */
  readonly access: RouteAccess | 'public';
  /** Error body shape: Orgward's own, or Twilio's on Twilio-compatible routes. */
  readonly errors: ErrorStyle;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** How the body is encoded (default JSON). */
  readonly bodyType?: 'json' | 'form';
  /** A second body media type besides JSON (a CSV file), turned into the JSON body shape. */
  readonly textBody?: TextBody<Q>;
  /** Request headers worth documenting (Idempotency-Key, If-Match). */
  readonly headers?: readonly { name: string; description: string; required?: boolean }[];
  readonly responses: Readonly<Record<number, RouteResponse>>;
  readonly handler: (input: RouteInput<P, Q, B>) => Promise<RouteResult>;
}

/** A declared route, type-erased so a list of routes can be mounted and documented. */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  readonly access: RouteAccess | 'public';
  readonly errors: ErrorStyle;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodObject;
  readonly bodyType?: 'json' | 'form';
  readonly textBody?: TextBody;
  readonly headers?: readonly { name: string; description: string; required?: boolean }[];
  readonly responses: Readonly<Record<number, RouteResponse>>;
  readonly handler: (input: RouteInput<Shape, Shape, Shape>) => Promise<RouteResult>;
}

/** Declares a route; the types of `params`, `query` and `body` in the handler follow the schemas. */
export function defineRoute<P extends Shape = undefined, Q extends Shape = undefined, B extends Shape = undefined>(spec: RouteSpec<P, Q, B>): ApiRoute {
  return spec as unknown as ApiRoute;
}

/** `/Organizations/{OrganizationSid}` → `/Organizations/:OrganizationSid` (Express 5 reads `{…}` as optional). */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** A zod failure as one readable sentence naming each offending field. */
export function validationError(where: 'path' | 'query' | 'body', error: z.ZodError): DomainError {
  const problems = error.issues.map((issue) => {
    const field = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${field ? `${field}.` : ''}${k}"`).join(', ')}`;
    return `${field ? `"${field}"` : where}: ${issue.message}`;
  });
  return new DomainError('invalid_input', `Invalid request ${where}: ${problems.join('; ')}.`, {
    details: { location: where, issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })) },
  });
}

function parse<S extends z.ZodObject | undefined>(schema: S, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) {
    // A route without a body schema takes no body; one without a query schema takes no parameters.
    if (where === 'body' && value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0)) {
      throw new DomainError('invalid_input', 'This endpoint takes no request body.');
    }
    if (where === 'query' && value && Object.keys(value).length > 0) {
      throw new DomainError('invalid_input', `Unknown query parameter${Object.keys(value).length > 1 ? 's' : ''} ${Object.keys(value).map((k) => `"${k}"`).join(', ')}.`);
    }
    return {};
  }
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

/**
 * The route's declared access for a caller in the path's organization. A caller from elsewhere is
 * left to the services, which answer 404 (U6: another organization is not found, never forbidden).
 */
function checkAccess(principal: Principal, route: ApiRoute, orgSid: string | undefined): void {
  if (route.access === 'public') return;
  let caller: RouteCaller;
  if (principal.kind === 'operator') caller = { kind: 'operator' };
  else if (orgSid !== undefined && principal.orgSid !== orgSid) return;
  else if (principal.kind === 'api-client') caller = { kind: 'api_client', role: principal.role };
  else if (principal.role === null) return;
  else caller = { kind: 'user', role: principal.role };
  const decision = decideRouteAccess(caller, route.access);
  if (decision.kind === 'reject') throw new DomainError(decision.code, decision.message);
}

export interface MountOptions {
  readonly logger: Logger;
  /** Resolves the caller of a 'principal' route (bearer token or console session); throws 401. */
  readonly authenticate: (req: Request, write: boolean) => Promise<Principal>;
  readonly baseUrl: string;
}

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const json = express.json({ limit: '1mb', type: JSON_TYPES });
const form = express.urlencoded({ extended: false, limit: '100kb' });

/**
 * A route's text body parser: a body over the limit is 413 `payload_too_large` naming the limit
 * (not the parser's generic message), read before the caller is authenticated like JSON bodies.
 */
function textParser(text: TextBody) {
  const parse = express.text({ type: text.mediaType, limit: text.maxBytes });
  return (req: Request, res: Response, next: NextFunction) => parse(req, res, (error?: unknown) => {
    if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
      return next(new DomainError('payload_too_large', `A ${text.mediaType} body can have at most ${text.maxBytes} bytes. Split the file into smaller ones.`, { details: { httpStatus: 413, maxBytes: text.maxBytes } }));
    }
    next(error);
  });
}

/** 415 for a body of a media type the route does not read (it would otherwise look empty). */
function mediaTypeCheck(route: ApiRoute) {
  const accepted = [...JSON_TYPES, FORM_TYPE, ...(route.textBody ? [route.textBody.mediaType] : [])];
  return (req: Request, _res: Response, next: NextFunction) => {
    // req.is: null without a body, false for a body of another type.
    if (route.body && req.is(accepted) === false) {
      return next(new DomainError('unsupported_media_type', `This endpoint reads ${route.textBody ? `application/json or ${route.textBody.mediaType}` : 'application/json'} bodies, not ${req.get('content-type')}.`, { details: { httpStatus: 415 } }));
    }
    next();
  };
}

/** An Express router serving `routes`, each validating its input and mapping its errors in one place. */
export function mountRoutes(routes: readonly ApiRoute[], options: MountOptions): Router {
  const router = express.Router();
  for (const route of routes) {
    const style = (_req: Request, res: Response, next: NextFunction) => { res.locals.errorStyle = route.errors; next(); };
    const handle = async (req: Request, res: Response): Promise<void> => {
      const write = route.method !== 'get';
      const principal = route.auth === 'principal' ? await options.authenticate(req, write) : (undefined as unknown as Principal);
      if (principal !== undefined) checkAccess(principal, route, typeof req.params.OrganizationSid === 'string' ? req.params.OrganizationSid : undefined);
      const params = parse(route.params, req.params, 'path');
      const query = parse(route.query, req.query, 'query');
      const text = route.textBody && typeof req.body === 'string' && req.is(route.textBody.mediaType) ? route.textBody : undefined;
      const body = parse(route.body, write ? (text ? text.toBody(req.body as string, query as never) : req.body) : undefined, 'body');
      const result = await route.handler({ params, query, body, principal, req, res } as RouteInput<Shape, Shape, Shape>);
      // A streamed response (the audit log's CSV export) was written by its handler already.
      if (res.headersSent) return;
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.body === undefined) res.status(result.status).end();
      else if (result.contentType !== undefined) res.status(result.status).type(result.contentType).send(String(result.body));
      else res.status(result.status).json(result.body);
    };
    const parsers = route.textBody ? [json, form, textParser(route.textBody)] : [json, form];
    router[route.method](expressPath(route.path), style, mediaTypeCheck(route), ...parsers, handle);
  }
  router.use(apiErrorHandler(options.logger, options.baseUrl));
  return router;
}
