/**
 * API clients (OAuth 2.0 client credentials for the Organizations API).
 *
 * Rules: O3 (only the Owner or an Administrator manages an organization's API clients, as they
 * manage its other credentials), U6 (a client acts only in its own organization), and the issue-10
 * roles: an `admin` client acts as an Administrator (never as the Owner: no hand-over, O2); a
 * `read-only` client may only read. A client stops working when it is revoked or when its creator
 * is no longer an active Owner or Administrator of its organization.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { PERMISSIONS, type Action } from './roles.js';
import type { MemberSnapshot } from './types.js';

export const API_CLIENT_ROLES = ['admin', 'read-only'] as const;
export type ApiClientRole = (typeof API_CLIENT_ROLES)[number];

/**
 * Actions that change nothing: the only ones a read-only client may perform. ('access_account'
 * guards subaccount creation in the services, so it counts as a write.)
 */
const READ_ACTIONS: ReadonlySet<Action> = new Set<Action>(['view_organization', 'view_audit', 'view_domains', 'view_users']);

/** O3: may `creator` create, list or revoke API clients of `orgSid`? */
export function decideManageApiClients(creator: MemberSnapshot, orgSid: string): Allow | Rejection<'forbidden' | 'user_suspended'> {
  if (creator.status === 'suspended') return reject('user_suspended', 'Your account is suspended.');
  if (creator.orgSid !== orgSid || (creator.role !== 'owner' && creator.role !== 'admin')) {
    return reject('forbidden', 'Only the Owner or an Administrator of the organization can manage its API clients.');
  }
  return allow();
}

/** Whether the action changes something (a read-only client is refused it). */
export const isWrite = (action: Action): boolean => !READ_ACTIONS.has(action);

/**
 * O3, U6: may an API client with `role` perform `action` in its own organization? `mode` 'read'
 * says the caller only looks (lists SSO connections under 'manage_sso'): a read-only client reads
 * everything an Administrator reads; the services never hand it a secret (those are shown once).
 */
export function decideApiClientAction(role: ApiClientRole, action: Action, mode: 'read' | 'write' = 'write'): Allow | Rejection<'forbidden'> {
  if (role === 'read-only' && mode === 'write' && isWrite(action)) {
    return reject('forbidden', 'This API client is read-only. Create an API client with the admin role (orgward api-client create --role admin) to make changes.');
  }
  if (!PERMISSIONS.admin.has(action)) return reject('forbidden', 'An API client acts as an Administrator; only the Owner can do this.');
  return allow();
}

/**
 * Whether a client's creator still vouches for it: an active Owner or Administrator of the
 * client's organization. Suspension, removal or demotion of the creator stops the client.
 */
export function creatorStillEntitled(creator: { orgSid: string | null; role: string | null; status: string } | undefined, orgSid: string): boolean {
  return creator !== undefined && creator.status === 'active' && creator.orgSid === orgSid && (creator.role === 'owner' || creator.role === 'admin');
}
