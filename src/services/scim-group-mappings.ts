/**
 * C5, A7: an administrator maps a SCIM group (by displayName or externalId, before or after the IdP
 * pushes it) to an organization role (Administrator or Standard User, never Owner) and to account
 * grants. Saving a mapping recomputes the members of the groups it names in the same transaction;
 * `preview` shows the effective access a mapping would produce without saving it.
 */
import { DomainError } from '../errors.js';
import type { GroupMappingRecord } from '../store/scim-access.js';
import type { Repos } from '../store/index.js';
import type { AssignableRole } from '../rules/types.js';
import { actorLabel, type Actor } from '../types.js';
import { decideAccountGrant } from '../rules/account-grants.js';
import { decideGroupMappingRole, unionAccountRoles } from '../rules/scim-groups.js';
import { DEVELOPER_ROLE_SID, findRole, type RoleSnapshot } from '../rules/role-catalogue.js';
import type { AccountRoleAssignment } from '../rules/account-roles.js';
import { accountSnapshot } from './account-support.js';
import { audit, authorize, authorizeRead, fail } from './context.js';
import type { ServiceDeps } from './index.js';
import { previewAccess, recomputeAccess, type AccessOutcome } from './scim-access.js';
import { scimRefusal } from './scim-refusal.js';

/** What an administrator maps: the group, the role (none for account roles only) and the accounts. */
export interface GroupMappingInput {
  /** The group's displayName (case-insensitive) or externalId (exact). */
  readonly group: string;
  readonly role?: AssignableRole;
  /** Accounts the group gives the Developer role on (a grant without a role, R1). */
  readonly accountSids?: readonly string[];
  /** C5: (account, role) pairs; the role by IX SID or name (case-insensitive). */
  readonly accountRoles?: readonly { readonly accountSid: string; readonly role: string }[];
}

/** The mapping as saved (or previewed), the groups it names now, and each member's access. */
export interface GroupMappingResult {
  readonly group: string;
  readonly role: AssignableRole | null;
  readonly accountSids: readonly string[];
  /** C5: the (account, role) pairs the mapping gives. */
  readonly accountRoles: readonly AccountRoleAssignment[];
  /** False when the mapping gives nothing and was therefore removed (or would be). */
  readonly mapped: boolean;
  readonly groups: readonly { readonly id: string; readonly displayName: string; readonly externalId: string | null }[];
  readonly members: readonly AccessOutcome[];
}

interface Checked { group: string; role: AssignableRole | null; accountSids: string[]; accountRoles: AccountRoleAssignment[] }

type Parsed = Omit<Checked, 'accountSids' | 'accountRoles'> & { accounts: string[]; pairs: { accountSid: string; role: string }[] };

/** The input's shape; role names are resolved once the actor is authorised ({@link resolve}). */
function check(input: GroupMappingInput): Parsed {
  const group = typeof input?.group === 'string' ? input.group.trim() : '';
  if (group === '' || group.length > 1024) throw new DomainError('invalid_input', 'Name the group by its displayName or externalId (1 to 1024 characters).');
  // C5: no group ever grants Owner (the rule decides).
  const mapped = decideGroupMappingRole(input.role);
  if (mapped.kind === 'reject') fail(mapped);
  const role = mapped.role;
  const accounts = input.accountSids ?? [];
  if (!Array.isArray(accounts) || accounts.some((a) => typeof a !== 'string')) throw new DomainError('invalid_input', 'accountSids is a list of account SIDs.');
  const pairs = input.accountRoles ?? [];
  if (!Array.isArray(pairs) || pairs.some((p) => typeof p?.accountSid !== 'string' || typeof p?.role !== 'string')) {
    throw new DomainError('invalid_input', 'accountRoles is a list of {accountSid, role}.');
  }
  return { group, role, accounts: accounts as string[], pairs: [...pairs] };
}

/** R1, C5: role names or SIDs against the catalogue (account roles only); a plain account is Developer. */
function resolve(parsed: Parsed, catalogue: readonly RoleSnapshot[]): Checked {
  const named = parsed.pairs.map((p) => {
    const found = findRole(catalogue, p.role.trim(), 'account');
    if (!found) throw new DomainError('not_found', `There is no account role ${p.role}; orgward role list shows the catalogue.`);
    return { accountSid: p.accountSid, roleSid: found.sid };
  });
  const accountRoles = unionAccountRoles([parsed.accounts.map((accountSid) => ({ accountSid, roleSid: DEVELOPER_ROLE_SID })), named]);
  return { group: parsed.group, role: parsed.role, accountSids: [...new Set(accountRoles.map((a) => a.accountSid))].sort(), accountRoles };
}

const refuseScim = scimRefusal('map groups');

export function createScimGroupMappings(deps: ServiceDeps) {
  const { store } = deps;

  /** Validates the accounts (A1: the organization's managed or independent, open accounts) and finds the groups named. */
  async function prepare(repos: Repos, actor: Actor, orgSid: string, input: GroupMappingInput, mode: 'read' | 'write') {
    const parsed = check(input);
    // A preview changes nothing: a read-only client may ask for one.
    await (mode === 'read' ? authorizeRead(repos, actor, orgSid, 'manage_scim') : authorize(repos, actor, orgSid, 'manage_scim'));
    const checked = resolve(parsed, await repos.roles.list());
    const grantable = await repos.scimAccess.grantableAccounts(orgSid, checked.accountSids);
    const missing = checked.accountSids.filter((a) => !grantable.includes(a));
    if (missing.length > 0) {
      throw new DomainError('invalid_input', `These are not open accounts of this organization: ${missing.join(', ')}.`, { details: { accountSids: missing } });
    }
    // A7, R4: a mapping's grants, like direct ones, never name a subaccount.
    for (const accountSid of grantable) {
      const account = await repos.accounts.get(accountSid);
      const decision = decideAccountGrant(account ? accountSnapshot(account) : null, orgSid);
      if (decision.kind === 'reject') fail(decision, { accountSids: [accountSid] });
    }
    const matching = await repos.scimGroups.matching(orgSid, checked.group);
    const current = await repos.scimAccess.listMappings(orgSid);
    const others = current.filter((m) => m.groupRef.toLowerCase() !== checked.group.toLowerCase());
    const before = current.find((m) => m.groupRef.toLowerCase() === checked.group.toLowerCase());
    const mapped = checked.role !== null || checked.accountRoles.length > 0;
    return { checked, matching, others, before, mapped };
  }

  const proposed = (c: Checked, now: Date): GroupMappingRecord => ({ id: 'proposed', groupRef: c.group, role: c.role, accountSids: c.accountSids, accountRoles: c.accountRoles, createdAt: now, updatedAt: now });

  /** C5: saves the mapping (a mapping that gives nothing is removed) and recomputes the members of the groups it names. */
  async function map(actor: Actor, orgSid: string, input: GroupMappingInput): Promise<GroupMappingResult> {
    refuseScim(actor);
    return store.transaction(async (repos) => {
      const { checked, matching, before, mapped } = await prepare(repos, actor, orgSid, input, 'write');
      if (mapped) await repos.scimAccess.saveMapping(orgSid, { groupRef: checked.group, role: checked.role, accountRoles: checked.accountRoles, createdBy: actorLabel(actor) });
      else await repos.scimAccess.deleteMapping(orgSid, checked.group);
      const members = await recomputeAccess(repos, actor, orgSid, matching.members);
      await audit(repos, actor, {
        orgSid, action: mapped ? 'scim.group_mapped' : 'scim.group_unmapped', target: checked.group,
        before: before ? { role: before.role, accountSids: before.accountSids, accountRoles: before.accountRoles } : null,
        after: mapped ? { role: checked.role, accountSids: checked.accountSids, accountRoles: checked.accountRoles } : null,
      });
      return { group: checked.group, role: checked.role, accountSids: checked.accountSids, accountRoles: checked.accountRoles, mapped, groups: matching.groups, members };
    });
  }

  return {
    map,

    /** C5: what `map` with the same input would give each member, without saving anything. */
    async preview(actor: Actor, orgSid: string, input: GroupMappingInput): Promise<GroupMappingResult> {
      refuseScim(actor);
      const repos = store.read;
      const { checked, matching, others, mapped } = await prepare(repos, actor, orgSid, input, 'read');
      const mappings = mapped ? [...others, proposed(checked, deps.clock.now())] : others;
      const members = await previewAccess(repos, orgSid, matching.members, mappings);
      return { group: checked.group, role: checked.role, accountSids: checked.accountSids, accountRoles: checked.accountRoles, mapped, groups: matching.groups, members };
    },

    /** C5: removes a mapping; the members of the groups it named lose what it gave. */
    async unmap(actor: Actor, orgSid: string, group: string): Promise<GroupMappingResult> {
      return map(actor, orgSid, { group });
    },

    /** The organization's mappings. */
    async listMappings(actor: Actor, orgSid: string): Promise<GroupMappingRecord[]> {
      refuseScim(actor);
      await authorizeRead(store.read, actor, orgSid, 'manage_scim');
      return store.read.scimAccess.listMappings(orgSid);
    },
  };
}
