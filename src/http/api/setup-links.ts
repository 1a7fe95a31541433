/**
 * Setup links over the API (issue 11), an Orgward-only resource: create a link for the customer's
 * IT admin (SSO, SCIM or domain verification; its URL is in that response only), list the
 * organization's links with their state and the steps taken, revoke one. Thin over
 * services/setup-links.ts, which authorises (the Owner, Administrators and admin API clients, O3;
 * other organizations 404, U6). What the link's holder does is on the pages at /setup/{token}.
 */
import { z } from 'zod';
import { DEFAULT_SETUP_LINK_DAYS, MAX_SETUP_LINK_DAYS, SETUP_LINK_KINDS } from '../../rules/setup-links.js';
import type { Services } from '../../services/index.js';
import type { SetupLinkView } from '../../services/setup-links.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { OrganizationSid } from './schemas.js';
import { idempotent, IDEMPOTENCY_HEADER } from './preconditions.js';

const TAGS = ['Setup links'];
const SetupLinkSid = z.string().regex(/^SL[0-9a-f]{32}$/, 'must be a setup link SID: SL and 32 lowercase hex digits').meta({ example: `SL${'0'.repeat(32)}` });
const orgParams = z.strictObject({ OrganizationSid });

export const SetupLinkResource = z.object({
  sid: SetupLinkSid,
  organization_sid: OrganizationSid,
  kind: z.enum(SETUP_LINK_KINDS).describe('What the link sets up: sso (a SAML or OIDC connection and its test sign-in), scim (a SCIM token and a test push) or domain (registration and verification)'),
  state: z.enum(['live', 'expired', 'revoked']),
  idp: z.enum(['okta', 'entra', 'google', 'saml', 'oidc', 'other']).nullable().describe('The identity provider the IT admin chose, once chosen'),
  connection_id: z.uuid().nullable().describe('sso links: the id of the connection the link adds (known once an IdP is chosen)'),
  created_by: z.string(),
  date_created: z.iso.datetime(),
  date_expires: z.iso.datetime(),
  date_revoked: z.iso.datetime().nullable(),
  date_last_used: z.iso.datetime().nullable(),
  steps: z.number().int().describe('How many steps were taken through the link (each is in the audit log, actor setup:<sid>)'),
  last_step: z.string().nullable().describe('The audit action of the last step'),
});

const toResource = (l: SetupLinkView): z.infer<typeof SetupLinkResource> => ({
  sid: l.sid, organization_sid: l.orgSid, kind: l.kind, state: l.state, idp: l.idp, connection_id: l.connectionId, created_by: l.createdBy,
  date_created: l.createdAt.toISOString(), date_expires: l.expiresAt.toISOString(), date_revoked: l.revokedAt?.toISOString() ?? null,
  date_last_used: l.lastUsedAt?.toISOString() ?? null, steps: l.steps, last_step: l.lastStep?.action ?? null,
});

export function setupLinkRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/SetupLinks', summary: "List the organization's setup links, newest first (never their URLs)", tags: TAGS,
      access: 'admin:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The links', schema: z.object({ setup_links: z.array(SetupLinkResource) }) } },
      async handler({ params, principal }) {
        return { status: 200, body: { setup_links: (await services.setupLinks.list(principal.actor, params.OrganizationSid)).map(toResource) } };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/SetupLinks', summary: "Create a setup link for the customer's IT admin; its URL is in this response only", tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({
        kind: z.enum(SETUP_LINK_KINDS),
        valid_days: z.number().int().min(1).max(MAX_SETUP_LINK_DAYS).optional().describe(`How many days the link works (default ${DEFAULT_SETUP_LINK_DAYS}, at most ${MAX_SETUP_LINK_DAYS})`),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The link and its URL, shown once (only its digest is kept)', schema: SetupLinkResource.extend({ url: z.string() }) } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const created = await services.setupLinks.create(principal.actor, params.OrganizationSid, { kind: body.kind, validDays: body.valid_days });
          return { status: 201, body: { ...toResource(created), url: created.url } };
        });
      },
    }),

    defineRoute({
      method: 'delete', path: '/Organizations/{OrganizationSid}/SetupLinks/{SetupLinkSid}', summary: 'Revoke a setup link at once (what was set up through it stays)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: z.strictObject({ OrganizationSid, SetupLinkSid }),
      responses: { 204: { description: 'Revoked (also when it already was)' } },
      async handler({ params, principal }) {
        await services.setupLinks.revoke(principal.actor, params.OrganizationSid, params.SetupLinkSid);
        return { status: 204 };
      },
    }),
  ];
}
