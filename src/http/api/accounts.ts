/**
 * Twilio-compatible Accounts of an organization (twilio_iam_organizations.json, OrganizationAccount):
 * list and fetch, plus create (A2, A5, O5). O3: the Owner, Administrators and API clients see every
 * account of the organization; a Standard User only those they own or were granted. Anything of
 * another organization is 404, never 403 (U6).
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { Account } from '../../types.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, OrganizationSid, UserSid, pageOf, twilioPage, twilioPaging } from './schemas.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';

const TAGS = ['Accounts'];

/**
 * PublicApiAccountResponse, with Orgward's extra fields after Twilio's (the twilio SDK ignores
 * fields it does not know, so they do not break it).
 */
export const AccountResource = z.object({
  account_sid: AccountSid,
  friendly_name: z.string(),
  status: z.enum(['active', 'suspended', 'pending_closure', 'closed']),
  owner_sid: UserSid,
  date_created: z.iso.datetime(),
  parent_account_sid: AccountSid.nullable().describe('A7: the parent of a subaccount; null for a top-level account (Orgward extension).'),
  management: z.enum(['managed', 'independent', 'pending']).nullable().describe('A1: managed, independent, or pending an import confirmation (Orgward extension).'),
  plan: z.enum(['trial', 'upgraded']).describe('A7: trial accounts hold 1 subaccount, upgraded ones 1,000 (Orgward extension).'),
  usage: z.enum(['twilio', 'flex']).describe('A2 (Orgward extension).'),
  hipaa: z.boolean().describe('H2: the HIPAA flag (Orgward extension).'),
});

export const toAccountResource = (a: Account): z.infer<typeof AccountResource> => ({
  account_sid: a.sid, friendly_name: a.name, status: a.status, owner_sid: a.ownerSid, date_created: a.createdAt.toISOString(),
  parent_account_sid: a.parentSid, management: a.management, plan: a.plan, usage: a.usage, hipaa: a.hipaa,
});

const orgParams = z.strictObject({ OrganizationSid });
const accountParams = z.strictObject({ OrganizationSid, AccountSid });

/** The account, when it belongs to `orgSid` and the caller may see it; 404 otherwise. */
export async function accountIn(services: Services, actor: Parameters<Services['accounts']['get']>[0], orgSid: string, accountSid: string): Promise<Account> {
  // The service answers 404 for an account the caller may not see or of another organization;
  // the message is replaced so it never names the other organization.
  const account = await services.accounts.get(actor, accountSid).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'not_found') return undefined;
    throw error;
  });
  if (!account || account.orgSid !== orgSid) throw new DomainError('not_found', `No account ${accountSid} in organization ${orgSid}.`);
  return account;
}

export function accountRoutes(services: Services, baseUrl: string): ApiRoute[] {
  return [
    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Accounts', summary: 'List the accounts of an organization', tags: TAGS,
      access: 'member:read', auth: 'principal', errors: 'twilio',
      params: orgParams, query: z.strictObject(twilioPaging),
      responses: { 200: { description: 'A page of accounts', schema: twilioPage(AccountResource) } },
      async handler({ params, query, principal }) {
        const accounts = (await services.accounts.list(principal.actor, params.OrganizationSid)).toSorted((a, b) => (a.sid < b.sid ? -1 : 1));
        return { status: 200, body: pageOf(accounts, query, `${baseUrl}/Organizations/${params.OrganizationSid}/Accounts`, toAccountResource) };
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}', summary: 'Fetch one account of an organization', tags: TAGS,
      access: 'member:read', auth: 'principal', errors: 'twilio', params: accountParams,
      responses: { 200: { description: 'The account', schema: AccountResource } },
      async handler({ params, principal }) {
        const body = toAccountResource(await accountIn(services, principal.actor, params.OrganizationSid, params.AccountSid));
        return { status: 200, body, headers: { ETag: etagOf(body) } };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts', summary: 'Create a managed account (A2, A5, O5)', tags: TAGS,
      access: 'member:write', auth: 'principal', errors: 'twilio', params: orgParams,
      body: z.strictObject({
        friendlyName: z.string().trim().min(1).max(255).describe('Account friendly name'),
        ownerSid: UserSid.optional().describe('The managed user who will own it; defaults to the caller (required for API clients).'),
        usage: z.enum(['twilio', 'flex']).default('twilio').describe('A2: what the account is used for (Orgward extension).'),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The new account', schema: AccountResource.extend({ accountSid: AccountSid }) } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const account = await services.accounts.create(principal.actor, params.OrganizationSid, {
            name: body.friendlyName, usage: body.usage, ...(body.ownerSid !== undefined && { ownerSid: body.ownerSid }),
          });
          const resource = toAccountResource(account);
          return { status: 201, body: { ...resource, accountSid: account.sid }, headers: { ETag: etagOf(resource) } };
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}', summary: 'Update an account: suspend, reactivate or close it (A1, A7)', tags: TAGS,
      access: 'member:write', auth: 'principal', errors: 'twilio', params: accountParams,
      body: z.strictObject({
        status: z.enum(['active', 'suspended', 'closed']).optional().describe('A1: suspend, reactivate (active) or close a managed account; closing closes its subaccounts (A7).'),
      }),
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The account after the change', schema: AccountResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const current = await accountIn(services, principal.actor, params.OrganizationSid, params.AccountSid);
          checkIfMatch(req, toAccountResource(current));
          let account = current;
          if (body.status !== undefined && body.status !== current.status) {
            const change = body.status === 'suspended' ? services.accounts.suspend : body.status === 'closed' ? services.accounts.close : services.accounts.reactivate;
            // Checked again under the account's row lock, so a concurrent change cannot slip between.
            account = (await change(principal.actor, current.sid, (locked) => checkIfMatch(req, toAccountResource(locked)))).account;
          }
          const resource = toAccountResource(account);
          return { status: 200, body: resource, headers: { ETag: etagOf(resource) } };
        });
      },
    }),
  ];
}
