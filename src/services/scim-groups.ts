/**
 * SCIM Groups (C1, C5): the groups an IdP pushes into the token's organization, their members
 * (members of the organization only), and the effective access their mappings give: every
 * membership change recomputes the members concerned in the same transaction. Administrators map
 * groups to roles and grants through `map` and `preview` (scim-group-mappings.ts).
 */
import { DomainError } from '../errors.js';
import type { Repos } from '../store/index.js';
import type { MemberChange, ScimGroupRecord } from '../store/scim-groups.js';
import type { ScimListQuery, ScimPage } from '../store/scim-users.js';
import type { ScimFilter } from '../store/scim-filter-sql.js';
import type { Actor } from '../types.js';
import { audit } from './context.js';
import type { ServiceDeps } from './index.js';
import { recomputeAccess } from './scim-access.js';
import { createScimGroupMappings } from './scim-group-mappings.js';
import { checkVersion, scimOrg, type IfMatch } from './scim-users.js';
import { UUID_PATTERN } from '../ids.js';

export type { MemberChange, ScimGroupMember, ScimGroupRecord } from '../store/scim-groups.js';

export interface ScimGroupInput {
  readonly displayName: string;
  readonly externalId: string | null;
  readonly members: readonly string[];
}

/** One membership step of a PATCH (RFC 7644 §3.5.2), applied in order. `filter` null means all members. */
export type MemberOp =
  | { readonly kind: 'add' | 'remove' | 'replace'; readonly userSids: readonly string[] }
  | { readonly kind: 'removeWhere'; readonly filter: ScimFilter | null };

/** A PATCH as a plan: new name and externalId (when set; externalId null removes it) and membership steps. */
export interface ScimGroupPatch {
  readonly displayName?: string;
  readonly externalId?: string | null;
  readonly memberOps: readonly MemberOp[];
}

const notFound = () => new DomainError('not_found', 'No such group in this organization.');

async function applyMemberOp(repos: Repos, orgSid: string, groupId: string, op: MemberOp): Promise<MemberChange> {
  switch (op.kind) {
    case 'add': return repos.scimGroups.addMembers(orgSid, groupId, op.userSids);
    case 'remove': return repos.scimGroups.removeMembers(groupId, op.userSids);
    case 'replace': return repos.scimGroups.replaceMembers(orgSid, groupId, op.userSids);
    case 'removeWhere': return repos.scimGroups.removeMembersWhere(groupId, op.filter);
  }
}

export function createScimGroupsService(deps: ServiceDeps) {
  const { store } = deps;

  /** Applies a plan to a locked group; recomputes access where a mapping is concerned (C5). */
  async function applyPatch(repos: Repos, actor: Actor, orgSid: string, group: ScimGroupRecord, mappedBefore: boolean, plan: ScimGroupPatch): Promise<ScimGroupRecord> {
    const added = new Set<string>();
    const removed = new Set<string>();
    for (const op of plan.memberOps) {
      const change = await applyMemberOp(repos, orgSid, group.id, op);
      if (change.unknown.length > 0) {
        throw new DomainError('invalid_input', `Not users of this organization: ${change.unknown.slice(0, 20).join(', ')}.`, { details: { unknown: change.unknown.slice(0, 100) } });
      }
      for (const sid of change.added) { removed.delete(sid); added.add(sid); }
      for (const sid of change.removed) { added.delete(sid); removed.add(sid); }
    }
    const renamed = (plan.displayName !== undefined && plan.displayName !== group.displayName)
      || (plan.externalId !== undefined && plan.externalId !== group.externalId);
    if (!renamed && added.size === 0 && removed.size === 0) return group;
    const { group: updated, mapped } = await repos.scimGroups.update(orgSid, group.id, {
      ...(plan.displayName !== undefined && { displayName: plan.displayName }),
      ...(plan.externalId !== undefined && { externalId: plan.externalId }),
    });
    if (renamed && (mappedBefore || mapped)) {
      // Another name may match other mappings: every member's access is recomputed.
      const all = (await repos.scimGroups.get(orgSid, group.id, true))!.members!.map((m) => m.userSid);
      await recomputeAccess(repos, actor, orgSid, [...new Set([...all, ...removed])]);
    } else if (mapped) {
      await recomputeAccess(repos, actor, orgSid, [...added, ...removed]);
    }
    await audit(repos, actor, {
      orgSid, action: 'scim.group_updated', target: group.id,
      before: { displayName: group.displayName, externalId: group.externalId },
      after: { displayName: updated.displayName, externalId: updated.externalId, membersAdded: [...added], membersRemoved: [...removed] },
    });
    return updated;
  }

  async function lockGroup(repos: Repos, orgSid: string, id: string, ifMatch: IfMatch) {
    const locked = UUID_PATTERN.test(id) ? await repos.scimGroups.lock(orgSid, id) : undefined;
    if (!locked) throw notFound();
    checkVersion(ifMatch, locked.group.version);
    return locked;
  }

  return {
    async list(actor: Actor, query: ScimListQuery, options: { members: boolean }): Promise<ScimPage<ScimGroupRecord>> {
      return store.read.scimGroups.list(scimOrg(actor), query, options.members);
    },

    async get(actor: Actor, id: string, options: { members: boolean }): Promise<ScimGroupRecord> {
      const found = UUID_PATTERN.test(id) ? await store.read.scimGroups.get(scimOrg(actor), id, options.members) : undefined;
      if (!found) throw notFound();
      return found;
    },

    /** Creates a group with its members; a mapping named before the push applies at once (C5). */
    async create(actor: Actor, input: ScimGroupInput): Promise<ScimGroupRecord> {
      const orgSid = scimOrg(actor);
      return store.transaction(async (repos) => {
        const created = await repos.scimGroups.insert(orgSid, { displayName: input.displayName, externalId: input.externalId });
        await audit(repos, actor, { orgSid, action: 'scim.group_created', target: created.id, after: { displayName: input.displayName, externalId: input.externalId } });
        const { mapped } = (await repos.scimGroups.lock(orgSid, created.id))!;
        await applyPatch(repos, actor, orgSid, created, mapped, { memberOps: [{ kind: 'replace', userSids: input.members }] });
        return (await repos.scimGroups.get(orgSid, created.id, true))!;
      });
    },

    /** PUT: name, externalId and members replaced. */
    async replace(actor: Actor, id: string, input: ScimGroupInput, options: { ifMatch?: IfMatch } = {}): Promise<ScimGroupRecord> {
      const orgSid = scimOrg(actor);
      return store.transaction(async (repos) => {
        const { group, mapped } = await lockGroup(repos, orgSid, id, options.ifMatch);
        await applyPatch(repos, actor, orgSid, group, mapped, {
          displayName: input.displayName, externalId: input.externalId, memberOps: [{ kind: 'replace', userSids: input.members }],
        });
        return (await repos.scimGroups.get(orgSid, id, true))!;
      });
    },

    /** PATCH: set-based membership steps; the result carries no members (204 with the new ETag). */
    async patch(actor: Actor, id: string, plan: ScimGroupPatch, options: { ifMatch?: IfMatch } = {}): Promise<ScimGroupRecord> {
      const orgSid = scimOrg(actor);
      return store.transaction(async (repos) => {
        const { group, mapped } = await lockGroup(repos, orgSid, id, options.ifMatch);
        return applyPatch(repos, actor, orgSid, group, mapped, plan);
      });
    },

    /** DELETE: the group goes; its members lose what its mapping gave them (C5). */
    async remove(actor: Actor, id: string, options: { ifMatch?: IfMatch } = {}): Promise<void> {
      const orgSid = scimOrg(actor);
      await store.transaction(async (repos) => {
        const { group, mapped } = await lockGroup(repos, orgSid, id, options.ifMatch);
        const former = await repos.scimGroups.remove(orgSid, id);
        if (mapped) await recomputeAccess(repos, actor, orgSid, former);
        await audit(repos, actor, { orgSid, action: 'scim.group_deleted', target: id, before: { displayName: group.displayName, externalId: group.externalId, members: former.length } });
      });
    },

    ...createScimGroupMappings(deps),
  };
}

export type ScimGroupsService = ReturnType<typeof createScimGroupsService>;
