/**
 * Accounts moving in, out of management, or between owners.
 *
 * Rules: A1 (managed / independent / pending), A3 (import by SID needs the owner's email domain
 * verified by the organization: domain_not_verified; pending until the owner confirms by email,
 * then managed), A4 (accounts owned by the Owner are always managed, never independent),
 * A6 (ownership moves only between active managed users of the same organization:
 * transfer_target_not_managed), A7 (a subaccount follows its parent), O5 (account limit).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { isCommonDomain } from './common-domains.js';
import { emailMatchesDomain, normaliseEmail } from './domains.js';
import { checkManagedAccount } from './managed-account.js';
import type { ManagedAccountRejection } from './managed-account.js';
import { decideAccountCreation } from './organizations.js';
import type { AccountSnapshot, DomainSnapshot, MemberSnapshot, OrgSnapshot } from './types.js';

/** Input of {@link decideAccountImport}. */
export interface AccountImportInput {
  readonly org: OrgSnapshot;
  /** The account found by the SID entered, or null when there is none. */
  readonly account: AccountSnapshot | null;
  /** The email of the account's owner. */
  readonly ownerEmail: string;
  /** The organization's domains (only its verified ones count). */
  readonly orgDomains: readonly DomainSnapshot[];
  /** `countHeldAccounts(...)` of the organization (O5). */
  readonly heldAccountCount: number;
}

/** Result of {@link decideAccountImport}. */
export type AccountImportDecision =
  | { readonly kind: 'pending'; readonly accountSid: string; readonly confirmationEmail: string }
  | { readonly kind: 'already_in_org'; readonly accountSid: string; readonly management: 'managed' | 'pending' }
  | Rejection<'not_found' | 'account_closed' | 'invalid_input' | 'domain_not_verified' | 'account_limit_reached'>;

/**
 * A3, O5: bring an existing top-level account into the organization by SID. Its owner's email
 * domain must be verified by the organization (exact match, D5). The account becomes pending and
 * its owner is asked to confirm by email. An independent account of the organization may be
 * imported to become managed.
 */
export function decideAccountImport(input: AccountImportInput): AccountImportDecision {
  const { account, org } = input;
  // U6: an account of another organization is answered like one that does not exist, so a SID
  // tells nobody outside that organization whether it is there.
  if (account === null || (account.orgSid !== null && account.orgSid !== org.sid)) {
    return reject('not_found', 'No account with this SID can be imported. Check the SID and try again.');
  }
  if (account.orgSid === org.sid && (account.management === 'managed' || account.management === 'pending')) {
    return { kind: 'already_in_org', accountSid: account.sid, management: account.management };
  }
  if (account.status === 'closed') return reject('account_closed', 'This account is closed, so it cannot be imported.');
  if (account.parentSid !== null) {
    return reject('invalid_input', 'This is a subaccount. Import its parent account; the subaccounts come with it.');
  }
  const owner = normaliseEmail(input.ownerEmail);
  const verified = owner.ok && input.orgDomains.some((d) => d.verified && d.orgSid === org.sid
    && emailMatchesDomain(owner.email, d.name));
  if (!owner.ok || !verified) {
    // D2: a public email provider cannot be verified, so "verify it first" would be no fix.
    const fix = owner.ok && isCommonDomain(owner.domain)
      ? `Its owner uses a ${owner.domain} address, a public email provider no organization can verify; the owner can create their own organization instead.`
      : "Verify the owner's email domain first.";
    return reject(
      'domain_not_verified',
      `You can import an account only when its owner's email is on a domain your organization has verified. ${fix}`,
    );
  }
  const room = decideAccountCreation(org, input.heldAccountCount);
  if (room.kind === 'reject') return room;
  return { kind: 'pending', accountSid: account.sid, confirmationEmail: owner.email };
}

/** Result of {@link decideImportConfirmation}. */
export type ImportConfirmationDecision =
  | { readonly kind: 'confirm'; readonly accountSid: string; readonly management: 'managed' }
  | Rejection<'not_found' | 'forbidden'>;

/** A3: the account's owner confirms a pending import; the account becomes managed. */
export function decideImportConfirmation(account: AccountSnapshot, orgSid: string, confirmerSid: string): ImportConfirmationDecision {
  if (account.orgSid !== orgSid || account.management !== 'pending') {
    return reject('not_found', 'There is no import of this account waiting for confirmation.');
  }
  if (account.ownerSid !== confirmerSid) {
    return reject('forbidden', "Only the account's owner can confirm this import. Sign in as the owner and try again.");
  }
  return { kind: 'confirm', accountSid: account.sid, management: 'managed' };
}

/** Result of {@link decideMakeIndependent}. */
export type MakeIndependentDecision =
  | { readonly kind: 'make_independent'; readonly accountSid: string }
  | Rejection<'owner_accounts_managed' | 'invalid_input'>
  | ManagedAccountRejection;

/**
 * A1, A4: release a managed account from management (it becomes independent). Accounts owned by
 * the organization's Owner stay managed (owner_accounts_managed); a subaccount follows its parent.
 */
export function decideMakeIndependent(account: AccountSnapshot, orgSid: string, orgOwnerSid: string): MakeIndependentDecision {
  const managed = checkManagedAccount(account, orgSid);
  if (managed !== null) return managed;
  if (account.parentSid !== null) {
    return reject('invalid_input', 'A subaccount follows its parent account. Change the parent account instead.');
  }
  if (account.ownerSid === orgOwnerSid) {
    return reject(
      'owner_accounts_managed',
      "Accounts owned by the organization's Owner always stay in the organization. Transfer the account to another member first.",
    );
  }
  return { kind: 'make_independent', accountSid: account.sid };
}

/** Result of {@link decideOwnershipTransfer}. */
export type OwnershipTransferDecision =
  | { readonly kind: 'transfer'; readonly accountSid: string; readonly fromSid: string; readonly toSid: string }
  | { readonly kind: 'unchanged'; readonly accountSid: string }
  | Rejection<'transfer_target_not_managed' | 'invalid_input'>
  | ManagedAccountRejection;

/**
 * A6: a managed account passes to another active managed user of the same organization (a
 * suspended user cannot sign in to use it). Subaccounts follow their parent's owner, so they are
 * not transferred on their own.
 */
export function decideOwnershipTransfer(account: AccountSnapshot, orgSid: string, newOwner: MemberSnapshot): OwnershipTransferDecision {
  const managed = checkManagedAccount(account, orgSid);
  if (managed !== null) return managed;
  if (account.parentSid !== null) {
    return reject('invalid_input', "A subaccount has its parent's owner. Transfer the parent account instead.");
  }
  if (newOwner.orgSid !== orgSid) {
    return reject(
      'transfer_target_not_managed',
      'Accounts can only be transferred to members of your organization. Invite this person first.',
    );
  }
  if (newOwner.userSid === account.ownerSid) return { kind: 'unchanged', accountSid: account.sid };
  if (newOwner.status !== 'active') {
    return reject(
      'transfer_target_not_managed',
      'This member is suspended, so accounts cannot be transferred to them. Restore the member first, or choose an active member.',
    );
  }
  return { kind: 'transfer', accountSid: account.sid, fromSid: account.ownerSid, toSid: newOwner.userSid };
}
