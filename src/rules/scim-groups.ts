/**
 * A user's effective role and account grants from the SCIM groups they are in.
 *
 * Rules: C5 (groups map to Administrator or Standard User and to account roles, i.e. (account,
 * role) pairs; membership changes recompute role and account roles at once; the highest
 * organization role wins; account roles from several groups add up, R3; no group grants Owner),
 * O2 (the Owner stays Owner).
 */
import type { AccountRoleAssignment } from './account-roles.js';
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { AssignableRole, Role } from './types.js';

/** Result of {@link decideGroupMappingRole}: the role to map (null: grants only). */
export type GroupMappingRoleDecision = { readonly kind: 'role'; readonly role: AssignableRole | null } | Rejection<'invalid_input'>;

/** C5: a group maps to Administrator, Standard User or no role (grants only); no group ever grants Owner. */
export function decideGroupMappingRole(role: unknown): GroupMappingRoleDecision {
  if (role === undefined || role === null) return { kind: 'role', role: null };
  if (role === 'admin' || role === 'standard') return { kind: 'role', role };
  return reject('invalid_input', 'A group maps to the admin or standard role; no group grants Owner.');
}

/** What one SCIM group is mapped to; a group with no mapping has role null and no account roles. */
export interface GroupMapping {
  readonly role: AssignableRole | null;
  /** C5: (account, role) pairs. */
  readonly accountRoles: readonly AccountRoleAssignment[];
}

/** Result of {@link decideEffectiveAccess}. */
export interface EffectiveAccess {
  readonly role: Role;
  /** The accounts the groups give any role on, sorted, without duplicates. */
  readonly accountSids: readonly string[];
  /** R3: the union of the groups' (account, role) pairs, sorted by account then role, without duplicates. */
  readonly accountRoles: readonly AccountRoleAssignment[];
}

const pairKey = (a: AccountRoleAssignment) => `${a.accountSid}:${a.roleSid}`;

/** R3, C5: the union of (account, role) pairs, sorted, without duplicates. */
export function unionAccountRoles(lists: readonly (readonly AccountRoleAssignment[])[]): AccountRoleAssignment[] {
  const byKey = new Map<string, AccountRoleAssignment>();
  for (const list of lists) for (const a of list) byKey.set(pairKey(a), { accountSid: a.accountSid, roleSid: a.roleSid });
  return [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, a]) => a);
}

/**
 * C5: recompute role and account roles from the mappings of every group the user is in. Highest mapped
 * role wins; with no group mapped to a role the user is a Standard User; the Owner stays Owner
 * (groups never grant nor take away the Owner role).
 */
export function decideEffectiveAccess(currentRole: Role | null, mappings: readonly GroupMapping[]): EffectiveAccess {
  const accountRoles = unionAccountRoles(mappings.map((m) => m.accountRoles));
  const accountSids = [...new Set(accountRoles.map((a) => a.accountSid))].sort();
  if (currentRole === 'owner') return { role: 'owner', accountSids, accountRoles };
  const role: AssignableRole = mappings.some((m) => m.role === 'admin') ? 'admin' : 'standard';
  return { role, accountSids, accountRoles };
}

/** Result of {@link decideGroupRole}. */
export interface GroupRole {
  readonly role: Role;
  /** The role the groups give now (null when no group is mapped to a role); remembered for next time. */
  readonly groupGivenRole: AssignableRole | null;
}

/**
 * C5: the role a member ends with after a group or mapping change. The highest role the groups
 * give wins. Groups only take away a role that groups gave: when no group gives a role any more, a
 * member whose role came from groups returns to Standard, while one whose role an administrator set
 * keeps it (a grants-only mapping never demotes an administrator). The Owner stays Owner (O2).
 */
export function decideGroupRole(currentRole: Role, previousGroupRole: AssignableRole | null, mappings: readonly GroupMapping[]): GroupRole {
  const roleGiving = mappings.filter((m) => m.role !== null);
  const groupGivenRole = roleGiving.length > 0 ? decideEffectiveAccess(null, roleGiving).role as AssignableRole : null;
  if (currentRole === 'owner') return { role: 'owner', groupGivenRole };
  return { role: groupGivenRole ?? (previousGroupRole !== null ? 'standard' : currentRole), groupGivenRole };
}
