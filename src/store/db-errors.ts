/**
 * The one place database errors become DomainErrors: named constraints map to the rule they back,
 * connection trouble to 503, and values PostgreSQL cannot store to invalid input.
 */
import { DomainError, isDomainError, type ErrorCode } from '../errors.js';

/** Named constraints (see migrations) and the rule each one backs. */
const CONSTRAINTS: Record<string, [ErrorCode, string]> = {
  memberships_one_org_per_user: ['member_of_other_org', 'This person already belongs to an organization.'],
  memberships_one_owner_per_org: ['owner_required', 'An organization has exactly one Owner.'],
  memberships_owner_required: ['owner_required', 'An organization has exactly one Owner.'],
  users_email_unique: ['user_exists', 'A user with this email address already exists.'],
  domains_one_verifying_org: ['domain_claimed', 'This domain is already verified by another organization.'],
  domains_once_per_org: ['domain_exists', 'This domain is already registered in the organization.'],
  invitations_one_pending_per_email: ['invitation_pending', 'An invitation for this email address is already pending.'],
  scim_users_user_name_unique: ['scim_user_exists', 'A user with this userName already exists in the organization.'],
  scim_groups_display_name_unique: ['scim_group_exists', 'A group with this displayName already exists in the organization.'],
  sso_identities_key: ['sso_identity_conflict', 'This single sign-on identity is already linked to a user.'],
  role_assignments_one_per_source: ['role_assignment_exists', 'This user already holds this role here.'],
  role_assignments_no_subaccount: ['subaccount_not_grantable', 'A role is assigned on the parent account; it reaches the subaccounts.'],
  role_assignments_account_role: ['invalid_input', 'Only account roles are assigned on accounts.'],
  roles_name_unique: ['role_exists', 'A role with this name already exists; orgward role list shows the catalogue.'],
  // A setup link adds its connection under an id it chose beforehand: a second submission finds it taken.
  sso_connections_pkey: ['conflict', 'This connection was added already. Reload the page to see it.'],
  sso_identities_one_per_issuer: ['sso_identity_conflict', 'This user is already linked to another identity at this identity provider.'],
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
]);

interface PgLikeError { code?: string; constraint?: string; message?: string; name?: string }

export function translateDbError(error: unknown): DomainError | undefined {
  if (isDomainError(error)) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as PgLikeError;
  if (e.constraint && CONSTRAINTS[e.constraint]) {
    const [code, message] = CONSTRAINTS[e.constraint]!;
    return new DomainError(code, message, { cause: error });
  }
  if (e.code === '3D000') return missingDatabase(error, e.message ?? '');
  if (e.code && CONNECTION_CODES.has(e.code)) return unavailable(error);
  // knex re-wraps some driver errors without their code (its migration lock: "connect ECONNREFUSED …").
  if (e.name === 'KnexTimeoutError' || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Unable to acquire a connection|\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)\b/i.test(e.message ?? '')) {
    return unavailable(error);
  }
  switch (e.code) {
    case '22P05': // untranslatable character (e.g. U+0000)
    case '22021': // invalid byte sequence
    case '22001': // value too long
    case '22003': // numeric out of range
    case '22007': case '22008': // bad date/time
    case '22P02': // invalid text representation (e.g. malformed uuid)
    case '23514': // check violation
    case '23502': // not null violation
      return new DomainError('invalid_input', 'A value is malformed or out of range.', { cause: error });
    case '40001': case '40P01':
      return new DomainError('conflict', 'A concurrent change got in the way; try again.', { cause: error });
    default:
      return undefined;
  }
}

function unavailable(cause: unknown): DomainError {
  return new DomainError('database_unavailable', 'The database is unavailable; try again shortly.', { cause });
}

/** DATABASE_URL names a database the server does not have (a fresh install): say how to create it. */
function missingDatabase(cause: unknown, message: string): DomainError {
  const name = /database "([^"]+)" does not exist/.exec(message)?.[1] ?? 'named in DATABASE_URL';
  return new DomainError('database_missing',
    `The database "${name}" does not exist on the PostgreSQL server in DATABASE_URL. Create it (for example: createdb ${JSON.stringify(name)}, ` +
    `run as a user allowed to create databases on that server), then start Orgward again; it creates its tables itself.`, { cause });
}

/** Rethrows database errors as DomainErrors where they mean one; anything else unchanged. */
export function rethrowDbError(error: unknown): never {
  throw translateDbError(error) ?? error;
}
