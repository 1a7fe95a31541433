/**
 * Lifecycle event types (issue 13) from audit actions (L1): every change writes an audit entry in
 * its transaction, and each entry is an event; its type is the action's name in the event
 * vocabulary (`user.created`, `membership.role_changed`, `sso_connection.updated`, …). Actions
 * without a renaming keep their own name, so a new kind of change is never dropped.
 *
 * Rules: L1 (every change is recorded; secrets never are, so event data never holds one).
 */

// Audit action → event type, where the names differ.
const RENAMED: Readonly<Record<string, string>> = {
  'user.joined': 'user.created',
  // The person's user.created is their user.joined (written beside it for a new person); SCIM
  // taking over an existing member is not a creation. Either way the user gets a SCIM identity.
  'scim.user_provisioned': 'user.updated',
  'scim.user_updated': 'user.updated',
  'user.restored': 'user.reactivated',
  'user.role_changed': 'membership.role_changed',
  'organization.renamed': 'organization.updated',
  'organization.settings_changed': 'organization.updated',
  'organization.merged': 'merge.completed',
  'account.subaccount_created': 'account.created',
  'account.import_confirmed': 'account.imported',
  'account.ownership_transferred': 'account.transferred',
  'account.owner_changed': 'account.transferred',
  'account.hipaa_flagged': 'account.hipaa_changed',
  'account.hipaa_unflagged': 'account.hipaa_changed',
  'account.granted': 'role_assignment.created',
  'account.grant_revoked': 'role_assignment.deleted',
  'scim.access_recomputed': 'role_assignment.changed',
  'domain.added': 'domain.registered',
  'domain.sso_enforced': 'domain.sso_enforced',
  'domain.sso_unenforced': 'domain.sso_enforced',
  'sso.connection_added': 'sso_connection.created',
  'sso.connection_tested': 'sso_connection.tested',
  'sso.connection_changed': 'sso_connection.updated',
  'sso.connection_enabled': 'sso_connection.updated',
  'sso.connection_disabled': 'sso_connection.updated',
  'sso.connection_removed': 'sso_connection.deleted',
  'sso.certificate_expiring': 'sso_connection.certificate_expiring',
  'scim.token_created': 'scim_token.created',
  'scim.token_revoked': 'scim_token.revoked',
};

const TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** The event type of an audit action. */
export function eventTypeOf(action: string): string {
  const renamed = RENAMED[action];
  if (renamed !== undefined) return renamed;
  // Audit actions are `resource.verb`; the rare bare one (`added`) is filed under `organization.`.
  return TYPE.test(action) ? action : `organization.${action.replace(/[^a-z0-9_]/g, '_') || 'changed'}`;
}

/** A subscription's type filter: `user.suspended` exactly, `user.*` every `user.` type. */
const FILTER = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

/** True for a well-formed type filter. */
export const isEventTypeFilter = (value: unknown): value is string => typeof value === 'string' && value.length <= 100 && FILTER.test(value);

/** Whether `type` passes `filters` (none: every type). The SQL fan-out applies the same test. */
export function matchesEventTypes(type: string, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => (f.endsWith('.*') ? type.startsWith(f.slice(0, -1)) : type === f));
}
