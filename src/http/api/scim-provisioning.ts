/**
 * SCIM provisioning settings of an organization over the API (issue 10), Orgward-only resources:
 * - SCIM tokens (C1): create (the token is in that response only), list (never the values; with
 *   last use), revoke;
 * - SCIM group mappings (C5): list, put a mapping (organization role and accounts), preview the
 *   effective access a mapping would give before saving it, remove.
 * Thin over services/scim-tokens.ts and services/scim-group-mappings.ts, which authorise
 * (manage_scim: the Owner, Administrators and admin API clients, O3; other organizations 404, U6).
 */
import { z } from 'zod';
import type { Services } from '../../services/index.js';
import type { GroupMappingResult } from '../../services/scim-group-mappings.js';
import type { ScimTokenRecord } from '../../services/scim-tokens.js';
import type { GroupMappingRecord } from '../../services/scim-access.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, OrganizationSid, UserSid } from './schemas.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';
import { SCIM_BASE_PATH } from '../scim/router.js';

const TOKEN_TAGS = ['SCIM tokens'];
const MAPPING_TAGS = ['SCIM group mappings'];
const TokenId = z.uuid().describe('The SCIM token id');
const GroupRef = z.string().trim().min(1).max(1024).describe("The group's displayName (case-insensitive) or externalId (exact), URL-encoded");
const MappedRole = z.enum(['admin', 'standard']).nullable().describe('C5: the organization role the group gives (never Owner); null for none');
const orgParams = z.strictObject({ OrganizationSid });

export const ScimTokenResource = z.object({
  id: TokenId, description: z.string().nullable(), created_by: z.string(), date_created: z.iso.datetime(),
  date_last_used: z.iso.datetime().nullable(), date_revoked: z.iso.datetime().nullable(),
});
const toToken = (t: ScimTokenRecord): z.infer<typeof ScimTokenResource> => ({
  id: t.id, description: t.description, created_by: t.createdBy, date_created: t.createdAt.toISOString(),
  date_last_used: t.lastUsedAt?.toISOString() ?? null, date_revoked: t.revokedAt?.toISOString() ?? null,
});

export const GroupMappingResource = z.object({
  group: z.string(), role: MappedRole, account_sids: z.array(AccountSid), date_created: z.iso.datetime(), date_updated: z.iso.datetime(),
});
const toMapping = (m: GroupMappingRecord): z.infer<typeof GroupMappingResource> => ({
  group: m.groupRef, role: m.role, account_sids: [...m.accountSids], date_created: m.createdAt.toISOString(), date_updated: m.updatedAt.toISOString(),
});

const RoleName = z.enum(['owner', 'admin', 'standard']);
export const MappingOutcome = z.object({
  group: z.string(), role: MappedRole, account_sids: z.array(AccountSid),
  mapped: z.boolean().describe('False when the mapping gives nothing (and is therefore removed)'),
  groups: z.array(z.object({ id: z.string(), display_name: z.string(), external_id: z.string().nullable() })).describe('The SCIM groups the mapping names now'),
  members: z.array(z.object({
    user_sid: UserSid, email: z.string(), role: RoleName, account_sids: z.array(AccountSid),
    before: z.object({ role: RoleName, account_sids: z.array(AccountSid) }), changed: z.boolean(),
  })).describe('Each member of those groups: effective access after the mapping, and before'),
});
const toOutcome = (r: GroupMappingResult): z.infer<typeof MappingOutcome> => ({
  group: r.group, role: r.role, account_sids: [...r.accountSids], mapped: r.mapped,
  groups: r.groups.map((g) => ({ id: g.id, display_name: g.displayName, external_id: g.externalId })),
  members: r.members.map((m) => ({
    user_sid: m.userSid, email: m.email, role: m.role, account_sids: [...m.accountSids],
    before: { role: m.before.role, account_sids: [...m.before.accountSids] }, changed: m.changed,
  })),
});

const MappingBody = z.strictObject({
  role: MappedRole.optional(),
  account_sids: z.array(AccountSid).max(1000).optional().describe('Accounts the group grants (open accounts of the organization, not subaccounts)'),
});
const mappingParams = z.strictObject({ OrganizationSid, Group: GroupRef });

export function scimProvisioningRoutes(services: Services, baseUrl: string): ApiRoute[] {
  const mappingOf = async (actor: Parameters<Services['scimGroups']['listMappings']>[0], orgSid: string, group: string) =>
    (await services.scimGroups.listMappings(actor, orgSid)).find((m) => m.groupRef.toLowerCase() === group.toLowerCase());
  const input = (group: string, body: z.infer<typeof MappingBody>) => ({
    group, ...(body.role !== undefined && body.role !== null && { role: body.role }), accountSids: body.account_sids ?? [],
  });

  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/ScimTokens', summary: "List the organization's SCIM tokens (never their values), with last use (C1)", tags: TOKEN_TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The tokens, live and revoked', schema: z.object({ tokens: z.array(ScimTokenResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { tokens: (await services.scimTokens.list(principal.actor, params.OrganizationSid)).map(toToken) } };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/ScimTokens', summary: 'Create a SCIM token for an IdP; the token is in this response only (C1)', tags: TOKEN_TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({ description: z.string().max(200).optional().describe('Which IdP connection uses it') }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The token, shown once, and the SCIM base URL to give the IdP', schema: ScimTokenResource.extend({ token: z.string(), scim_base_url: z.string() }) } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const created = await services.scimTokens.create(principal.actor, params.OrganizationSid, body.description === undefined ? {} : { description: body.description });
          const record = (await services.scimTokens.list(principal.actor, params.OrganizationSid)).find((t) => t.id === created.id)!;
          return { status: 201, body: { ...toToken(record), token: created.token, scim_base_url: `${baseUrl}${SCIM_BASE_PATH}` } };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/ScimTokens/{TokenId}', summary: 'Revoke a SCIM token at once (C1)', tags: TOKEN_TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: z.strictObject({ OrganizationSid, TokenId }),
      responses: { 204: { description: 'Revoked (also when it already was)' } },
      async handler({ params, principal }) {
        await services.scimTokens.revoke(principal.actor, params.OrganizationSid, params.TokenId);
        return { status: 204 };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/ScimGroupMappings', summary: 'List the SCIM group mappings (C5)', tags: MAPPING_TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The mappings', schema: z.object({ mappings: z.array(GroupMappingResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { mappings: (await services.scimGroups.listMappings(principal.actor, params.OrganizationSid)).map(toMapping) } };
      },
    }),

    defineRoute({
      method: 'put', path: '/Organizations/{OrganizationSid}/ScimGroupMappings/{Group}', summary: 'Map a SCIM group to a role and accounts; its members are recomputed at once (C5)', tags: MAPPING_TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: mappingParams, body: MappingBody,
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The mapping as saved and each member\'s access', schema: MappingOutcome } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          // If-Match guards against overwriting a mapping another administrator just changed.
          const current = await mappingOf(principal.actor, params.OrganizationSid, params.Group);
          checkIfMatch(req, current ? toMapping(current) : null);
          const result = await services.scimGroups.map(principal.actor, params.OrganizationSid, input(params.Group, body));
          const saved = result.mapped ? await mappingOf(principal.actor, params.OrganizationSid, params.Group) : undefined;
          return { status: 200, body: toOutcome(result), headers: saved ? { ETag: etagOf(toMapping(saved)) } : ({} as Record<string, string>) };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/ScimGroupMappings/{Group}/Preview', summary: 'Preview the effective access a mapping would give, without saving it (C5)', tags: MAPPING_TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: mappingParams, body: MappingBody,
      responses: { 200: { description: 'Each member\'s access before and after (nothing is saved)', schema: MappingOutcome } },
      async handler({ params, body, principal }) {
        return { status: 200, body: toOutcome(await services.scimGroups.preview(principal.actor, params.OrganizationSid, input(params.Group, body))) };
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/ScimGroupMappings/{Group}', summary: 'Remove a mapping; members lose what it gave (C5)', tags: MAPPING_TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: mappingParams,
      headers: [IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'Each member\'s access after the removal', schema: MappingOutcome } },
      async handler({ params, principal, req }) {
        return idempotent(services, req, principal, {}, async () => ({
          status: 200, body: toOutcome(await services.scimGroups.unmap(principal.actor, params.OrganizationSid, params.Group)),
        }));
      },
    }),
  ];
}
