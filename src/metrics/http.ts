/**
 * HTTP request metrics: route template, method, status and latency, recorded when the response
 * is finished. The Express app reports the matched route's template (`/Organizations/:sid`, never
 * the raw path, so labels stay few); the SCIM endpoint beside Express reports its own template
 * and the SCIM operation (scimOperationOf).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from './registry.js';

const UNMATCHED = '(unmatched)';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const methodLabel = (m: string | undefined) => (m && METHODS.has(m) ? m : 'OTHER');

// Served by middleware rather than a route (no req.route): the Twilio-compatible SCIM entry (http/api/scim-users.ts).
const TWILIO_SCIM = /^\/Organizations\/[^/]+\/scim(?:\/|$|\?)/;
const routeOf = (req: Request, status: number): string => {
  if (req.route) return `${req.baseUrl ?? ''}${String((req.route as { path: unknown }).path)}`;
  if (status !== 404 && TWILIO_SCIM.test(req.originalUrl)) return '/Organizations/:OrganizationSid/scim';
  return UNMATCHED;
};

/** Express middleware: one observation per request once its response is finished. */
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      metrics.httpRequest(routeOf(req, res.statusCode), methodLabel(req.method), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

const RESOURCES = new Map(['users', 'groups', 'bulk', 'schemas', 'resourcetypes', 'serviceproviderconfig', '.search'].map((r) => [r, r]));
const NAMES: Record<string, string> = {
  users: 'Users', groups: 'Groups', bulk: 'Bulk', schemas: 'Schemas', resourcetypes: 'ResourceTypes',
  serviceproviderconfig: 'ServiceProviderConfig', '.search': '.search',
};

/** The SCIM resource and operation of a request path under the base (`/Users/abc`, `/Groups/.search`). */
export function scimOperationOf(method: string, path: string): { resource: string; op: string; route: string } {
  const [first = '', second] = path.split('/').filter(Boolean);
  const key = RESOURCES.get(first.toLowerCase());
  if (!key) return { resource: 'other', op: 'other', route: `/scim/v2${UNMATCHED}` };
  const resource = NAMES[key]!;
  if (second?.toLowerCase() === '.search' || key === '.search') return { resource: key === '.search' ? 'all' : resource, op: 'search', route: `/scim/v2/${first === '.search' ? '.search' : `${resource}/.search`}` };
  const withId = second !== undefined;
  const route = `/scim/v2/${resource}${withId ? '/:id' : ''}`;
  const op = method === 'GET' ? (withId || key === 'serviceproviderconfig' ? 'get' : 'list')
    : method === 'POST' ? (key === 'bulk' ? 'bulk' : 'create')
      : method === 'PUT' ? 'replace' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : 'other';
  return { resource, op, route };
}

/** Wraps the SCIM endpoint: HTTP series under the SCIM route template, and the SCIM operation. */
export function scimMetrics(metrics: Metrics, endpoint: (req: IncomingMessage, res: ServerResponse) => void, baseLength: (url: string) => number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const { resource, op, route } = scimOperationOf(req.method ?? 'GET', url.slice(baseLength(url), queryAt < 0 ? undefined : queryAt));
    res.once('finish', () => {
      metrics.httpRequest(route, methodLabel(req.method), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      metrics.scimOperation(resource, op, res.statusCode);
    });
    endpoint(req, res);
  };
}
