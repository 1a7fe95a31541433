/**
 * Role assignments as the Organizations API names them: a role (`IX…`) for an identity (`US…`) at a
 * scope, the organization (`OR…`) or one of its accounts (`AC…`).
 *
 * Rules: R1 (account roles are assigned on accounts; the organization roles Administrator and
 * Standard User on the organization), O2 (the Owner is never assigned), O3 and U6 (the Owner and
 * Administrators manage assignments; a Standard User reads only their own), R4 (the account
 * checks themselves are decideAccountGrant's).
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import type { RoleSnapshot } from './role-catalogue.js';
import type { MemberSnapshot } from './types.js';

/** Where an assignment applies. */
export type AssignmentScope = { readonly kind: 'organization'; readonly orgSid: string } | { readonly kind: 'account'; readonly accountSid: string };

const SID = /^(OR|AC)[0-9a-f]{32}$/;

/** Result of {@link decideScope}. */
export type ScopeDecision = { readonly kind: 'scope'; readonly scope: AssignmentScope } | Rejection<'invalid_input' | 'not_found'>;

/** The scope an API client names: this organization's SID or an account SID (checked later against the organization). */
export function decideScope(scope: unknown, orgSid: string): ScopeDecision {
  if (typeof scope !== 'string' || !SID.test(scope)) return reject('invalid_input', 'Scope is the organization SID (OR…) or an account SID (AC…).');
  if (scope.startsWith('AC')) return { kind: 'scope', scope: { kind: 'account', accountSid: scope } };
  // Another organization is simply not found (U6): nothing is learnt about it.
  if (scope !== orgSid) return reject('not_found', `No organization ${scope}.`);
  return { kind: 'scope', scope: { kind: 'organization', orgSid } };
}

/** R1, O2: the role fits the scope (account roles on accounts, organization roles on the organization). */
export function decideRoleForScope(role: RoleSnapshot | null, scope: AssignmentScope): Allow | Rejection<'invalid_input' | 'not_found'> {
  if (role === null) return reject('not_found', 'There is no such role; GET /Roles (or orgward role list) shows the catalogue.');
  if (scope.kind === 'account' && role.scopeType !== 'account') {
    return reject('invalid_input', `${role.name} is an organization role: assign it with the organization SID as the scope.`);
  }
  if (scope.kind === 'organization' && role.scopeType !== 'organization') {
    return reject('invalid_input', `${role.name} is an account role: assign it with an account SID as the scope.`);
  }
  return allow();
}

/**
 * O3, U6: who may list assignments. At least one of identity and scope is required (as Twilio
 * answers); the Owner and Administrators read any, a Standard User only their own. `viewer` null
 * stands for the operator or the system.
 */
export function decideAssignmentQuery(viewer: MemberSnapshot | null, identity: string | undefined, scope: string | undefined): Allow | Rejection<'invalid_input' | 'forbidden'> {
  if (identity === undefined && scope === undefined) return reject('invalid_input', 'Give Identity, Scope or both to list role assignments.');
  if (viewer === null || viewer.role === 'owner' || viewer.role === 'admin') return allow();
  if (identity !== viewer.userSid) {
    return reject('forbidden', 'A Standard User lists only their own role assignments: pass your own user SID as Identity.');
  }
  return allow();
}
