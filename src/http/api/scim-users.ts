/**
 * Twilio-compatible SCIM Users of an organization (twilio_iam_organizations.json, tag SCIM):
 * `/Organizations/{OrganizationSid}/scim/Users[/{UserSid}]`, GET (filter, paging), POST, PUT,
 * PATCH, DELETE, If-Match, application/scim+json. The same SCIM engine, handlers and rules as
 * /scim/v2 (http/scim): only the entry differs. The caller is an API client of the organization
 * (bearer token from POST /v1/token) instead of a SCIM token: `admin` clients write, `read-only`
 * clients read (services/scim-users.ts scimOrg asks rules/api-clients.ts), and the audit log names
 * the client. A client of another organization gets 404 (U6). The resource `id` is the user SID.
 *
 * The routes below document the endpoint in the OpenAPI document; `twilioScimEntry` serves it.
 */
import { stringify } from 'node:querystring';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { DomainError, isDomainError } from '../../errors.js';
import type { ScimReply } from '../scim/call.js';
import { ScimError, type ScimErrorBody } from '../scim/errors.js';
import type { ScimEngine, ScimEntry } from '../scim/router.js';
import { scimOrg } from '../../services/scim-users.js';
import { IF_MATCH_HEADER } from './preconditions.js';
import type { Principal } from './principal.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid, UserSid } from './schemas.js';

const TAGS = ['SCIM'];
const served = () => Promise.reject(new DomainError('not_found', 'Served by the SCIM engine.'));

/** Twilio's ScimUser (the attributes Orgward stores as an IdP sends them; others are kept too). */
const ScimUser = z.looseObject({
  schemas: z.array(z.string()).optional(),
  id: UserSid.optional().describe('The user SID (US…), also the {UserSid} of the resource URL.'),
  externalId: z.string().optional(),
  userName: z.string().describe('The email address that identifies the person (U1).'),
  displayName: z.string().optional(),
  name: z.object({ givenName: z.string().optional(), familyName: z.string().optional() }).optional(),
  emails: z.array(z.object({ value: z.string(), type: z.string().optional(), primary: z.boolean().optional() })).optional(),
  active: z.boolean().optional(),
  meta: z.object({ resourceType: z.string(), created: z.string(), lastModified: z.string(), location: z.string(), version: z.string() }).optional(),
});

const ScimUserPage = z.object({
  schemas: z.array(z.string()), totalResults: z.number().int(), startIndex: z.number().int(), itemsPerPage: z.number().int(),
  Resources: z.array(ScimUser),
  meta: z.object({ key: z.literal('Resources'), next_page_url: z.string().nullable() }).describe("Twilio's paging link (the SCIM client may use startIndex and count instead)."),
});

const ScimPatch = z.looseObject({
  schemas: z.array(z.string()),
  Operations: z.array(z.object({ op: z.string(), path: z.string().optional(), value: z.unknown().optional() })),
});

const orgParams = z.strictObject({ OrganizationSid });
const userParams = z.strictObject({ OrganizationSid, UserSid });
const USERS = '/Organizations/{OrganizationSid}/scim/Users';
const USER = `${USERS}/{UserSid}`;
const scimJson = { description: 'A SCIM error (RFC 7644 §3.12) with Orgward\'s stable `code`' };

/** The documentation of the endpoint (served by twilioScimEntry, not by the registry). */
export const twilioScimDocumentation: readonly ApiRoute[] = [
  defineRoute({
    method: 'get', path: USERS, summary: 'List SCIM users (filter, startIndex/count paging)', tags: TAGS, access: 'admin:read', auth: 'principal', errors: 'scim',
    params: orgParams,
    query: z.strictObject({
      filter: z.string().optional().describe('A SCIM filter (RFC 7644 §3.4.2.2), e.g. userName eq "ana@example.com".'),
      startIndex: z.coerce.number().int().optional(), count: z.coerce.number().int().optional(),
    }),
    responses: { 200: { description: 'A SCIM ListResponse', schema: ScimUserPage }, 400: scimJson },
    handler: served,
  }),
  defineRoute({
    method: 'post', path: USERS, summary: 'Create (provision) a SCIM user (C2)', tags: TAGS, access: 'admin:write', auth: 'principal', errors: 'scim',
    params: orgParams, body: ScimUser,
    responses: { 201: { description: 'The new user', schema: ScimUser }, 409: scimJson },
    handler: served,
  }),
  defineRoute({
    method: 'get', path: USER, summary: 'Fetch a SCIM user', tags: TAGS, access: 'admin:read', auth: 'principal', errors: 'scim', params: userParams,
    responses: { 200: { description: 'The user, with its ETag', schema: ScimUser }, 404: scimJson },
    handler: served,
  }),
  defineRoute({
    method: 'put', path: USER, summary: 'Replace a SCIM user', tags: TAGS, access: 'admin:write', auth: 'principal', errors: 'scim', params: userParams, body: ScimUser,
    headers: [IF_MATCH_HEADER],
    responses: { 200: { description: 'The user after the change', schema: ScimUser }, 412: scimJson },
    handler: served,
  }),
  defineRoute({
    method: 'patch', path: USER, summary: 'Patch a SCIM user (C3: active false suspends)', tags: TAGS, access: 'admin:write', auth: 'principal', errors: 'scim', params: userParams, body: ScimPatch,
    headers: [IF_MATCH_HEADER],
    responses: { 200: { description: 'The user after the change', schema: ScimUser }, 412: scimJson },
    handler: served,
  }),
  defineRoute({
    method: 'delete', path: USER, summary: 'Delete a SCIM user: removes the member (C4)', tags: TAGS, access: 'admin:write', auth: 'principal', errors: 'scim', params: userParams,
    headers: [IF_MATCH_HEADER],
    responses: { 204: { description: 'Removed' }, 412: scimJson },
    handler: served,
  }),
];

const ENTRY = /^\/Organizations\/([^/?]*)\/scim(?=[/?]|$)/i;
// Twilio defines Users only: no Groups, Bulk, .search or discovery documents at this entry.
const SERVES = /^\/Users(?:\/[^/.][^/]*)?\/?$/i;

/** Twilio's paging link on a list (the SDK follows meta.next_page_url; meta.key names the items). */
function pagingLink(reply: ScimReply, call: { path: string; method: string; query: Readonly<Record<string, unknown>>; base: string }): ScimReply {
  const body = reply.body as { totalResults?: number; startIndex?: number; itemsPerPage?: number } | undefined;
  if (call.method !== 'GET' || reply.status !== 200 || body?.totalResults === undefined) return reply;
  const { totalResults, startIndex = 1, itemsPerPage = 0 } = body;
  const more = itemsPerPage > 0 && startIndex - 1 + itemsPerPage < totalResults;
  const { startIndex: _s, ...rest } = call.query;
  const next = more ? `${call.base}/Users?${stringify({ ...rest, startIndex: startIndex + itemsPerPage, count: itemsPerPage } as Record<string, string | number>)}` : null;
  return { ...reply, body: { ...body, meta: { key: 'Resources', next_page_url: next } } };
}

/** Twilio's SCIM error fields: Orgward's stable code, a message the SDK shows, and where to read more. */
const twilioScimError = (baseUrl: string) => (body: ScimErrorBody, error: unknown) => {
  const code = isDomainError(error) ? error.code : error instanceof ScimError ? (error.scimType ?? 'scim_error') : 'scim_error';
  return { ...body, code, message: body.detail, more_info: `${baseUrl}/docs#errors-${code}` };
};

/**
 * Serves `/Organizations/{sid}/scim/…` through the SCIM engine, authorised by the API's principal:
 * an API client of that organization. Another organization is 404; a console session or the
 * operator is told to use an API client.
 */
export function twilioScimEntry(engine: ScimEngine, authenticate: (req: Request, write: boolean) => Promise<Principal>, baseUrl: string): RequestHandler {
  const decorateError = twilioScimError(baseUrl);
  return (req: Request, res: Response, next: NextFunction) => {
    const match = ENTRY.exec(req.url);
    if (!match) { next(); return; }
    const orgSid = match[1]!;
    const entry: ScimEntry = {
      baseLength: match[0].length, requestId: req.id, discovery: false, serves: SERVES, decorate: pagingLink, decorateError,
      async authenticate() {
        const principal = await authenticate(req, req.method !== 'GET').catch((error: unknown) => {
          if (isDomainError(error) && error.kind === 'unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer realm="orgward"');
          throw error;
        });
        if (principal.orgSid !== orgSid && principal.kind !== 'operator') throw new DomainError('not_found', `No organization ${orgSid.slice(0, 64)}.`);
        if (principal.kind !== 'api-client') {
          throw new DomainError('forbidden', 'This SCIM endpoint takes an API client\'s bearer token (POST /v1/token). '
            + 'An Owner or Administrator creates one with POST /Organizations/{OrganizationSid}/ApiClients or orgward api-client create.');
        }
        // A read-only client is refused a write before its body is read (403, never a 400 about a
        // body it may not send); the service asks the same rule again.
        if (req.method !== 'GET' && req.method !== 'HEAD') scimOrg(principal.actor, 'write');
        return principal.actor;
      },
    };
    engine(req, res, entry).catch(next);
  };
}
