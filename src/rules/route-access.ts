/**
 * Who may call an Organizations API route at all (issue 10: roles enforced on every route). Each
 * route declares its access (http/api/registry.ts); this is the coarse, first check, made before the
 * request body is read. The services then decide per resource through the same rules (O3, U6), so
 * a route's declaration can only narrow, never widen, what its services allow.
 *
 * Rules: O3 (Owner: everything; Administrator: everything but the Owner's; Standard User: what is
 * theirs), O2 (only the Owner hands over), issue 10 (a read-only API client reads everything an
 * Administrator reads and writes nothing; the operator is the only caller of operator routes).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import type { ApiClientRole } from './api-clients.js';
import type { Role } from './types.js';

/**
 * Whom a route serves: any member, any member in person (a console session: answering a merge
 * invitation addressed to a person), the Owner and Administrators (and admin API clients), the Owner
 * and Administrators in person only (console sessions: no API client manages API clients, so a
 * leaked client cannot mint others), only the Owner, only the operator.
 */
export type RouteAudience = 'member' | 'member-session' | 'admin' | 'admin-session' | 'owner' | 'operator';
/** A route's declared access: its audience and whether it changes something. */
export type RouteAccess = `${RouteAudience}:${'read' | 'write'}`;

/** The caller of a route in its own organization. */
export type RouteCaller =
  | { readonly kind: 'user'; readonly role: Role }
  | { readonly kind: 'api_client'; readonly role: ApiClientRole }
  | { readonly kind: 'operator' };

const RANK: Record<RouteAudience, number> = { member: 0, 'member-session': 0, admin: 1, 'admin-session': 1, owner: 2, operator: 3 };
const USER_RANK: Record<Role, number> = { standard: 0, admin: 1, owner: 2 };

/** Issue 10, O2, O3: may `caller` call a route declared with `access`? */
export function decideRouteAccess(caller: RouteCaller, access: RouteAccess): Allow | Rejection<'forbidden'> {
  const [audience, mode] = access.split(':') as [RouteAudience, 'read' | 'write'];
  if (caller.kind === 'operator') return allow();
  if (audience === 'operator') return reject('forbidden', 'Only the service operator can do this (an operator credential made with orgward operator-client create).');
  if (caller.kind === 'api_client') {
    if (audience === 'owner') return reject('forbidden', 'Only the Owner, signed in to the console, can do this; an API client acts as an Administrator.');
    if (audience === 'member-session') return reject('forbidden', 'Only a person signed in to the console can do this, not an API client.');
    if (audience === 'admin-session') return reject('forbidden', 'API clients are managed by the Owner or an Administrator, in the console or with `orgward api-client`.');
    if (caller.role === 'read-only' && mode === 'write') {
      return reject('forbidden', 'This API client is read-only. Create an API client with the admin role (orgward api-client create --role admin) to make changes.');
    }
    return allow();
  }
  if (USER_RANK[caller.role] >= RANK[audience]) return allow();
  return reject('forbidden', audience === 'owner'
    ? 'Only the Owner of the organization can do this.'
    : 'Your role does not allow this. Ask the Owner or an administrator of your organization.');
}
