/**
 * Accounts (A1-A8, O5, H2): managed / independent / pending tabs of what the member may see (a
 * Standard User: only their own and granted ones, O3), create (A5), one account with its
 * subaccounts (A7), who has which role there (R1-R3), and the lifecycle actions the services
 * allow (suspend, reactivate, close behind a confirmation, upgrade, HIPAA after the BAA).
 */
import type { Request } from 'express';
import { DomainError, isDomainError } from '../../../errors.js';
import { ACCOUNT_MANAGEMENTS } from '../../../rules/types.js';
import { can } from '../../../rules/roles.js';
import { withNotice } from '../notices.js';
import { formField, orgOf, param, queryField, type AdminRoute, type PageContext } from '../page.js';

const ACCOUNT = /^AC[0-9a-f]{32}$/i;
const accountSidOf = (req: Request): string => {
  const sid = param(req, 'sid');
  if (!ACCOUNT.test(sid)) throw new DomainError('not_found', 'There is no such account.');
  return `AC${sid.slice(2).toLowerCase()}`;
};
const page = (sid: string) => `/admin/accounts/${sid}`;
const back = (req: Request) => (ACCOUNT.test(param(req, 'sid')) ? page(param(req, 'sid')) : '/admin/accounts');

async function list(c: PageContext) {
  const tabQ = queryField(c.req, 'tab');
  const tab = (ACCOUNT_MANAGEMENTS as readonly string[]).includes(tabQ) ? tabQ : 'managed';
  const [accounts, limits] = await Promise.all([c.services.accounts.list(c.actor, orgOf(c)), c.services.accounts.limits(c.actor, orgOf(c))]);
  return {
    view: 'accounts', title: 'Accounts',
    data: { tab, accounts: accounts.filter((a) => a.management === tab && a.parentSid === null), limits, canCreate: can(c.role, 'create_account'), canImport: can(c.role, 'manage_accounts') },
  };
}

async function detail(c: PageContext) {
  const orgSid = orgOf(c);
  const account = await c.services.accounts.get(c.actor, accountSidOf(c.req));
  const manage = can(c.role, 'manage_accounts');
  const [subaccounts, catalogue, holders] = await Promise.all([
    account.parentSid === null ? c.services.accounts.listSubaccounts(c.actor, orgSid, account.sid) : Promise.resolve([]),
    c.services.roles.list(c.actor, orgSid),
    // R1-R3: who holds which role here; a Standard User may read only their own (the service decides).
    manage && account.parentSid === null ? c.services.roleAssignments.list(c.actor, orgSid, { scope: account.sid }) : Promise.resolve([]),
  ]);
  const roleName = new Map(catalogue.map((r) => [r.sid, r.name]));
  let hipaaReady = false;
  if (can(c.role, 'manage_hipaa')) {
    try { hipaaReady = (await c.services.hipaa.status(c.actor, orgSid)).designated; } catch (error) { if (!isDomainError(error)) throw error; }
  }
  return {
    view: 'account', title: account.name,
    data: {
      a: account, subaccounts, manage, hipaaReady, canSub: can(c.role, 'create_account') && account.parentSid === null,
      holders: holders.map((h) => ({ ...h, roleName: roleName.get(h.roleSid) ?? h.roleSid })),
    },
  };
}

/** A POST on one account that returns to its page with a notice. */
function accountAction(path: string, notice: Parameters<typeof withNotice>[1], run: (c: PageContext, sid: string) => Promise<unknown>): AdminRoute {
  return {
    method: 'post', path: `/accounts/:sid/${path}`, action: 'view_organization', back,
    handler: async (c) => { const sid = accountSidOf(c.req); await run(c, sid); return { redirect: withNotice(page(sid), notice) }; },
  };
}

export function accountPages(): AdminRoute[] {
  return [
    { method: 'get', path: '/accounts', action: 'view_organization', handler: list },
    {
      method: 'post', path: '/accounts', action: 'create_account', back: () => '/admin/accounts',
      handler: async (c) => {
        const created = await c.services.accounts.create(c.actor, orgOf(c), { name: formField(c.req, 'name'), usage: formField(c.req, 'usage') || 'twilio' });
        return { redirect: withNotice(page(created.sid), 'account_created') };
      },
    },
    {
      // A3: the owner's email domain must be verified here; the account stays pending until its owner confirms by email.
      method: 'post', path: '/accounts/import', action: 'manage_accounts', back: () => '/admin/accounts?tab=pending',
      handler: async (c) => {
        const result = await c.services.accounts.importBySid(c.actor, orgOf(c), formField(c.req, 'accountSid'));
        return { redirect: withNotice('/admin/accounts?tab=pending', result.outcome === 'pending' ? 'account_import_requested' : 'account_already_in_org') };
      },
    },
    { method: 'get', path: '/accounts/:sid', action: 'view_organization', handler: detail },
    {
      method: 'get', path: '/accounts/:sid/confirm/close', action: 'manage_accounts',
      handler: async (c) => {
        const a = await c.services.accounts.get(c.actor, accountSidOf(c.req));
        return { view: 'confirm', title: 'Close this account?', data: { subject: `${a.name} (${a.sid})`, text: 'A closed account cannot be used or reopened here; its subaccounts close with it.', button: 'Close account', action: `${page(a.sid)}/close`, cancel: page(a.sid) } };
      },
    },
    // The services decide who may (O3, A1: account_not_managed for independent accounts, A7 limits).
    accountAction('subaccounts', 'subaccount_created', (c, sid) => c.services.accounts.createSubaccount(c.actor, sid, { name: formField(c.req, 'name') })),
    accountAction('suspend', 'account_suspended', (c, sid) => c.services.accounts.suspend(c.actor, sid)),
    accountAction('reactivate', 'account_reactivated', (c, sid) => c.services.accounts.reactivate(c.actor, sid)),
    accountAction('close', 'account_closed', (c, sid) => c.services.accounts.close(c.actor, sid)),
    accountAction('upgrade', 'account_upgraded', (c, sid) => c.services.accounts.upgrade(c.actor, sid)),
    accountAction('transfer', 'account_transferred', (c, sid) => c.services.accounts.transferOwnership(c.actor, sid, formField(c.req, 'owner'))),
    accountAction('hipaa', 'hipaa_set', (c, sid) => c.services.hipaa.setFlag(c.actor, sid, formField(c.req, 'on') === 'true')),
  ];
}
