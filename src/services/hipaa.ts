/**
 * HIPAA: the per-account flag (H2). Designation itself (H1) is the operator recording the BAA
 * through the organizations service; new accounts and subaccounts get their initial flag from
 * the account rules (H3).
 */
import { decideHipaaFlag, isHipaaDesignated } from '../rules/hipaa.js';
import type { Account, Actor } from '../types.js';
import { accountSnapshot, actingMember, lockOrgAccount, orgSnapshot } from './account-support.js';
import { audit, authorize, fail } from './context.js';
import type { AccountGuard } from './accounts.js';
import type { ServiceDeps } from './index.js';

export interface HipaaStatus {
  readonly orgSid: string;
  /** H1: true once an operator recorded the executed BAA. */
  readonly designated: boolean;
  readonly baaExecutedAt: Date | null;
  /** SIDs of the organization's accounts that carry the flag. */
  readonly flaggedAccountSids: readonly string[];
}

/** createHipaaService: the HIPAA use cases over one Store. */
export function createHipaaService(deps: ServiceDeps) {
  const { store } = deps;
  return {
    /**
     * H2, A1: the Owner or an Administrator sets (`on`) or clears the HIPAA flag of one managed
     * account, once the organization is designated (baa_required before). Existing subaccounts
     * keep their own flag; new ones start with the parent's (H3).
     */
    async setFlag(actor: Actor, accountSid: string, on: boolean, guard?: AccountGuard): Promise<{ account: Account; changed: boolean }> {
      return store.transaction(async (repos) => {
        const account = await lockOrgAccount(repos, accountSid);
        guard?.(account);
        // manage_hipaa, not a read: a read-only API client stands in as the organization's
        // authority in the rule below, so the write must be refused here (O3).
        const auth = await authorize(repos, actor, account.orgSid, 'manage_hipaa');
        const decision = decideHipaaFlag({ actor: actingMember(actor, auth), org: orgSnapshot(auth.org), account: accountSnapshot(account), hipaa: on });
        if (decision.kind === 'reject') return fail(decision);
        if (decision.kind === 'unchanged') return { account, changed: false };
        const updated = await repos.accounts.update(account.sid, { hipaa: decision.hipaa });
        await audit(repos, actor, {
          orgSid: account.orgSid, action: decision.hipaa ? 'account.hipaa_flagged' : 'account.hipaa_unflagged',
          target: account.sid, before: { hipaa: account.hipaa }, after: { hipaa: decision.hipaa },
        });
        return { account: updated, changed: true };
      });
    },

    /** H1, H2: whether the organization is designated and which of its accounts are flagged. */
    async status(actor: Actor, orgSid: string): Promise<HipaaStatus> {
      const auth = await authorize(store.read, actor, orgSid, 'manage_hipaa');
      const accounts = await store.read.accounts.listByOrg(orgSid);
      return {
        orgSid,
        designated: isHipaaDesignated(auth.org),
        baaExecutedAt: auth.org.baaExecutedAt,
        flaggedAccountSids: accounts.filter((a) => a.hipaa).map((a) => a.sid),
      };
    },
  };
}

export type HipaaService = ReturnType<typeof createHipaaService>;
