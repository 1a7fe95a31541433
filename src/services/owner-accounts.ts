/**
 * A4 in the caller's transaction: the Owner's accounts join the organization as managed accounts
 * when an organization is created for an existing user and when the Owner role is handed over.
 * The caller holds the organization row lock (O5: the count and the limit cannot move meanwhile).
 */
import { planOwnerAccounts, type OwnerAccountsOccasion } from '../rules/owner-accounts.js';
import type { Repos } from '../store/index.js';
import type { Actor, Organization } from '../types.js';
import { accountSnapshot, heldAccountCount, orgSnapshot } from './account-support.js';
import { audit, fail } from './context.js';

/** What A4 brought in: the top-level accounts, the subaccounts that followed, and the limit. */
export interface OwnerAccountsJoined {
  readonly accountSids: readonly string[];
  readonly subaccountSids: readonly string[];
  readonly accountLimit: number;
}

/** A4, O5: asks the rule, then moves the Owner's accounts in, each audited (L1); throws account_limit_reached at a hand-over. */
export async function bringOwnerAccountsIn(
  repos: Repos, actor: Actor, org: Organization, ownerSid: string, occasion: OwnerAccountsOccasion,
): Promise<OwnerAccountsJoined> {
  const owned = await repos.accounts.lockOwnedBy(ownerSid);
  const plan = planOwnerAccounts({
    org: orgSnapshot(org), ownerSid, ownedAccounts: owned.map(accountSnapshot),
    heldAccountCount: await heldAccountCount(repos, org.sid), occasion,
  });
  if (plan.kind === 'reject') return fail(plan);
  if (plan.accountLimit !== org.accountLimit) {
    await repos.organizations.update(org.sid, { accountLimit: plan.accountLimit });
    await audit(repos, actor, {
      orgSid: org.sid, action: 'organization.settings_changed', target: org.sid,
      before: { accountLimit: org.accountLimit }, after: { accountLimit: plan.accountLimit, reason: 'owner_accounts_joined' },
    });
  }
  const subaccountSids: string[] = [];
  const bySid = new Map(owned.map((a) => [a.sid, a]));
  for (const accountSid of plan.accountSids) {
    const before = bySid.get(accountSid)!;
    const patch = { orgSid: org.sid, management: 'managed' as const };
    await repos.accounts.update(accountSid, patch);
    const children = await repos.accounts.updateOpenChildren(accountSid, patch);
    subaccountSids.push(...children);
    await audit(repos, actor, {
      orgSid: org.sid, action: 'account.joined_with_owner', target: accountSid,
      before: { orgSid: before.orgSid, management: before.management },
      after: { orgSid: org.sid, management: 'managed', ownerSid, reason: occasion, subaccountSids: children },
    });
  }
  return { accountSids: plan.accountSids, subaccountSids, accountLimit: plan.accountLimit };
}
