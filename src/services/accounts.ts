/**
 * Accounts of an organization: creation (A2, A5, O5, H3), subaccounts (A7), ownership transfer
 * (A6), status changes and release (A1, A4) and upgrade (A7). Import by SID (A3, M4) is in
 * account-imports.ts, listing (O3) in account-queries.ts; both are part of the same service object.
 * Each change runs in one transaction, asks its rule, and writes its audit entry in it (L1).
 */
import { DomainError } from '../errors.js';
import { newSid } from '../ids.js';
import { decideMakeIndependent, decideOwnershipTransfer } from '../rules/account-moves.js';
import { decideAccountUpgrade } from '../rules/account-plans.js';
import { decideAccountModification, decideSubaccountCreation, planNewAccount, type AccountChange } from '../rules/accounts.js';
import { decideOperatorOnly } from '../rules/operator.js';
import { decideAction } from '../rules/roles.js';
import type { MemberSnapshot } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { Account, AccountUsage, Actor } from '../types.js';
import { accountSnapshot, actingMember, heldAccountCount, lockOrgAccount, notFound, orgSnapshot, refuseScim, type ChildPatch } from './account-support.js';
import { createAccountImports } from './account-imports.js';
import { createAccountQueries } from './account-queries.js';
import { audit, authorize, fail, snapshotOf, type Authorized } from './context.js';
import type { ServiceDeps } from './index.js';

export interface NewAccountInput {
  readonly name: string;
  readonly usage: AccountUsage | string;
  /** The managed user who will own it; defaults to the acting user. An operator must give it. */
  readonly ownerSid?: string;
}

export interface NewSubaccountInput {
  readonly name: string;
  /** Defaults to the parent's usage. */
  readonly usage?: AccountUsage | string;
}

/** An account with what changed alongside it. */
export interface AccountChangeResult {
  readonly account: Account;
  /** Subaccounts that followed the change (A7). */
  readonly subaccountSids: readonly string[];
  readonly changed: boolean;
}

/** A caller's precondition on the locked account (throws to refuse), e.g. the API's If-Match. */
export type AccountGuard = (locked: Account) => void;

/** createAccountService: the account use cases over one Store. */
export function createAccountService(deps: ServiceDeps) {
  const { store } = deps;

  /** A1: suspend, reactivate or close a managed account; closing closes its subaccounts (A7). */
  async function changeStatus(actor: Actor, accountSid: string, change: Exclude<AccountChange, 'update'>, guard?: AccountGuard): Promise<AccountChangeResult> {
    return store.transaction(async (repos) => {
      const account = await lockOrgAccount(repos, accountSid);
      // A caller's precondition (the API's If-Match) is checked again under the row lock.
      guard?.(account);
      await authorize(repos, actor, account.orgSid, 'manage_accounts');
      const decision = decideAccountModification(accountSnapshot(account), account.orgSid, change);
      if (decision.kind === 'reject') return fail(decision);
      if (decision.kind === 'unchanged') return { account, subaccountSids: [], changed: false };
      const updated = await repos.accounts.update(account.sid, { status: decision.status });
      const subaccountSids = change === 'close' ? await repos.accounts.updateOpenChildren(account.sid, { status: 'closed' }) : [];
      await audit(repos, actor, {
        orgSid: account.orgSid, action: `account.${change === 'close' ? 'closed' : change === 'suspend' ? 'suspended' : 'reactivated'}`,
        target: account.sid, before: { status: account.status }, after: { status: updated.status, subaccountSids },
      });
      return { account: updated, subaccountSids, changed: true };
    });
  }

  /** Applies a change to an account and, when it is a parent, to its open subaccounts (A7). */
  async function updateWithChildren(repos: Repos, account: Account, patch: ChildPatch): Promise<{ account: Account; subaccountSids: string[] }> {
    const updated = await repos.accounts.update(account.sid, patch);
    const subaccountSids = account.parentSid === null ? await repos.accounts.updateOpenChildren(account.sid, patch) : [];
    return { account: updated, subaccountSids };
  }

  return {
    /**
     * A2, A5, O5, H3: a new managed trial account owned by the acting user (or by `ownerSid`, for
     * the operator or an Owner/Administrator acting for a member). The organization row is locked
     * before counting, so concurrent creations cannot exceed the limit.
     */
    async create(actor: Actor, orgSid: string, input: NewAccountInput): Promise<Account> {
      return store.transaction(async (repos) => {
        const auth = await authorize(repos, actor, orgSid, 'create_account', {}, true);
        const creator = await ownerFor(repos, actor, auth, input.ownerSid);
        const plan = planNewAccount({
          creator, org: orgSnapshot(auth.org), heldAccountCount: await heldAccountCount(repos, orgSid), name: input.name, usage: input.usage,
        });
        if (plan.kind === 'reject') return fail(plan);
        const account = await repos.accounts.insert({ sid: newSid('AC'), ...plan.account });
        await audit(repos, actor, { orgSid, action: 'account.created', target: account.sid, after: account });
        return account;
      });
    },

    /**
     * A7, H3: a subaccount under `parentSid` (locked, so concurrent creations respect the limit):
     * at most 1 under a trial parent, 1,000 under an upgraded one. It has the parent's owner and
     * plan, no users of its own, and starts flagged for HIPAA under a flagged parent.
     */
    async createSubaccount(actor: Actor, parentSid: string, input: NewSubaccountInput, guard?: AccountGuard): Promise<Account> {
      return store.transaction(async (repos) => {
        const parent = await lockOrgAccount(repos, parentSid);
        guard?.(parent);
        const grantedAccountSids = actor.kind === 'user' ? await repos.accounts.grantsOf(parent.orgSid, actor.userSid) : [];
        refuseScim(actor);
        const auth = await authorize(repos, actor, parent.orgSid, 'access_account', { account: accountSnapshot(parent), grantedAccountSids });
        const decision = decideSubaccountCreation({
          org: orgSnapshot(auth.org), parent: accountSnapshot(parent), subaccountCount: await repos.accounts.countChildren(parent.sid),
          name: input.name, usage: input.usage ?? parent.usage,
        });
        if (decision.kind === 'reject') return fail(decision);
        const account = await repos.accounts.insert({ sid: newSid('AC'), ...decision.account });
        await audit(repos, actor, { orgSid: parent.orgSid, action: 'account.subaccount_created', target: account.sid, after: account });
        return account;
      });
    },

    /** A6: the Owner or an Administrator passes a managed account (and its subaccounts) to another member. */
    async transferOwnership(actor: Actor, accountSid: string, newOwnerSid: string, guard?: AccountGuard): Promise<AccountChangeResult> {
      return store.transaction(async (repos) => {
        const account = await lockOrgAccount(repos, accountSid);
        guard?.(account);
        await authorize(repos, actor, account.orgSid, 'manage_accounts');
        // Locked: the target cannot be suspended or removed between the A6 check and the write.
        const target = typeof newOwnerSid === 'string' ? await repos.users.lock(newOwnerSid) : undefined;
        // Someone who is no user at all is, like an outsider, not a managed user of the organization (A6).
        const snapshot: MemberSnapshot = target ? snapshotOf(target) : { userSid: newOwnerSid, orgSid: null, role: null, email: '', status: 'active' };
        const decision = decideOwnershipTransfer(accountSnapshot(account), account.orgSid, snapshot);
        if (decision.kind === 'reject') return fail(decision);
        if (decision.kind === 'unchanged') return { account, subaccountSids: [], changed: false };
        const result = await updateWithChildren(repos, account, { ownerSid: decision.toSid });
        await audit(repos, actor, {
          orgSid: account.orgSid, action: 'account.ownership_transferred', target: account.sid,
          before: { ownerSid: decision.fromSid }, after: { ownerSid: decision.toSid, subaccountSids: result.subaccountSids },
        });
        return { ...result, changed: true };
      });
    },

    /** A1: suspend a managed account. */
    suspend: (actor: Actor, accountSid: string, guard?: AccountGuard) => changeStatus(actor, accountSid, 'suspend', guard),
    /** A1: reactivate a suspended managed account. */
    reactivate: (actor: Actor, accountSid: string, guard?: AccountGuard) => changeStatus(actor, accountSid, 'reactivate', guard),
    /** A1, A7: close a managed account and its subaccounts. */
    close: (actor: Actor, accountSid: string, guard?: AccountGuard) => changeStatus(actor, accountSid, 'close', guard),

    /** A1, A4: release a managed account (with its subaccounts); accounts of the Owner stay managed. */
    async makeIndependent(actor: Actor, accountSid: string, guard?: AccountGuard): Promise<AccountChangeResult> {
      return store.transaction(async (repos) => {
        const account = await lockOrgAccount(repos, accountSid);
        // A caller's precondition (the API's organization and If-Match) is checked again under the row lock.
        guard?.(account);
        await authorize(repos, actor, account.orgSid, 'manage_accounts');
        const owner = await repos.users.owner(account.orgSid);
        const decision = decideMakeIndependent(accountSnapshot(account), account.orgSid, owner?.sid ?? '');
        if (decision.kind === 'reject') return fail(decision);
        const result = await updateWithChildren(repos, account, { management: 'independent' });
        await audit(repos, actor, {
          orgSid: account.orgSid, action: 'account.made_independent', target: account.sid,
          before: { management: account.management }, after: { management: 'independent', subaccountSids: result.subaccountSids },
        });
        return { ...result, changed: true };
      });
    },

    /** A7: the operator upgrades a trial account; its subaccounts get the parent's plan. */
    async upgrade(actor: Actor, accountSid: string, guard?: AccountGuard): Promise<AccountChangeResult> {
      const operator = decideOperatorOnly(actor.kind, 'upgrade an account');
      if (operator.kind === 'reject') return fail(operator);
      return store.transaction(async (repos) => {
        const account = await repos.accounts.lock(accountSid);
        if (!account) throw notFound(accountSid);
        guard?.(account);
        const decision = decideAccountUpgrade(accountSnapshot(account));
        if (decision.kind === 'reject') return fail(decision);
        if (decision.kind === 'unchanged') return { account, subaccountSids: [], changed: false };
        const result = await updateWithChildren(repos, account, { plan: decision.plan });
        if (account.orgSid !== null) {
          await audit(repos, actor, {
            orgSid: account.orgSid, action: 'account.upgraded', target: account.sid,
            before: { plan: account.plan }, after: { plan: decision.plan, subaccountSids: result.subaccountSids },
          });
        }
        return { ...result, changed: true };
      });
    },

    ...createAccountQueries(deps),
    ...createAccountImports(deps),
  };
}

/**
 * A5: who will own a new account. By default the acting user; an operator names a member; a user
 * naming someone else needs to manage accounts (O3). The owner must be a member of the organization.
 */
async function ownerFor(repos: Repos, actor: Actor, auth: Authorized, ownerSid: string | undefined): Promise<MemberSnapshot> {
  const acting = actingMember(actor, auth);
  if (ownerSid === undefined || ownerSid === acting.userSid) {
    if (!auth.member) throw new DomainError('invalid_input', "Give the SID of the member who will own the account.");
    return acting;
  }
  if (auth.member) {
    const allowed = decideAction(acting, 'manage_accounts', { orgSid: auth.org.sid });
    if (allowed.kind === 'reject') fail(allowed);
  }
  const owner = await repos.users.get(ownerSid);
  if (!owner || owner.orgSid !== auth.org.sid) {
    throw new DomainError('not_a_member', 'The owner of a new account must be a member of the organization.');
  }
  return snapshotOf(owner);
}

export type AccountService = ReturnType<typeof createAccountService>;
