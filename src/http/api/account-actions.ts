/**
 * Orgward's account operations beyond Twilio's Accounts resource (which accounts.ts serves as
 * Twilio defines it): import by SID (A3), ownership transfer (A6), independence (A1, A4), upgrade
 * (A7, operator only), the HIPAA flag (H2), subaccounts (A7) and the account limit (O5). Authorisation is the
 * services' (O3, U6); an account of another organization is 404 by path and by body reference.
 */
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { Account } from '../../types.js';
import { accountIn, AccountResource, toAccountResource } from './accounts.js';
import { checkIfMatch, etagOf, idempotent, IDEMPOTENCY_HEADER, IF_MATCH_HEADER } from './preconditions.js';
import type { Principal } from './principal.js';
import { defineRoute, type ApiRoute } from './registry.js';
import { AccountSid, OrganizationSid, UserSid, pageOf, twilioPage, twilioPaging } from './schemas.js';
import type { Request } from 'express';

const TAGS = ['Accounts (Orgward)'];

const orgParams = z.strictObject({ OrganizationSid });
const accountParams = z.strictObject({ OrganizationSid, AccountSid });

/** The account after a change that its subaccounts followed (A6, A7). */
const ChangedAccount = AccountResource.extend({
  subaccount_sids: z.array(AccountSid).describe('Subaccounts that followed the change (A7).'),
});

const AccountImport = AccountResource.extend({
  import_status: z.enum(['pending', 'already_in_org']).describe('A3: pending until the owner confirms by mail; already_in_org changed nothing.'),
  confirmation_email: z.string().nullable().describe('Where the confirmation link went (pending only).'),
});

const AccountLimits = z.object({
  organization_sid: OrganizationSid,
  account_limit: z.number().int().describe('O5: how many accounts the organization may hold (an operator raises it).'),
  account_count: z.number().int().describe('Top-level accounts that count: managed or pending import, not closed.'),
  accounts_remaining: z.number().int(),
});

/**
 * The guard a change checks on the locked account: still in the organization of the path (404
 * otherwise, never naming another organization) and, when given, If-Match (412).
 */
function lockedGuard(req: Request, orgSid: string) {
  return (locked: Account): void => {
    if (locked.orgSid !== orgSid) throw new DomainError('not_found', `No account ${locked.sid} in organization ${orgSid}.`);
    checkIfMatch(req, toAccountResource(locked));
  };
}

/** Reads the account first (404 for what the caller may not see), then checks If-Match. */
async function current(services: Services, principal: Principal, req: Request, orgSid: string, accountSid: string): Promise<Account> {
  const account = await accountIn(services, principal.actor, orgSid, accountSid);
  checkIfMatch(req, toAccountResource(account));
  return account;
}

const withEtag = (status: number, account: Account, extra: Record<string, unknown> = {}) => {
  const resource = toAccountResource(account);
  return { status, body: { ...resource, ...extra }, headers: { ETag: etagOf(resource) } };
};

type AccountGuard = ReturnType<typeof lockedGuard>;
interface AccountChangeInput { readonly params: { OrganizationSid: string; AccountSid: string }; readonly principal: Principal; readonly req: Request }

/**
 * One change of an account through its service: idempotent, If-Match checked on the read and
 * again under the lock the change takes, answered with the changed account (and the subaccounts
 * that followed it, when the change carries them) and its new ETag.
 */
function changeAccount(services: Services, { params, principal, req }: AccountChangeInput, body: unknown,
  change: (guard: AccountGuard) => Promise<{ readonly account: Account; readonly subaccountSids?: readonly string[] }>) {
  return idempotent(services, req, principal, body, async () => {
    await current(services, principal, req, params.OrganizationSid, params.AccountSid);
    const result = await change(lockedGuard(req, params.OrganizationSid));
    return withEtag(200, result.account, result.subaccountSids ? { subaccount_sids: result.subaccountSids } : {});
  });
}

export function accountActionRoutes(services: Services, baseUrl: string): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/AccountImports', summary: 'Import an existing account by SID (A3: pending until its owner confirms by mail)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: orgParams,
      body: z.strictObject({ account_sid: AccountSid.describe('The top-level account to bring in; its owner\'s email domain must be verified by the organization.') }),
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        202: { description: 'The account is pending; its owner got a single-use confirmation link (/account-imports/<token>)', schema: AccountImport },
        200: { description: 'The account was already in the organization; nothing changed', schema: AccountImport },
      },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          const result = await services.accounts.importBySid(principal.actor, params.OrganizationSid, body.account_sid);
          return withEtag(result.outcome === 'pending' ? 202 : 200, result.account, { import_status: result.outcome, confirmation_email: result.confirmationEmail });
        });
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Owner', summary: 'Transfer ownership of a managed account (A6) to an active managed user', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: accountParams,
      body: z.strictObject({ owner_sid: UserSid.describe('A6: an active managed user of the organization; its subaccounts follow.') }),
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The account with its new owner', schema: ChangedAccount } },
      handler: (input) => changeAccount(services, input, input.body, (guard) => services.accounts.transferOwnership(input.principal.actor, input.params.AccountSid, input.body.owner_sid, guard)),
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Independence', summary: 'Make a managed account independent (A1, A4: not one owned by the Owner); its subaccounts follow', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: accountParams,
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The account, now independent: its owner manages it, the organization no longer changes it (A1)', schema: ChangedAccount } },
      handler: (input) => changeAccount(services, input, {}, (guard) => services.accounts.makeIndependent(input.principal.actor, input.params.AccountSid, guard)),
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Upgrade', summary: 'Upgrade a trial account (A7; only the service operator)', tags: TAGS,
      access: 'operator:write', auth: 'principal', errors: 'orgward', params: accountParams,
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The upgraded account; its subaccounts get its plan', schema: ChangedAccount } },
      handler: (input) => changeAccount(services, input, {}, (guard) => services.accounts.upgrade(input.principal.actor, input.params.AccountSid, guard)),
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Hipaa', summary: 'Set or clear the HIPAA flag of a managed account (H2: baa_required before designation)', tags: TAGS,
      access: 'admin:write', auth: 'principal', errors: 'orgward', params: accountParams,
      body: z.strictObject({ hipaa: z.boolean().describe('H2: true flags the account; existing subaccounts keep their own flag (H3).') }),
      headers: [IF_MATCH_HEADER, IDEMPOTENCY_HEADER],
      responses: { 200: { description: 'The account with its flag', schema: AccountResource } },
      handler: (input) => changeAccount(services, input, input.body, (guard) => services.hipaa.setFlag(input.principal.actor, input.params.AccountSid, input.body.hipaa, guard).then(({ account }) => ({ account }))),
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Subaccounts', summary: 'List the subaccounts of an account (A7)', tags: TAGS,
      access: 'member:read', auth: 'principal', errors: 'orgward', params: accountParams, query: z.strictObject(twilioPaging),
      responses: { 200: { description: 'A page of subaccounts', schema: twilioPage(AccountResource) } },
      async handler({ params, query, principal }) {
        const subaccounts = (await services.accounts.listSubaccounts(principal.actor, params.OrganizationSid, params.AccountSid)).toSorted((a, b) => (a.sid < b.sid ? -1 : 1));
        const url = `${baseUrl}/Organizations/${params.OrganizationSid}/Accounts/${params.AccountSid}/Subaccounts`;
        return { status: 200, body: pageOf(subaccounts, query, url, toAccountResource) };
      },
    }),

    defineRoute({
      method: 'post', path: '/Organizations/{OrganizationSid}/Accounts/{AccountSid}/Subaccounts', summary: 'Create a subaccount (A7: 1 under a trial account, 1,000 under an upgraded one)', tags: TAGS,
      access: 'member:write', auth: 'principal', errors: 'orgward', params: accountParams,
      body: z.strictObject({
        friendly_name: z.string().trim().min(1).max(255).describe('The subaccount\'s name.'),
        usage: z.enum(['twilio', 'flex']).optional().describe('A2: defaults to the parent\'s usage.'),
      }),
      headers: [IDEMPOTENCY_HEADER],
      responses: { 201: { description: 'The new subaccount (the parent\'s owner, plan and HIPAA flag, H3)', schema: AccountResource } },
      async handler({ params, body, principal, req }) {
        return idempotent(services, req, principal, body, async () => {
          await accountIn(services, principal.actor, params.OrganizationSid, params.AccountSid);
          const guard = (locked: Account) => {
            if (locked.orgSid !== params.OrganizationSid) throw new DomainError('not_found', `No account ${locked.sid} in organization ${params.OrganizationSid}.`);
          };
          const account = await services.accounts.createSubaccount(principal.actor, params.AccountSid, {
            name: body.friendly_name, ...(body.usage !== undefined && { usage: body.usage }),
          }, guard);
          return withEtag(201, account);
        });
      },
    }),

    defineRoute({
      method: 'get', path: '/Organizations/{OrganizationSid}/AccountLimits', summary: 'The organization\'s account limit and how many accounts count toward it (O5)', tags: TAGS,
      access: 'member:read', auth: 'principal', errors: 'orgward', params: orgParams,
      responses: { 200: { description: 'The limit and the count', schema: AccountLimits } },
      async handler({ params, principal }) {
        const limits = await services.accounts.limits(principal.actor, params.OrganizationSid);
        return {
          status: 200,
          body: {
            organization_sid: limits.orgSid, account_limit: limits.accountLimit, account_count: limits.accountCount,
            accounts_remaining: Math.max(0, limits.accountLimit - limits.accountCount),
          },
        };
      },
    }),
  ];
}
