/**
 * Twilio-compatible RoleAssignments of an organization (twilio_iam_organizations.json,
 * RoleAssignments: ListRoleAssignments, CreateRoleAssignment, DeleteRoleAssignment), and the role
 * catalogue at /Roles, which Twilio's spec does not define (Orgward conventions, R1).
 * Authorisation is the services' (O2, O3, U6, R4): a read-only client cannot write, a Standard User
 * lists only their own assignments, the Owner is never assigned (`owner_required`), another
 * organization is 404.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { RoleRecord } from '../../services/roles.js';
import type { RoleAssignmentView } from '../../services/role-assignments.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid, pageOf, twilioPage, twilioPaging } from './schemas.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';

// The spec's patterns, as Twilio writes them.
const AnySid = z.string().regex(/^[A-Z]{2}[0-9a-fA-F]{32}$/, 'must be a SID: two capital letters and 32 hex digits').meta({ example: `US${'0'.repeat(32)}` });
export const RoleSid = z.string().regex(/^IX[0-9a-f]{32}$/, 'must be a role SID: IX and 32 lowercase hex digits').meta({ example: `IX${'0'.repeat(32)}` });
const RoleAssignmentSid = z.string().regex(/^IY[0-9a-f]{32}$/, 'must be a role assignment SID: IY and 32 lowercase hex digits').meta({ example: `IY${'0'.repeat(32)}` });

/** PublicApiRoleAssignmentResponse. */
export const RoleAssignmentResource = z.object({
  sid: RoleAssignmentSid,
  role_sid: RoleSid,
  scope: AnySid.describe('The organization (OR…) or an account (AC…)'),
  identity: AnySid.describe('The user (US…)'),
});

const toResource = (a: RoleAssignmentView): z.infer<typeof RoleAssignmentResource> => ({ sid: a.sid, role_sid: a.roleSid, scope: a.scope, identity: a.identity });

/** A role of the catalogue (Orgward's own resource: Twilio's spec has no Roles path). */
export const RoleResource = z.object({
  sid: RoleSid,
  name: z.string(),
  type: z.enum(['built_in', 'custom']),
  scope_type: z.enum(['organization', 'account']).describe('Where it is assigned: the organization SID or an account SID as the scope'),
  permissions: z.array(z.string()).describe('R1: permission strings; the account Administrator holds every permission'),
  date_created: z.iso.datetime(),
  date_updated: z.iso.datetime(),
});

export const toRole = (r: RoleRecord): z.infer<typeof RoleResource> => ({
  sid: r.sid, name: r.name, type: r.kind, scope_type: r.scopeType, permissions: [...r.permissions],
  date_created: r.createdAt.toISOString(), date_updated: r.updatedAt.toISOString(),
});

const orgParams = z.strictObject({ OrganizationSid });

/** The PageToken carries the page number and the service's keyset cursor. */
const encodeToken = (page: number, cursor: string) => Buffer.from(`${page}.${cursor}`).toString('base64url');
function decodeToken(token: string | undefined): { page: number; cursor: string | undefined } {
  if (token === undefined) return { page: 0, cursor: undefined };
  const match = /^(\d{1,9})\.(.+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new DomainError('invalid_input', 'PageToken is not one this API issued; follow meta.next_page_url or leave it out for the first page.');
  return { page: Number(match[1]), cursor: match[2] };
}

export function roleAssignmentRoutes(services: Services, baseUrl: string): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/RoleAssignments', summary: 'List role assignments (by Identity, Scope or both)', tags: ['RoleAssignments'],
      access: 'member:read', auth: 'principal', errors: 'twilio', params: orgParams,
      query: z.strictObject({
        PageSize: z.coerce.number().int().min(1).max(100).default(100).describe('How many assignments per page (1-100, default 100).'),
        PageToken: z.string().min(1).max(4096).optional().describe('The token of the page to fetch, from meta.next_page_url.'),
        Identity: AnySid.optional().describe('The user (US…) whose assignments to list; a Standard User must give their own.'),
        Scope: AnySid.optional().describe('The organization (OR…) or an account (AC…) whose assignments to list.'),
      }),
      responses: {
        200: { description: 'A page of role assignments', schema: twilioPage(RoleAssignmentResource) },
        400: { description: 'Neither Identity nor Scope, or a malformed parameter' },
      },
      async handler({ params, query, principal }) {
        const { page, cursor } = decodeToken(query.PageToken);
        const filter = { ...(query.Identity !== undefined && { identity: query.Identity }), ...(query.Scope !== undefined && { scope: query.Scope }) };
        // A previous_page_url token reads the page before its cursor ("before:…").
        const before = cursor?.startsWith('before:') ? cursor.slice('before:'.length) : undefined;
        const result = await services.roleAssignments.page(principal.actor, params.OrganizationSid, filter, {
          limit: query.PageSize, ...(before !== undefined ? { before } : cursor !== undefined && { after: cursor }),
        });
        const url = new URL(`${baseUrl}/Organizations/${params.OrganizationSid}/RoleAssignments`);
        const link = (token: string | undefined) => {
          const search = new URLSearchParams({ PageSize: String(query.PageSize) });
          if (query.Identity !== undefined) search.set('Identity', query.Identity);
          if (query.Scope !== undefined) search.set('Scope', query.Scope);
          if (token !== undefined) search.set('PageToken', token);
          return `${url.href}?${search.toString()}`;
        };
        return {
          status: 200,
          body: {
            content: result.items.map(toResource),
            meta: {
              first_page_url: link(undefined),
              key: 'content' as const,
              next_page_url: result.next === null ? null : link(encodeToken(page + 1, result.next)),
              page,
              page_size: query.PageSize,
              // Twilio's previous page: the PageSize assignments before this page's first one.
              previous_page_url: page > 0 && result.first !== null ? link(encodeToken(page - 1, `before:${result.first}`)) : null,
              url: link(query.PageToken),
            },
          },
        };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/RoleAssignments', summary: 'Create a role assignment (R1, R4, O2, O3)', tags: ['RoleAssignments'],
      access: 'admin:write', auth: 'principal', errors: 'twilio', params: orgParams,
      body: z.strictObject({
        role_sid: RoleSid.optional().describe('The role (GET /Organizations/{OrganizationSid}/Roles lists them); required unless roleSid is given'),
        // The `twilio` package's typed request (PublicApiCreateRoleAssignmentRequest) sends the
        // camelCase spelling as JSON, so a TypeScript program using it works too.
        roleSid: RoleSid.optional().describe('The same as role_sid, as the `twilio` package spells it; give one of the two'),
        scope: AnySid.describe('The organization SID for Administrator or Standard User; an account SID for an account role'),
        identity: AnySid.describe('The user (US…)'),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The role assignment', schema: RoleAssignmentResource } },
      async handler({ params, body, principal, req }) {
        const roleSid = body.role_sid ?? body.roleSid;
        if (roleSid === undefined || (body.role_sid !== undefined && body.roleSid !== undefined)) {
          throw new DomainError('invalid_input', 'Give the role as role_sid (or roleSid, not both); GET /Organizations/{OrganizationSid}/Roles lists the roles.');
        }
        return idempotent(services, req, principal, body, async () => {
          const created = await services.roleAssignments.create(principal.actor, params.OrganizationSid, { roleSid, scope: body.scope, identity: body.identity });
          return { status: 201, body: toResource(created) };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/RoleAssignments/{RoleAssignmentSid}', summary: 'Delete a role assignment', tags: ['RoleAssignments'],
      access: 'admin:write', auth: 'principal', errors: 'twilio', params: z.strictObject({ OrganizationSid, RoleAssignmentSid }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 204: { description: 'Deleted' } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => {
          await services.roleAssignments.delete(principal.actor, params.OrganizationSid, params.RoleAssignmentSid);
          return { status: 204 };
        });
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Roles', summary: 'List the role catalogue: organization and account roles, built-in and custom (R1)', tags: ['Roles'],
      access: 'member:read', auth: 'principal', errors: 'orgward', params: orgParams, query: z.strictObject(twilioPaging),
      responses: { 200: { description: 'A page of roles', schema: twilioPage(RoleResource) } },
      async handler({ params, query, principal }) {
        const roles = (await services.roles.list(principal.actor, params.OrganizationSid)).toSorted((a, b) => (a.sid < b.sid ? -1 : 1));
        return { status: 200, body: pageOf(roles, query, `${baseUrl}/Organizations/${params.OrganizationSid}/Roles`, toRole) };
      },
    }),
  ];
}
