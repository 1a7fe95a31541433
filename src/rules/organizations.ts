/**
 * An organization's birth, its account limit, and the fact that it is never deleted.
 *
 * Rules: O1 (sign-up without joining creates an organization owned by the new user; the creation
 * plan itself changes no account: A4, in owner-accounts.ts, brings an existing user's accounts in), O4 (an organization cannot be deleted, only merged away),
 * O5 (at most 10 accounts by default; an operator may change the limit), U1 (one organization
 * per user).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { normaliseName } from './names.js';
import type { AccountSnapshot, MemberSnapshot, OrgSnapshot } from './types.js';

/** O5: the account limit of a new organization. */
export const DEFAULT_ACCOUNT_LIMIT = 10;
/** The highest limit an operator may set; a guard against typos, not a business rule. */
export const MAX_ACCOUNT_LIMIT = 100_000;
/** Longest organization name. */
export const MAX_ORGANIZATION_NAME = 64;
/** Name used when sign-up asks for none. */
export const DEFAULT_ORGANIZATION_NAME = 'My organization';

/** Result of {@link planNewOrganization}. */
export type NewOrganizationPlan =
  | {
    readonly kind: 'create';
    readonly name: string;
    readonly ownerSid: string;
    readonly ownerRole: 'owner';
    readonly accountLimit: number;
    readonly bulkImportEnabled: false;
    readonly baaExecutedAt: null;
  }
  | Rejection<'invalid_input' | 'member_of_other_org'>;

/**
 * O1: the organization created for a user who signed up without joining one. The plan holds no
 * account changes; for an existing user, {@link planOwnerAccounts} (A4) decides which of their
 * accounts join. The SID is the service's to generate.
 */
export function planNewOrganization(owner: MemberSnapshot, name?: string): NewOrganizationPlan {
  if (owner.orgSid !== null) {
    return reject('member_of_other_org', 'You already belong to an organization, so you cannot create another one.');
  }
  const checked = normaliseName(name ?? DEFAULT_ORGANIZATION_NAME, 'organization name', MAX_ORGANIZATION_NAME);
  if (!checked.ok) return reject(checked.code, checked.message);
  return {
    kind: 'create',
    name: checked.name,
    ownerSid: owner.userSid,
    ownerRole: 'owner',
    accountLimit: DEFAULT_ACCOUNT_LIMIT,
    bulkImportEnabled: false,
    baaExecutedAt: null,
  };
}

/** O4: an organization is never deleted; it ends only by being merged into another. */
export function decideOrganizationDelete(): Rejection<'organization_cannot_be_deleted'> {
  return reject(
    'organization_cannot_be_deleted',
    'An organization cannot be deleted. It can only be merged into another organization.',
  );
}

/**
 * O5: the accounts that count toward the limit: top-level accounts of the organization that are
 * managed or pending (a pending import reserves its place). Independent accounts are external,
 * closed accounts are gone, and subaccounts have their own limit (A7).
 */
export function countHeldAccounts(accounts: readonly AccountSnapshot[], orgSid: string): number {
  return accounts.filter((a) => a.orgSid === orgSid
    && a.parentSid === null
    && a.status !== 'closed'
    && (a.management === 'managed' || a.management === 'pending')).length;
}

/**
 * O5: the fix that exists on a self-hosted service: the operator command that raises the limit
 * of `orgSid` to `needed`.
 */
export function raiseLimitHint(orgSid: string | undefined, needed: number): string {
  return `An operator can raise the limit: orgward org set --org ${orgSid ?? '<organization SID>'} --account-limit ${needed}`;
}

/**
 * O5: may `adding` more accounts join an organization holding `heldAccountCount`?
 * With the default limit of 10: 9 held → allowed, 10 held → account_limit_reached.
 */
export function decideAccountCreation(
  org: Pick<OrgSnapshot, 'accountLimit'> & { readonly sid?: string },
  heldAccountCount: number,
  adding = 1,
): Allow | Rejection<'account_limit_reached'> {
  if (heldAccountCount + adding <= org.accountLimit) return allow();
  return reject(
    'account_limit_reached',
    `Your organization can hold at most ${org.accountLimit} accounts and has ${heldAccountCount}. `
      + `Close an account you no longer need. ${raiseLimitHint(org.sid, heldAccountCount + adding)}.`,
  );
}

/** Result of {@link decideAccountLimitChange}. */
export type AccountLimitDecision =
  | { readonly kind: 'set'; readonly accountLimit: number }
  | Rejection<'invalid_input'>;

/**
 * O5: an operator sets the limit: a whole number from 1 to {@link MAX_ACCOUNT_LIMIT}, and never
 * below what the organization already holds.
 */
export function decideAccountLimitChange(newLimit: number, heldAccountCount: number): AccountLimitDecision {
  if (!Number.isInteger(newLimit) || newLimit < 1 || newLimit > MAX_ACCOUNT_LIMIT) {
    return reject('invalid_input', `The account limit must be a whole number from 1 to ${MAX_ACCOUNT_LIMIT}.`);
  }
  if (newLimit < heldAccountCount) {
    return reject(
      'invalid_input',
      `The organization already holds ${heldAccountCount} accounts; the limit cannot be lower than that.`,
    );
  }
  return { kind: 'set', accountLimit: newLimit };
}
