/**
 * /Groups handlers (RFC 7644 §3.3-3.6): thin, protocol only; every decision is in services/scim-groups.ts.
 * PATCH answers 204 with the new ETag: returning the group would mean loading all its members.
 */
import type { ScimGroupRecord } from '../../services/scim-groups.js';
import type { ScimCall, ScimReply } from './call.js';
import { parseGroupInput, planGroupPatch, renderGroup } from './group-resource.js';
import { listEnvelope, listParams, listQueryOf, project, projectionOf, selects, type ListParams } from './list.js';
import { parsePatchBody } from './patch.js';
import { groupMeta } from './schemas.js';
import { etagOf } from './user-resource.js';

function single(call: ScimCall, record: ScimGroupRecord, status = 200): ScimReply {
  const body = project(renderGroup(record, call.base), projectionOf(call.query), groupMeta());
  return { status, body, etag: etagOf(record.version), ...(status === 201 && { location: `${call.base}/Groups/${record.id}` }) };
}

export async function searchGroups(call: ScimCall, params: ListParams): Promise<ScimReply> {
  const page = await call.services.scimGroups.list(call.actor, listQueryOf(params), { members: selects(params, 'members') });
  const resources = page.records.map((g) => project(renderGroup(g, call.base), params, groupMeta()));
  return { status: 200, body: listEnvelope(resources, page.total, params.startIndex) };
}

export const listGroups = (call: ScimCall): Promise<ScimReply> => searchGroups(call, listParams(call.query));

export async function getGroup(call: ScimCall, id: string): Promise<ScimReply> {
  return single(call, await call.services.scimGroups.get(call.actor, id, { members: selects(projectionOf(call.query), 'members') }));
}

export async function createGroup(call: ScimCall): Promise<ScimReply> {
  return single(call, await call.services.scimGroups.create(call.actor, parseGroupInput(call.body)), 201);
}

export async function replaceGroup(call: ScimCall, id: string): Promise<ScimReply> {
  const input = parseGroupInput(call.body);
  return single(call, await call.services.scimGroups.replace(call.actor, id, input, { ifMatch: call.ifMatch }));
}

export async function patchGroup(call: ScimCall, id: string): Promise<ScimReply> {
  const plan = planGroupPatch(parsePatchBody(call.body), { id });
  const updated = await call.services.scimGroups.patch(call.actor, id, plan, { ifMatch: call.ifMatch });
  return { status: 204, etag: etagOf(updated.version) };
}

export async function deleteGroup(call: ScimCall, id: string): Promise<ScimReply> {
  await call.services.scimGroups.remove(call.actor, id, { ifMatch: call.ifMatch });
  return { status: 204 };
}
