/**
 * C5: a member's effective role and account grants from the SCIM groups they are in, recomputed
 * in the transaction that changes a membership or a mapping. The rule (rules/scim-groups.ts)
 * decides (decideEffectiveAccess for grants, decideGroupRole for the role, which needs the role
 * groups gave last time); this file loads its inputs for a set of members at once and writes only
 * what changed.
 */
import { decideEffectiveAccess, decideGroupRole, type GroupMapping } from '../rules/scim-groups.js';
import type { Repos } from '../store/index.js';
import type { AccessChange, AccessInput, GroupMappingRecord } from '../store/scim-access.js';
import type { Role } from '../rules/types.js';
import type { AccountRoleAssignment } from '../rules/account-roles.js';
import { actorLabel, type Actor } from '../types.js';

export type { GroupMappingRecord } from '../store/scim-access.js';

/** A member's access before and after a change (what `map` applied or `preview` would apply). */
export interface AccessOutcome {
  readonly userSid: string;
  readonly email: string;
  readonly role: Role;
  readonly accountSids: readonly string[];
  /** C5: the (account, role) pairs the groups give. */
  readonly accountRoles: readonly AccountRoleAssignment[];
  readonly before: { readonly role: Role; readonly accountSids: readonly string[]; readonly accountRoles: readonly AccountRoleAssignment[] };
  readonly changed: boolean;
}

/** C5: a mapping names a group by displayName (case-insensitive) or externalId (exact). */
export const mappingNames = (ref: string, group: { readonly displayName: string; readonly externalId: string | null }): boolean =>
  ref.toLowerCase() === group.displayName.toLowerCase() || ref === group.externalId;

const pairs = (list: readonly AccountRoleAssignment[]) => list.map((a) => `${a.accountSid}:${a.roleSid}`);
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const sorted = [...b].sort();
  return a.length === b.length && [...a].sort().every((x, i) => x === sorted[i]);
};

/** The new access of one member under `mappings`, and whether anything changes. */
export function planAccess(input: AccessInput, mappings: readonly GroupMappingRecord[]): { change: AccessChange; outcome: AccessOutcome } {
  const matched: GroupMapping[] = mappings.filter((m) => input.groups.some((g) => mappingNames(m.groupRef, g)))
    .map((m) => ({ role: m.role, accountRoles: m.accountRoles }));
  const effective = decideEffectiveAccess(input.role, matched);
  const { role, groupGivenRole: mappedRole } = decideGroupRole(input.role, input.mappedRole, matched);
  const changed = role !== input.role || mappedRole !== input.mappedRole || !sameSet(pairs(effective.accountRoles), pairs(input.scimRoles));
  const before = { role: input.role, accountSids: [...new Set(input.scimRoles.map((a) => a.accountSid))].sort(), accountRoles: input.scimRoles };
  return {
    change: { userSid: input.userSid, role: role === 'owner' || role === input.role ? null : role, mappedRole, accountRoles: effective.accountRoles },
    outcome: {
      userSid: input.userSid, email: input.email, role, accountSids: effective.accountSids, accountRoles: effective.accountRoles,
      before, changed,
    },
  };
}

/**
 * C5: recomputes and writes the access of `userSids` (members of `orgSid`) in the caller's
 * transaction, auditing each member whose role or grants changed.
 */
export async function recomputeAccess(repos: Repos, actor: Actor, orgSid: string, userSids: readonly string[]): Promise<AccessOutcome[]> {
  if (userSids.length === 0) return [];
  const [inputs, mappings] = await Promise.all([repos.scimAccess.inputs(orgSid, userSids), repos.scimAccess.listMappings(orgSid)]);
  const plans = inputs.map((input) => planAccess(input, mappings));
  const changed = plans.filter((p) => p.outcome.changed);
  await repos.scimAccess.apply(orgSid, changed.map((p) => p.change));
  await repos.scimAccess.appendAudit(changed.map(({ outcome }) => ({
    orgSid, actor: actorLabel(actor), action: 'scim.access_recomputed', target: outcome.userSid,
    before: outcome.before, after: { role: outcome.role, accountSids: outcome.accountSids, accountRoles: outcome.accountRoles }, requestId: actor.requestId ?? null,
  })));
  return plans.map((p) => p.outcome);
}

/** What recomputing `userSids` under `mappings` would give, without writing anything. */
export async function previewAccess(repos: Repos, orgSid: string, userSids: readonly string[], mappings: readonly GroupMappingRecord[]): Promise<AccessOutcome[]> {
  const inputs = await repos.scimAccess.inputs(orgSid, userSids);
  return inputs.map((input) => planAccess(input, mappings).outcome);
}
