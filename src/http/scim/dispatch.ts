/**
 * The SCIM routes as one table, used by the Express router and by Bulk alike, so an operation in
 * a Bulk request behaves exactly as the same request sent alone.
 */
import { isDomainError, type DomainError } from '../../errors.js';
import { bulk } from './bulk.js';
import type { ScimCall, ScimReply } from './call.js';
import { ScimError } from './errors.js';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup, searchGroups } from './groups.js';
import { listEnvelope, listParams, type ListParams } from './list.js';
import { SEARCH_URN } from './schemas.js';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser, searchUsers } from './users.js';

type Handler = (call: ScimCall, id: string) => Promise<ScimReply>;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, Handler>>;
}

function searchParams(body: unknown): ListParams {
  const request = typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : undefined;
  if (!request) throw new ScimError(400, 'invalidSyntax', `A search is a SearchRequest message (schemas ["${SEARCH_URN}"]).`);
  const schemas = request.schemas;
  if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_URN.toLowerCase()))) {
    throw new ScimError(400, 'invalidSyntax', `A search is a SearchRequest message (schemas ["${SEARCH_URN}"]).`);
  }
  return listParams(request, 'body');
}

/**
 * POST /.search at the root (RFC 7644 §3.4.3): Users then Groups. A filter naming an attribute
 * only one of them has simply matches none of the other.
 */
async function searchAll(call: ScimCall): Promise<ScimReply> {
  const strict = searchParams(call.body);
  const totalOf = async (search: typeof searchUsers, params: ListParams): Promise<[number, ListParams] | DomainError> => {
    try {
      return [((await search(call, { ...params, startIndex: 1, count: 0 })).body as { totalResults: number }).totalResults, params];
    } catch (error) {
      if (isDomainError(error) && error.code === 'scim_invalid_filter') return error;
      throw error;
    }
  };
  let [users, groups] = await Promise.all([totalOf(searchUsers, strict), totalOf(searchGroups, strict)]);
  // A filter no resource type understands is invalid; one only Users (or Groups) understand matches no Groups (Users).
  if (!Array.isArray(users) && !Array.isArray(groups)) throw users;
  if (!Array.isArray(users)) users = await totalOf(searchUsers, { ...strict, lenient: true });
  if (!Array.isArray(groups)) groups = await totalOf(searchGroups, { ...strict, lenient: true });
  if (!Array.isArray(users)) throw users;
  if (!Array.isArray(groups)) throw groups;
  const [userTotal, userParams] = users;
  const [groupTotal, groupParams] = groups;
  const offset = strict.startIndex - 1;
  const resources: unknown[] = [];
  if (offset < userTotal && strict.count > 0) {
    resources.push(...((await searchUsers(call, userParams)).body as { Resources: unknown[] }).Resources);
  }
  const left = strict.count - resources.length;
  if (left > 0 && groupTotal > 0 && offset + resources.length >= userTotal) {
    const page = { ...groupParams, startIndex: Math.max(offset - userTotal, 0) + 1, count: left };
    resources.push(...((await searchGroups(call, page)).body as { Resources: unknown[] }).Resources);
  }
  return { status: 200, body: listEnvelope(resources as Record<string, unknown>[], userTotal + groupTotal, strict.startIndex) };
}

const notImplemented: Handler = async () => { throw new ScimError(501, undefined, 'Not implemented: /Me needs a signed-in user; SCIM tokens act for an organization.'); };

const ROUTES: readonly Route[] = [
  { pattern: /^\/Users\/?$/i, methods: { GET: (c) => listUsers(c), POST: (c) => createUser(c) } },
  { pattern: /^\/Users\/\.search\/?$/i, methods: { POST: (c) => searchUsers(c, searchParams(c.body)) } },
  { pattern: /^\/Users\/([^/]+)\/?$/i, methods: { GET: getUser, PUT: replaceUser, PATCH: patchUser, DELETE: deleteUser } },
  { pattern: /^\/Groups\/?$/i, methods: { GET: (c) => listGroups(c), POST: (c) => createGroup(c) } },
  { pattern: /^\/Groups\/\.search\/?$/i, methods: { POST: (c) => searchGroups(c, searchParams(c.body)) } },
  { pattern: /^\/Groups\/([^/]+)\/?$/i, methods: { GET: getGroup, PUT: replaceGroup, PATCH: patchGroup, DELETE: deleteGroup } },
  { pattern: /^\/\.search\/?$/i, methods: { POST: (c) => searchAll(c) } },
  { pattern: /^\/Bulk\/?$/i, methods: { POST: (c) => bulk(c, dispatch) } },
  { pattern: /^\/Me\/?$/i, methods: { GET: notImplemented, PUT: notImplemented, PATCH: notImplemented, DELETE: notImplemented, POST: notImplemented } },
];

/** Runs the handler for `call.method` and `call.path`; 404 for unknown paths, 405 for other methods. */
export async function dispatch(call: ScimCall): Promise<ScimReply> {
  for (const route of ROUTES) {
    const match = route.pattern.exec(call.path);
    if (!match) continue;
    const handler = route.methods[call.method.toUpperCase()];
    if (!handler) throw new ScimError(405, undefined, `${call.method} is not supported on ${call.path.slice(0, 200)}.`);
    let id = match[1] ?? '';
    try { id = decodeURIComponent(id); } catch { /* an undecodable id is simply not found */ }
    return handler(call, id);
  }
  throw new ScimError(404, undefined, 'No such SCIM endpoint.');
}
