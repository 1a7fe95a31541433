/**
 * The SCIM Group resource (RFC 7643 §4.2) ↔ Orgward's group record, and PATCH turned into a plan
 * of set-based membership steps (never applied to a loaded member list): Okta removes
 * `members[value eq "..."]` and adds in one PATCH or replaces all members; Entra adds
 * `[{"$ref": null, "value": id}]` and removes with a value array; both rename with replace
 * (Okta path-less, including the group's own id).
 */
import { DomainError } from '../../errors.js';
import type { MemberOp, ScimGroupInput, ScimGroupPatch, ScimGroupRecord } from '../../services/scim-groups.js';
import { ScimError } from './errors.js';
import { parsePatchPath } from './filter.js';
import type { PatchOperation } from './patch.js';
import { coerceGroup, GROUP_URN } from './schemas.js';
import { etagOf } from './user-resource.js';

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

export function renderGroup(g: ScimGroupRecord, base: string): Doc {
  return {
    schemas: [GROUP_URN],
    id: g.id,
    ...(g.externalId !== null && { externalId: g.externalId }),
    displayName: g.displayName,
    ...(g.members !== null && { members: g.members.map((m) => ({ value: m.userSid, display: m.display, $ref: `${base}/Users/${m.userSid}`, type: 'User' })) }),
    meta: {
      resourceType: 'Group', created: g.created.toISOString(), lastModified: g.lastModified.toISOString(),
      location: `${base}/Groups/${g.id}`, version: etagOf(g.version),
    },
  };
}

/** Member values: `[{"value": "US..."}]`, one object, or bare ids. */
function memberSids(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((m) => {
    const sid = isObject(m) ? m.value : m;
    if (typeof sid !== 'string' || sid === '') throw new DomainError('invalid_input', 'Each member needs a "value": the id of a User.');
    return sid;
  });
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DomainError('invalid_input', 'displayName is required and cannot be empty.');
  return value;
}

export function parseGroupInput(body: unknown): ScimGroupInput {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'A Group is a JSON object.');
  const coerced = coerceGroup(body);
  return {
    displayName: displayNameOf(coerced.displayName),
    externalId: typeof coerced.externalId === 'string' ? coerced.externalId : null,
    members: memberSids(coerced.members),
  };
}

/** Turns PATCH operations into a plan the service applies with set-based SQL. */
export function planGroupPatch(ops: readonly PatchOperation[], group: { id: string }): ScimGroupPatch {
  let displayName: string | undefined;
  let externalId: string | null | undefined;
  const memberOps: MemberOp[] = [];

  const onAttribute = (verb: PatchOperation['op'], attr: string, value: unknown, filter: ReturnType<typeof parsePatchPath>['filter'], sub: string | null, path: string) => {
    if (attr === 'members') {
      if (sub !== null) throw new DomainError('scim_invalid_path', `"${path}": members can be added, replaced or removed, not their sub-attributes.`);
      if (filter !== null) {
        if (verb !== 'remove') throw new DomainError('scim_invalid_path', `"${path}": a members filter can only be used to remove members.`);
        memberOps.push({ kind: 'removeWhere', filter });
      } else if (verb === 'remove') {
        memberOps.push(value === undefined ? { kind: 'removeWhere', filter: null } : { kind: 'remove', userSids: memberSids(value) });
      } else {
        memberOps.push({ kind: verb, userSids: memberSids(value) });
      }
      return;
    }
    if (attr === 'meta') throw new DomainError('scim_read_only', '"meta" is read-only.');
    if (filter !== null || sub !== null) throw new DomainError('scim_invalid_path', `"${path}" is not an attribute of a Group.`);
    switch (attr) {
      case 'displayname':
        if (verb === 'remove') throw new DomainError('invalid_input', 'displayName is required: it can be replaced, not removed.');
        displayName = displayNameOf(value);
        return;
      case 'externalid':
        if (verb !== 'remove' && typeof value !== 'string') throw new DomainError('invalid_input', 'externalId is a string.');
        externalId = verb === 'remove' ? null : value as string;
        return;
      case 'id':
        // Okta's path-less rename repeats the group's id: harmless when it is the same.
        if (verb !== 'remove' && value === group.id) return;
        throw new DomainError('scim_read_only', '"id" is read-only.');
      default:
        throw new DomainError('scim_invalid_path', `"${path}" is not an attribute of a Group.`);
    }
  };

  for (const op of ops) {
    if (op.path === undefined) {
      if (!isObject(op.value)) throw new ScimError(400, 'invalidValue', `Without a path, the value of "${op.op}" is an object of attributes.`);
      for (const [key, value] of Object.entries(op.value)) {
        if (key.toLowerCase() === 'schemas') continue;
        const parsed = parsePatchPath(key);
        if (!parsed.path || (parsed.path.schema !== null && parsed.path.schema !== GROUP_URN.toLowerCase())) throw new DomainError('scim_invalid_path', `"${key}" is not an attribute of a Group.`);
        onAttribute(op.op, parsed.path.attr, value, null, parsed.path.sub, key);
      }
      continue;
    }
    const parsed = parsePatchPath(op.path);
    if (!parsed.path || (parsed.path.schema !== null && parsed.path.schema !== GROUP_URN.toLowerCase())) throw new DomainError('scim_invalid_path', `"${op.path}" is not an attribute of a Group.`);
    onAttribute(op.op, parsed.path.attr, op.value, parsed.filter, parsed.subAfterFilter ?? parsed.path.sub, op.path);
  }
  return { ...(displayName !== undefined && { displayName }), ...(externalId !== undefined && { externalId }), memberOps };
}
