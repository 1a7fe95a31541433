/**
 * Reading accounts (O3): the Owner and Administrators see every account of the organization; a
 * Standard User only the accounts they own or were granted, and their subaccounts (A7). Reads
 * are not audited (L1). Part of the accounts service.
 */
import { canSeeAccount } from '../rules/account-plans.js';
import type { Account, Actor } from '../types.js';
import { accountSnapshot, heldAccountCount, notFound, refuseScim } from './account-support.js';
import { authorize, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';

/** O5: how many accounts the organization may hold and holds now. */
export interface AccountLimits {
  readonly orgSid: string;
  readonly accountLimit: number;
  /** Accounts that count toward the limit (countHeldAccounts: top-level, managed or pending import, not closed). */
  readonly accountCount: number;
}

/** The read use cases, spread into the accounts service. */
export function createAccountQueries(deps: ServiceDeps) {
  const repos = deps.store.read;

  /** O3: the organization's accounts the actor may see. */
  async function list(actor: Actor, orgSid: string): Promise<Account[]> {
    refuseScim(actor);
    const auth = await authorize(repos, actor, orgSid, 'view_organization');
    const accounts = await repos.accounts.listByOrg(orgSid);
    if (!auth.member) return accounts;
    const viewer = snapshotOf(auth.member);
    const grants = await repos.accounts.grantsOf(orgSid, viewer.userSid);
    return accounts.filter((a) => canSeeAccount(viewer, accountSnapshot(a), grants));
  }

  return {
    list,

    /** A7, O3: the subaccounts of `parentSid` in `orgSid` the actor may see (404 for a parent they may not see). */
    async listSubaccounts(actor: Actor, orgSid: string, parentSid: string): Promise<Account[]> {
      const visible = await list(actor, orgSid);
      if (!visible.some((a) => a.sid === parentSid && a.parentSid === null)) throw notFound(parentSid);
      return visible.filter((a) => a.parentSid === parentSid);
    },

    /** O5: the organization's account limit and how many accounts count toward it; any member may look. */
    async limits(actor: Actor, orgSid: string): Promise<AccountLimits> {
      refuseScim(actor);
      const { org } = await authorize(repos, actor, orgSid, 'view_organization');
      return { orgSid, accountLimit: org.accountLimit, accountCount: await heldAccountCount(repos, orgSid) };
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
