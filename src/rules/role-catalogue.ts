/**
 * The role catalogue: built-in roles with stable SIDs, custom account roles, permission strings.
 *
 * Rules: R1 (a role is a named set of permission strings; built-in account roles Administrator,
 * Developer, Billing Manager, Support and Read-only; the account Administrator holds every
 * permission; the operator sets the permissions of the other built-in roles and of custom roles;
 * roles have stable `IX` SIDs), O2 (the Owner is never assigned: the organization roles in the
 * catalogue are Administrator and Standard User), O3.
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import type { AssignableRole } from './types.js';

/** Where a role applies: an account (`AC…`) or the organization (`OR…`). */
export type RoleScopeType = 'account' | 'organization';
/** Built-in roles ship with Orgward; custom ones are an operator's. */
export type RoleKind = 'built_in' | 'custom';

/** A role as the rules see it. */
export interface RoleSnapshot {
  /** 'IX' + 32 lowercase hex. */
  readonly sid: string;
  readonly name: string;
  readonly kind: RoleKind;
  readonly scopeType: RoleScopeType;
  /** R1: permission strings such as `messages:send`; the account Administrator holds every permission regardless. */
  readonly permissions: readonly string[];
  /** For organization roles: the membership role it stands for. */
  readonly orgRole: AssignableRole | null;
}

// R1: stable SIDs, 'IX' + the first 32 hex digits of sha256('orgward:role:<scope>:<name>') (the
// migration seeds the same values; test/rules/role-catalogue.test.ts checks the derivation).
/** The account Administrator (R1: every permission; R2: Owner and Administrators on managed accounts). */
export const ACCOUNT_ADMINISTRATOR_ROLE_SID = 'IXffcc8443569ff69df6ff9140a7c52517';
/** Developer: what an account grant without a role means. */
export const DEVELOPER_ROLE_SID = 'IX64216e518eba883b40506bd4e5494ba8';
/** The built-in roles by scope and name. */
export const BUILT_IN_ROLE_SIDS = {
  account: {
    Administrator: ACCOUNT_ADMINISTRATOR_ROLE_SID,
    Developer: DEVELOPER_ROLE_SID,
    'Billing Manager': 'IXfd3e7d36750933b65c34b80e0038192f',
    Support: 'IXea7ee6b875c396f4eb5e03a32dc6d8d6',
    'Read-only': 'IXe6cc7f216b0cee7ac140e7c0d6c093cf',
  },
  organization: {
    Administrator: 'IX6d8b5a5b914d1bf2af0a7f086080ed87',
    'Standard User': 'IX11c01cae56d91b2c6fc1e386edba7d17',
  },
} as const;

const ROLE_SID = /^IX[0-9a-f]{32}$/;
/** True for a role SID's shape. */
export const isRoleSid = (value: unknown): value is string => typeof value === 'string' && ROLE_SID.test(value);

// R1: the SaaS product chooses the strings; Orgward only fixes their shape: `resource:action`,
// lower case, each part starting with a letter (`messages:send`, `billing:read`, `calls:recordings:read`).
const PERMISSION = /^[a-z][a-z0-9_-]*(:[a-z][a-z0-9_-]*)+$/;
const MAX_PERMISSIONS = 200;

/** Result of {@link normalisePermissions}. */
export type PermissionsDecision = { readonly kind: 'permissions'; readonly permissions: readonly string[] } | Rejection<'invalid_input'>;

/** R1: a role's permission list, checked, without duplicates, sorted. */
export function normalisePermissions(value: unknown): PermissionsDecision {
  if (!Array.isArray(value)) return reject('invalid_input', 'Give the permissions as a list of strings such as messages:send.');
  const bad = value.filter((p) => typeof p !== 'string' || p.length > 100 || !PERMISSION.test(p));
  if (bad.length > 0) {
    return reject('invalid_input', `Permissions look like resource:action in lower case (messages:send); these do not: ${bad.map(String).slice(0, 5).join(', ')}.`);
  }
  const permissions = [...new Set(value as string[])].sort();
  if (permissions.length > MAX_PERMISSIONS) return reject('invalid_input', `A role holds at most ${MAX_PERMISSIONS} permissions.`);
  return { kind: 'permissions', permissions };
}

/** True when `permission` has the shape of a permission string. */
export const isPermission = (permission: unknown): permission is string =>
  typeof permission === 'string' && permission.length <= 100 && PERMISSION.test(permission);

/** Result of {@link decideCustomRole}. */
export type CustomRoleDecision =
  | { readonly kind: 'create'; readonly name: string; readonly permissions: readonly string[] }
  | Rejection<'invalid_input' | 'role_exists'>;

/** R1: an operator defines a custom account role: a new name (any case) and a permission list. */
export function decideCustomRole(name: unknown, permissions: unknown, catalogue: readonly RoleSnapshot[]): CustomRoleDecision {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '' || trimmed.length > 64) return reject('invalid_input', 'Name the role (1 to 64 characters).');
  const taken = catalogue.find((r) => r.scopeType === 'account' && r.name.toLowerCase() === trimmed.toLowerCase());
  if (taken) return reject('role_exists', `An account role named ${taken.name} already exists (${taken.sid}); change its permissions with orgward role set --role ${taken.sid}.`);
  const checked = normalisePermissions(permissions);
  if (checked.kind === 'reject') return checked;
  return { kind: 'create', name: trimmed, permissions: checked.permissions };
}

/** Result of {@link decideRolePermissions}. */
export type RolePermissionsDecision =
  | { readonly kind: 'set'; readonly permissions: readonly string[] }
  | { readonly kind: 'unchanged' }
  | Rejection<'invalid_input' | 'not_found' | 'role_built_in'>;

/**
 * R1: the operator sets the permissions of a custom role or of a built-in account role other than
 * Administrator (which holds every permission); organization roles carry no permission strings (O3).
 */
export function decideRolePermissions(role: RoleSnapshot | null, permissions: unknown): RolePermissionsDecision {
  if (role === null) return reject('not_found', 'There is no such role; orgward role list shows the catalogue.');
  if (role.sid === ACCOUNT_ADMINISTRATOR_ROLE_SID) return reject('role_built_in', 'The account Administrator role holds every permission; its permissions cannot be set.');
  if (role.scopeType !== 'account') return reject('role_built_in', `${role.name} is an organization role: its powers are the organization role's (O3), not permission strings.`);
  const checked = normalisePermissions(permissions);
  if (checked.kind === 'reject') return checked;
  const same = checked.permissions.length === role.permissions.length && checked.permissions.every((p, i) => p === [...role.permissions].sort()[i]);
  return same ? { kind: 'unchanged' } : { kind: 'set', permissions: checked.permissions };
}

/**
 * Finds a role by SID or by name (case-insensitive) within a scope; used where people type a role
 * (`--account AC…:Support`).
 */
export function findRole(catalogue: readonly RoleSnapshot[], ref: string, scopeType: RoleScopeType): RoleSnapshot | null {
  const byName = ref.toLowerCase();
  return catalogue.find((r) => r.scopeType === scopeType && (r.sid === ref || r.name.toLowerCase() === byName)) ?? null;
}
