/**
 * The one error class of Orgward. `message` is safe to show to the caller; `cause` is logged, never sent.
 * Each protocol maps `kind` to its own status in exactly one place (http/error-handler.ts, http/scim, http/sso).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'immutable'
  | 'unavailable';

/** The closed list of stable error codes (DOMAIN.md names most of them). */
export const ERROR_CODES = {
  // generic
  invalid_input: 'invalid',
  not_found: 'not_found',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  conflict: 'conflict',
  database_unavailable: 'unavailable',
  data_dir_locked: 'unavailable',
  database_missing: 'unavailable',
  secret_key_missing: 'conflict',
  // organizations (O)
  owner_required: 'conflict',
  account_limit_reached: 'conflict',
  organization_cannot_be_deleted: 'immutable',
  // users (U)
  member_of_other_org: 'conflict',
  user_exists: 'conflict',
  not_a_member: 'not_found',
  sso_required: 'forbidden',
  invalid_credentials: 'unauthenticated',
  user_suspended: 'forbidden',
  too_many_attempts: 'forbidden',
  weak_password: 'invalid',
  token_invalid: 'invalid',
  password_required: 'invalid',
  // invitations
  invitation_required: 'forbidden',
  invitation_pending: 'conflict',
  // accounts (A)
  account_not_managed: 'forbidden',
  transfer_target_not_managed: 'conflict',
  subaccount_limit_reached: 'conflict',
  account_closed: 'conflict',
  account_pending: 'conflict',
  account_in_other_org: 'conflict',
  account_suspended: 'conflict',
  owner_accounts_managed: 'conflict',
  subaccount_not_grantable: 'invalid',
  // domains (D)
  invalid_domain: 'invalid',
  common_domain: 'invalid',
  domain_claimed: 'conflict',
  domain_exists: 'conflict',
  domain_not_verified: 'invalid',
  domain_blocked: 'forbidden',
  dns_txt_missing: 'conflict',
  dns_txt_mismatch: 'conflict',
  dns_lookup_failed: 'unavailable',
  domain_in_use: 'conflict',
  // SSO (S)
  sso_not_ready: 'conflict',
  sso_domain_mismatch: 'forbidden',
  sso_response_invalid: 'unauthenticated',
  sso_identity_conflict: 'conflict',
  sso_enrollment_refused: 'forbidden',
  sso_unavailable: 'unavailable',
  sso_connection_in_use: 'conflict',
  // an IdP metadata URL (issue 11): refused by the SSRF guard, or its fetch failed; the message says what to do
  metadata_url_refused: 'invalid',
  metadata_fetch_failed: 'invalid',
  // merge (M)
  merge_not_allowed: 'conflict',
  // HIPAA (H)
  baa_required: 'conflict',
  // bulk import (B)
  bulk_import_disabled: 'forbidden',
  // SCIM provisioning (C); http/scim/errors.ts maps each to its RFC 7644 §3.12 status and scimType
  scim_token_invalid: 'unauthenticated',
  scim_user_exists: 'conflict',
  scim_group_exists: 'conflict',
  scim_invalid_filter: 'invalid',
  scim_invalid_syntax: 'invalid',
  scim_invalid_path: 'invalid',
  scim_no_target: 'invalid',
  scim_too_many: 'invalid',
  scim_read_only: 'immutable',
  scim_version_mismatch: 'conflict',
  // Organizations API (issue 10): request preconditions
  idempotency_key_reused: 'conflict',
  idempotency_key_in_progress: 'conflict',
  precondition_failed: 'conflict',
  // sent with details.httpStatus 413 and 415 (http/api/registry.ts)
  payload_too_large: 'invalid',
  unsupported_media_type: 'invalid',
  // roles (R)
  role_exists: 'conflict',
  role_built_in: 'immutable',
  // events and webhooks (issue 13)
  webhook_target_refused: 'invalid',
  role_assignment_exists: 'conflict',
  // setup links (issue 11): the link expired, was revoked or does not exist
  setup_link_invalid: 'not_found',
  // backup, restore, move-to-postgres (README "Backup and restore")
  backup_invalid: 'invalid',
  backup_schema_newer: 'conflict',
  restore_target_not_empty: 'conflict',
  secret_key_mismatch: 'conflict',
  server_running: 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly code: ErrorCode;
  /** Extra, safe-to-show details (e.g. the reason a merge is not allowed, the offending field). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.kind = ERROR_CODES[code];
    this.details = options.details;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
