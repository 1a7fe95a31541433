/**
 * /Users handlers (RFC 7644 §3.3-3.6): thin, protocol only; every decision is in services/scim-users.ts.
 */
import type { ScimCall, ScimReply } from './call.js';
import { listEnvelope, listParams, listQueryOf, project, projectionOf, type ListParams } from './list.js';
import { applyPatch, parsePatchBody } from './patch.js';
import { userMeta } from './schemas.js';
import { etagOf, parseUserInput, renderUser, userDocument } from './user-resource.js';
import type { ScimUserRecord } from '../../services/scim-users.js';

function single(call: ScimCall, record: ScimUserRecord, status = 200): ScimReply {
  const body = project(renderUser(record, call.base), projectionOf(call.query), userMeta());
  return { status, body, etag: etagOf(record.version), ...(status === 201 && { location: `${call.base}/Users/${record.userSid}` }) };
}

/** The page of users a list or search asks for, as a ListResponse. */
export async function searchUsers(call: ScimCall, params: ListParams): Promise<ScimReply> {
  const page = await call.services.scimUsers.list(call.actor, listQueryOf(params));
  const resources = page.records.map((r) => project(renderUser(r, call.base), params, userMeta()));
  return { status: 200, body: listEnvelope(resources, page.total, params.startIndex) };
}

export const listUsers = (call: ScimCall): Promise<ScimReply> => searchUsers(call, listParams(call.query));

export async function getUser(call: ScimCall, id: string): Promise<ScimReply> {
  return single(call, await call.services.scimUsers.get(call.actor, id));
}

export async function createUser(call: ScimCall): Promise<ScimReply> {
  return single(call, await call.services.scimUsers.create(call.actor, parseUserInput(call.body)), 201);
}

export async function replaceUser(call: ScimCall, id: string): Promise<ScimReply> {
  const input = parseUserInput(call.body);
  return single(call, await call.services.scimUsers.replace(call.actor, id, input, { ifMatch: call.ifMatch }));
}

/** PATCH: applied to the locked current state inside the service's transaction (no lost update). */
export async function patchUser(call: ScimCall, id: string): Promise<ScimReply> {
  const ops = parsePatchBody(call.body);
  const record = await call.services.scimUsers.update(call.actor, id,
    (current) => parseUserInput(applyPatch(userDocument(current), ops, userMeta(), current.userSid)), { ifMatch: call.ifMatch });
  return single(call, record);
}

export async function deleteUser(call: ScimCall, id: string): Promise<ScimReply> {
  await call.services.scimUsers.remove(call.actor, id, { ifMatch: call.ifMatch });
  return { status: 204 };
}
