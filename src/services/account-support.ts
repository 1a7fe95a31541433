/**
 * What the account, HIPAA, merge and import services share: the rules' view of accounts and
 * organizations, the acting member as the rules see it, and the O5 count.
 */
import { DomainError } from '../errors.js';
import { countHeldAccounts } from '../rules/organizations.js';
import type { AccountSnapshot, MemberSnapshot, OrgSnapshot } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { Account, Actor, Organization } from '../types.js';
import type { Authorized } from './context.js';
import { actingSnapshot } from './member-checks.js';
import { scimRefusal } from './scim-refusal.js';

/** The rules' view of an account. */
export const accountSnapshot = (a: Account): AccountSnapshot => ({
  sid: a.sid, orgSid: a.orgSid, management: a.management, ownerSid: a.ownerSid, parentSid: a.parentSid,
  plan: a.plan, status: a.status, hipaa: a.hipaa,
});

/** The rules' view of an organization. */
export const orgSnapshot = (o: Organization): OrgSnapshot => ({
  sid: o.sid, accountLimit: o.accountLimit, bulkImportEnabled: o.bulkImportEnabled, baaExecutedAt: o.baaExecutedAt,
});

/**
 * The actor as rules that take a member see them: the one stand-in of member-checks.ts (a user is
 * their membership; operators and the system stand in as an active Owner). SCIM tokens provision
 * users (C1, C2) and never manage accounts.
 */
export function actingMember(actor: Actor, auth: Authorized): MemberSnapshot {
  if (!auth.member) refuseScim(actor);
  return actingSnapshot(actor, auth.member, auth.org.sid);
}

/** C1: a SCIM token provisions users and groups; accounts are beyond its reach. */
export const refuseScim = scimRefusal('manage or read accounts');

/**
 * O5: how many accounts the organization holds now. countHeldAccounts decides what counts; call
 * it with the organization row locked so that concurrent creations and imports serialise.
 */
export async function heldAccountCount(repos: Repos, orgSid: string): Promise<number> {
  return countHeldAccounts((await repos.accounts.listTopLevel(orgSid)).map(accountSnapshot), orgSid);
}

/** Locks an account that belongs to an organization; 404 otherwise (A1: only theirs is theirs to change). */
export async function lockOrgAccount(repos: Repos, accountSid: string): Promise<Account & { orgSid: string }> {
  const account = await repos.accounts.lock(accountSid);
  if (!account || account.orgSid === null) throw notFound(accountSid);
  return account as Account & { orgSid: string };
}

export function notFound(accountSid: string): DomainError {
  return new DomainError('not_found', `No account ${accountSid} in your organization.`);
}

/** The accounts store patch of a change that subaccounts follow (A7). */
export type ChildPatch = Parameters<Repos['accounts']['updateOpenChildren']>[1];
