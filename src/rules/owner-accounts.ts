/**
 * The Owner's accounts are always the organization's.
 *
 * Rules: A4 (accounts owned by the Owner are always in the organization as managed accounts:
 * when an organization is created for an existing user, and when the Owner role is handed over,
 * the Owner's accounts join it, whatever the Owner's email domain), A7 (subaccounts follow their
 * parent), O5 (account limit), A1 (closed accounts are gone).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { countHeldAccounts, raiseLimitHint } from './organizations.js';
import type { AccountSnapshot, OrgSnapshot } from './types.js';

/** When A4 brings the Owner's accounts in. */
export type OwnerAccountsOccasion = 'organization_created' | 'owner_handover';

/** Input of {@link planOwnerAccounts}. */
export interface OwnerAccountsInput {
  readonly org: OrgSnapshot;
  /** The (new) Owner. */
  readonly ownerSid: string;
  /** Every account the Owner owns, in any organization or none. */
  readonly ownedAccounts: readonly AccountSnapshot[];
  /** `countHeldAccounts(...)` of the organization now (O5). */
  readonly heldAccountCount: number;
  readonly occasion: OwnerAccountsOccasion;
}

/** Result of {@link planOwnerAccounts}. */
export type OwnerAccountsPlan =
  | {
    readonly kind: 'bring_in';
    /** Top-level accounts to make managed accounts of the organization (their open subaccounts follow, A7). */
    readonly accountSids: readonly string[];
    /** The organization's account limit afterwards (raised only for a new organization). */
    readonly accountLimit: number;
  }
  | Rejection<'account_limit_reached'>;

/**
 * A4: which of the Owner's accounts join the organization as managed accounts: their open
 * top-level accounts outside any organization, and those of this organization that are
 * independent or pending. Accounts another organization holds stay there (taking them would
 * change that organization without its consent); closed accounts are gone.
 *
 * O5: a new organization's limit rises to fit its Owner's accounts (A4 leaves no choice, and the
 * operator creates organizations for existing users); at a hand-over, an organization that
 * cannot hold the new Owner's accounts refuses it (account_limit_reached) until an operator
 * raises the limit.
 */
export function planOwnerAccounts(input: OwnerAccountsInput): OwnerAccountsPlan {
  const { org } = input;
  const joining = input.ownedAccounts.filter((a) => a.ownerSid === input.ownerSid
    && a.parentSid === null
    && a.status !== 'closed'
    && (a.orgSid === null || (a.orgSid === org.sid && a.management !== 'managed')));
  // A pending import already counts toward the limit; the others are new to it.
  const adding = joining.length - countHeldAccounts(joining, org.sid);
  const needed = input.heldAccountCount + adding;
  if (needed > org.accountLimit && input.occasion === 'owner_handover') {
    return reject(
      'account_limit_reached',
      `The new Owner owns ${adding} account${adding === 1 ? '' : 's'} that must join the organization (A4), `
        + `which would hold ${needed} of at most ${org.accountLimit}. ${raiseLimitHint(org.sid, needed)}, `
        + 'or close accounts first.',
    );
  }
  return {
    kind: 'bring_in',
    accountSids: joining.map((a) => a.sid).sort(),
    accountLimit: Math.max(org.accountLimit, needed),
  };
}
