/**
 * Reading accounts (O3): the Owner and Administrators see every account of the organization; a
 * Standard User only the accounts they own or were granted, and their subaccounts (A7). Reads
 * are not audited (L1). Part of the accounts service.
 */
import { canSeeAccount } from '../rules/account-plans.js';
import type { Account, Actor } from '../types.js';
import { accountSnapshot, notFound, refuseScim } from './account-support.js';
import { authorize, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';

/** The read use cases, spread into the accounts service. */
export function createAccountQueries(deps: ServiceDeps) {
  const repos = deps.store.read;
  return {
    /** O3: the organization's accounts the actor may see. */
    async list(actor: Actor, orgSid: string): Promise<Account[]> {
      refuseScim(actor);
      const auth = await authorize(repos, actor, orgSid, 'view_organization');
      const accounts = await repos.accounts.listByOrg(orgSid);
      if (!auth.member) return accounts;
      const viewer = snapshotOf(auth.member);
      const grants = await repos.accounts.grantsOf(orgSid, viewer.userSid);
      return accounts.filter((a) => canSeeAccount(viewer, accountSnapshot(a), grants));
    },

    /** O3: one account, if the actor may see it (404 otherwise, so its existence is not revealed). */
    async get(actor: Actor, accountSid: string): Promise<Account> {
      refuseScim(actor);
      const account = await repos.accounts.get(accountSid);
      // The operator sees every account, also those outside any organization.
      if (account && (actor.kind === 'operator' || actor.kind === 'system')) return account;
      if (!account || account.orgSid === null) throw notFound(accountSid);
      const auth = await authorize(repos, actor, account.orgSid, 'view_organization');
      if (!auth.member) return account;
      const grants = await repos.accounts.grantsOf(account.orgSid, auth.member.sid);
      if (!canSeeAccount(snapshotOf(auth.member), accountSnapshot(account), grants)) throw notFound(accountSid);
      return account;
    },
  };
}
