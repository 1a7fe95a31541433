/**
 * HIPAA designation of an organization and the HIPAA flag of its accounts.
 *
 * Rules: H1 (designated only after an operator records the executed BAA), H2 (then the Owner or
 * an Administrator flags each managed account; existing accounts do not inherit it; baa_required
 * before designation), H3 (top-level accounts created after designation start flagged; a new
 * subaccount takes its parent's flag, set or not), A1 (only managed accounts are changed).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { checkManagedAccount } from './managed-account.js';
import type { ManagedAccountRejection } from './managed-account.js';
import { baaRequired } from './operator.js';
import { decideAction } from './roles.js';
import type { AccountSnapshot, MemberSnapshot, OrgSnapshot } from './types.js';

/** H1: the organization is HIPAA-designated once its BAA is recorded. */
export function isHipaaDesignated(org: Pick<OrgSnapshot, 'baaExecutedAt'>): boolean {
  return org.baaExecutedAt !== null;
}

/** Result of {@link decideBaaRecording}. */
export type BaaRecordingDecision =
  | { readonly kind: 'record'; readonly baaExecutedAt: Date }
  | { readonly kind: 'unchanged'; readonly baaExecutedAt: Date }
  | Rejection<'invalid_input'>;

/**
 * H1: an operator records the date the BAA was executed. It cannot be in the future (`now` is
 * passed in) and, once recorded, is not overwritten.
 */
export function decideBaaRecording(org: OrgSnapshot, executedAt: Date, now: Date): BaaRecordingDecision {
  if (org.baaExecutedAt !== null) return { kind: 'unchanged', baaExecutedAt: org.baaExecutedAt };
  if (Number.isNaN(executedAt.getTime()) || executedAt.getTime() > now.getTime()) {
    return reject('invalid_input', 'Enter the date the BAA was signed; it cannot be in the future.');
  }
  return { kind: 'record', baaExecutedAt: executedAt };
}

/** Input of {@link initialHipaaFlag}. */
export interface InitialHipaaInput {
  /** H1: the organization is designated when the account is created. */
  readonly orgDesignated: boolean;
  /** The parent's flag for a subaccount, null for a top-level account. */
  readonly parentHipaa: boolean | null;
}

/**
 * H3: the flag a new account starts with. A top-level account is flagged when the organization is
 * designated; a subaccount takes its parent's flag, set or not (an unflagged parent in a
 * designated organization has unflagged subaccounts).
 */
export function initialHipaaFlag(input: InitialHipaaInput): boolean {
  if (input.parentHipaa !== null) return input.parentHipaa;
  return input.orgDesignated;
}

/** Input of {@link decideHipaaFlag}. */
export interface HipaaFlagInput {
  readonly actor: MemberSnapshot;
  readonly org: OrgSnapshot;
  readonly account: AccountSnapshot;
  /** The flag wanted. */
  readonly hipaa: boolean;
}

/** Result of {@link decideHipaaFlag}. */
export type HipaaFlagDecision =
  | { readonly kind: 'set'; readonly accountSid: string; readonly hipaa: boolean }
  | { readonly kind: 'unchanged'; readonly accountSid: string; readonly hipaa: boolean }
  | Rejection<'forbidden' | 'user_suspended' | 'baa_required'>
  | ManagedAccountRejection;

/**
 * H2: the Owner or an Administrator sets or clears the HIPAA flag of one managed account of a
 * designated organization.
 */
export function decideHipaaFlag(input: HipaaFlagInput): HipaaFlagDecision {
  const { actor, org, account } = input;
  const permission = decideAction(actor, 'manage_hipaa', { orgSid: org.sid });
  if (permission.kind === 'reject') return permission;
  if (!isHipaaDesignated(org)) {
    return baaRequired(org.sid);
  }
  const managed = checkManagedAccount(account, org.sid);
  if (managed !== null) return managed;
  return account.hipaa === input.hipaa
    ? { kind: 'unchanged', accountSid: account.sid, hipaa: input.hipaa }
    : { kind: 'set', accountSid: account.sid, hipaa: input.hipaa };
}
