/**
 * The organization itself over the API (issue 10): fetch (name, Owner, counts, limits), rename
 * (O3: Owner or Administrator), the operator-only settings (O5 account limit, B1 bulk import, H1
 * BAA: anyone else is `forbidden`), the Owner hand-over (O2: the Owner only), and creation, which
 * only the operator credential can do over HTTP. Orgward-only resource: Orgward's errors.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { OrganizationView } from '../../services/organizations.js';
import type { Organization } from '../../types.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, OrganizationSid, UserSid } from './schemas.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';

const TAGS = ['Organizations'];

export const OrganizationResource = z.object({
  organization_sid: OrganizationSid,
  friendly_name: z.string(),
  owner_sid: UserSid.nullable(),
  member_count: z.number().int(),
  account_count: z.number().int().describe('O5: accounts held against the limit.'),
  account_limit: z.number().int().describe('O5: raised only by the operator.'),
  bulk_import_enabled: z.boolean().describe('B1: set only by the operator.'),
  baa_executed_at: z.iso.datetime().nullable().describe('H1: recorded only by the operator.'),
  date_created: z.iso.datetime(),
});

const toResource = (o: OrganizationView): z.infer<typeof OrganizationResource> => ({
  organization_sid: o.sid, friendly_name: o.name, owner_sid: o.ownerSid, member_count: o.memberCount, account_count: o.accountCount,
  account_limit: o.accountLimit, bulk_import_enabled: o.bulkImportEnabled, baa_executed_at: o.baaExecutedAt?.toISOString() ?? null,
  date_created: o.createdAt.toISOString(),
});

/** What the ETag covers: the organization's own settings (the counts move with other resources). */
const versionOf = (o: Organization) => ({
  sid: o.sid, name: o.name, accountLimit: o.accountLimit, bulkImportEnabled: o.bulkImportEnabled, baaExecutedAt: o.baaExecutedAt?.toISOString() ?? null,
});

const orgParams = z.strictObject({ OrganizationSid });

export function organizationRoutes(services: Services): ApiRoute[] {
  const fetch = async (actor: Parameters<Services['organizations']['get']>[0], orgSid: string) => {
    const org = await services.organizations.get(actor, orgSid);
    return { status: 200, body: toResource(org), headers: { ETag: etagOf(versionOf(org)) } };
  };

  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}', summary: 'Fetch the organization: name, Owner, counts and limits', tags: TAGS,
      access: 'member:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The organization', schema: OrganizationResource } },
      async handler({ params, principal }) {
        return fetch(principal.actor, params.OrganizationSid);
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations', summary: 'Create an organization (operator credential only)', tags: TAGS,
      access: 'operator:write', auth: 'principal', errors: 'orgward',
      body: z.strictObject({
        friendly_name: z.string().trim().min(1).max(64),
        owner_email: z.string().trim().min(3).max(320).describe('A new user, or an existing user without an organization (U1); mailed a link to set a password when new.'),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The new organization', schema: OrganizationResource } },
      async handler({ body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const created = await services.organizations.create(principal.actor, { name: body.friendly_name, ownerEmail: body.owner_email });
          return { ...(await fetch(principal.actor, created.orgSid)), status: 201 };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}', summary: 'Update the organization: its name (Owner, Administrator), operator settings (operator only)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({
        friendly_name: z.string().trim().min(1).max(64).optional(),
        account_limit: z.number().int().min(0).max(1_000_000).optional().describe('O5, operator only; never below the accounts held.'),
        bulk_import_enabled: z.boolean().optional().describe('B1, operator only.'),
        baa_executed: z.boolean().optional().describe('H1, operator only: true records the executed BAA now; a recorded BAA stays.'),
      }),
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The organization after the change', schema: OrganizationResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const orgSid = params.OrganizationSid;
          const current = await services.organizations.get(principal.actor, orgSid);
          checkIfMatch(req, versionOf(current));
          let state: Organization = current;
          const operatorSettings = {
            ...(body.account_limit !== undefined && { accountLimit: body.account_limit }),
            ...(body.bulk_import_enabled !== undefined && { bulkImportEnabled: body.bulk_import_enabled }),
            ...(body.baa_executed !== undefined && { baaExecuted: body.baa_executed }),
          };
          // Operator settings first: the service refuses anyone else before anything changes.
          if (Object.keys(operatorSettings).length > 0) state = await services.organizations.updateSettings(principal.actor, orgSid, operatorSettings);
          if (body.friendly_name !== undefined) {
            const expected = etagOf(versionOf(state));
            await services.organizations.rename(principal.actor, orgSid, body.friendly_name, (locked) => {
              if (etagOf(versionOf(locked)) !== expected) {
                throw new DomainError('precondition_failed', 'The organization changed while this request ran. Read it again and retry with the new ETag.', { details: { httpStatus: 412 } });
              }
            });
          }
          return fetch(principal.actor, orgSid);
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/OwnerTransfer', summary: 'Hand the Owner role to another active member (O2; the Owner only, signed in)', tags: TAGS,
      access: 'owner:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({ owner_sid: UserSid.describe('The member who becomes Owner; the former Owner becomes Administrator.') }),
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: {
          description: 'The hand-over is done',
          schema: z.object({ owner_sid: UserSid, former_owner_sid: UserSid, accounts_joined: z.array(AccountSid).describe("A4: the new Owner's accounts that joined as managed accounts.") }),
        },
      },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const done = await services.members.handOverOwnership(principal.actor, params.OrganizationSid, body.owner_sid);
          return { status: 200, body: { owner_sid: done.ownerSid, former_owner_sid: done.formerOwnerSid, accounts_joined: [...done.accountsJoined] } };
        });
      },
    }),
  ];
}
