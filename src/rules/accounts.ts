/**
 * Accounts of an organization: creation, changes of status, subaccounts. Import, release and
 * ownership transfer are in account-moves.ts.
 *
 * Rules: A1 (managed / independent / pending; only managed accounts are changed), A2 (a new
 * account has a name and a usage, starts as an active trial with fresh defaults), A5 (accounts
 * created by any managed user are managed), A7 (subaccount limits: 1 under a trial account,
 * 1,000 under an upgraded one; no subaccount of a subaccount), H3 (initial HIPAA flag: the
 * organization's designation for a top-level account, the parent's flag for a subaccount),
 * O5 (account limit).
 *
 * A8 (billing is per managed account, never consolidated) needs no decision here: nothing in
 * these plans merges or moves billing; a subaccount's billing rolls up to its parent (A7).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { initialHipaaFlag, isHipaaDesignated } from './hipaa.js';
import { checkManagedAccount } from './managed-account.js';
import type { ManagedAccountRejection } from './managed-account.js';
import { normaliseName } from './names.js';
import { decideAccountCreation } from './organizations.js';
import { decideAction } from './roles.js';
import type { AccountPlan, AccountSnapshot, AccountStatus, AccountUsage, MemberSnapshot, OrgSnapshot } from './types.js';
import { ACCOUNT_USAGES } from './types.js';

/** A2: longest account name. */
export const MAX_ACCOUNT_NAME = 64;
/** A7: how many subaccounts an account may have, by its plan. */
export const SUBACCOUNT_LIMITS: Readonly<Record<AccountPlan, number>> = { trial: 1, upgraded: 1000 };

/** An account to insert (the SID is the service's to generate). */
export interface NewAccount {
  readonly name: string;
  readonly usage: AccountUsage;
  readonly plan: AccountPlan;
  readonly status: 'active';
  readonly hipaa: boolean;
  readonly orgSid: string;
  readonly management: 'managed';
  readonly ownerSid: string;
  readonly parentSid: string | null;
}

/** Input of {@link planNewAccount}. */
export interface NewAccountInput {
  /** The managed user creating it: they become its owner (A5). */
  readonly creator: MemberSnapshot;
  readonly org: OrgSnapshot;
  /** `countHeldAccounts(...)` of the organization (O5). */
  readonly heldAccountCount: number;
  readonly name: string;
  readonly usage: string;
}

/** Result of {@link planNewAccount} and {@link decideSubaccountCreation}. */
export type NewAccountPlan =
  | { readonly kind: 'create'; readonly account: NewAccount }
  | Rejection<'invalid_input' | 'forbidden' | 'user_suspended' | 'account_limit_reached'>;

/**
 * A2, A5, H3, O5: any managed user (Owner, Administrator, Standard User) creates an account: it
 * is managed, owned by them, an active trial, flagged for HIPAA if the organization is designated.
 */
export function planNewAccount(input: NewAccountInput): NewAccountPlan {
  const permission = decideAction(input.creator, 'create_account', { orgSid: input.org.sid });
  if (permission.kind === 'reject') return permission;
  const fields = checkFields(input.name, input.usage);
  if (fields.kind === 'reject') return fields;
  const room = decideAccountCreation(input.org, input.heldAccountCount);
  if (room.kind === 'reject') return room;
  return {
    kind: 'create',
    account: {
      ...fields.value,
      plan: 'trial',
      status: 'active',
      hipaa: initialHipaaFlag({ orgDesignated: isHipaaDesignated(input.org), parentHipaa: null }),
      orgSid: input.org.sid,
      management: 'managed',
      ownerSid: input.creator.userSid,
      parentSid: null,
    },
  };
}

/** Input of {@link decideSubaccountCreation}. */
export interface SubaccountInput {
  readonly org: OrgSnapshot;
  readonly parent: AccountSnapshot;
  /** Subaccounts the parent has now (closed ones excluded). */
  readonly subaccountCount: number;
  readonly name: string;
  readonly usage: string;
}

/** Result of {@link decideSubaccountCreation}. */
export type SubaccountDecision =
  | NewAccountPlan
  | Rejection<'subaccount_limit_reached' | 'account_suspended'>
  | ManagedAccountRejection;

/**
 * A7, H3: a subaccount under an active managed top-level account, within 1 (trial parent) or
 * 1,000 (upgraded parent). It has the parent's owner and plan (billing rolls up) and the
 * parent's HIPAA flag, set or not (H3).
 * The caller checks the actor may use the parent (`decideAction(actor, 'access_account', ...)`).
 */
export function decideSubaccountCreation(input: SubaccountInput): SubaccountDecision {
  const { parent, org } = input;
  if (parent.parentSid !== null) {
    return reject('invalid_input', 'A subaccount cannot have subaccounts. Create it under the main account instead.');
  }
  const managed = checkManagedAccount(parent, org.sid);
  if (managed !== null) return managed;
  if (parent.status === 'suspended') {
    return reject('account_suspended', 'This account is suspended. Reactivate it before creating subaccounts.');
  }
  const limit = SUBACCOUNT_LIMITS[parent.plan];
  if (input.subaccountCount >= limit) {
    const hint = parent.plan === 'trial' ? ' Upgrade the account to create up to 1,000 subaccounts.' : '';
    return reject(
      'subaccount_limit_reached',
      `This account already has ${input.subaccountCount} of the ${limit.toLocaleString('en-US')} subaccount${limit === 1 ? '' : 's'} it may have.${hint}`,
    );
  }
  const fields = checkFields(input.name, input.usage);
  if (fields.kind === 'reject') return fields;
  return {
    kind: 'create',
    account: {
      ...fields.value,
      plan: parent.plan,
      status: 'active',
      hipaa: initialHipaaFlag({ orgDesignated: isHipaaDesignated(org), parentHipaa: parent.hipaa }),
      orgSid: org.sid,
      management: 'managed',
      ownerSid: parent.ownerSid,
      parentSid: parent.sid,
    },
  };
}

/** A change the organization may make to an account. 'update' covers name and settings. */
export type AccountChange = 'update' | 'suspend' | 'reactivate' | 'close';

/** Result of {@link decideAccountModification}. */
export type AccountModificationDecision =
  | { readonly kind: 'allow'; readonly accountSid: string; readonly status: AccountStatus }
  | { readonly kind: 'unchanged'; readonly accountSid: string; readonly status: AccountStatus }
  | ManagedAccountRejection;

/**
 * A1: the organization updates, suspends, reactivates or closes only its managed accounts
 * (independent: account_not_managed; pending: account_pending; closed: account_closed).
 * `status` is the status after the change. The caller checks `decideAction(actor, 'manage_accounts')`.
 */
export function decideAccountModification(account: AccountSnapshot, orgSid: string, change: AccountChange): AccountModificationDecision {
  const managed = checkManagedAccount(account, orgSid);
  if (managed !== null) return managed;
  const next: AccountStatus = change === 'suspend' ? 'suspended'
    : change === 'reactivate' ? 'active'
      : change === 'close' ? 'closed'
        : account.status;
  if (change !== 'update' && next === account.status) {
    return { kind: 'unchanged', accountSid: account.sid, status: next };
  }
  return { kind: 'allow', accountSid: account.sid, status: next };
}

function checkFields(name: string, usage: string):
  | { kind: 'ok'; value: { name: string; usage: AccountUsage } }
  | Rejection<'invalid_input'> {
  const checked = normaliseName(name, 'account name', MAX_ACCOUNT_NAME);
  if (!checked.ok) return reject(checked.code, checked.message);
  const wanted = ACCOUNT_USAGES.find((u) => u === usage);
  if (wanted === undefined) return reject('invalid_input', 'Choose how the account will be used: twilio or flex.');
  return { kind: 'ok', value: { name: checked.name, usage: wanted } };
}
