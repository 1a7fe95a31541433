/**
 * Planning a bulk user import from a file of rows.
 *
 * Rules: B1 (available once an operator enabled it: bulk_import_disabled), B2 (each row is checked
 * like an invitation; bad rows are reported with line and reason, good rows applied; running the
 * same file again changes nothing), D6, D7, U1 (through decideEnrollment), O2 (the Owner's role
 * never changes by import). An existing member keeps their role unless the import was asked to
 * update roles (a file is a list of people to bring in, not silently a list of demotions).
 */
import type { ErrorCode } from '../errors.js';
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';
import { emailMatchesDomain, normaliseEmail } from './domains.js';
import { decideEnrollment } from './enrollment.js';
import { normaliseName } from './names.js';
import { bulkImportDisabled } from './operator.js';
import type { AssignableRole, DomainSnapshot, MemberSnapshot, OrgSnapshot, Role } from './types.js';

/** Most rows one file may hold. */
export const MAX_BULK_IMPORT_ROWS = 10_000;
/** Longest person name in a row. */
export const MAX_PERSON_NAME = 128;

/** One row of the file, with the line it came from (for the report). */
export interface BulkImportRow {
  readonly line: number;
  readonly email: string;
  /** 'admin' or 'standard' (any case); empty means 'standard'. */
  readonly role?: string | undefined;
  readonly name?: string | undefined;
}

/** What the service needs besides the rows. */
export interface BulkImportContext {
  readonly org: OrgSnapshot;
  /** The organization's domains (only its verified ones count, D7). */
  readonly orgDomains: readonly DomainSnapshot[];
  /** Existing users whose email appears in the file, whatever their organization. */
  readonly members: readonly MemberSnapshot[];
  /** Change the role of existing members whose row names another role (else they are left unchanged). */
  readonly updateRoles?: boolean;
}

/** A row to apply: add a new member, or change an existing member's role. */
export interface BulkImportApply {
  readonly line: number;
  readonly email: string;
  readonly role: AssignableRole;
  readonly name: string | null;
  readonly action: 'add' | 'change_role';
  /** The existing user for 'change_role' (and for 'add' when the user exists without organization). */
  readonly userSid: string | null;
}

/**
 * A row that changes nothing: the person is already a member with that role (`already_member`),
 * or with another role that this import does not change (`role_not_updated`, see updateRoles).
 */
export interface BulkImportSkip {
  readonly line: number;
  readonly email: string;
  readonly reason: 'already_member' | 'role_not_updated';
  /** The member's role, kept. */
  readonly role: Role;
  /** The role the row asked for, when it differs. */
  readonly requestedRole?: AssignableRole;
}

/** A bad row, with a reason safe to show. */
export interface BulkImportError {
  readonly line: number;
  readonly email: string;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Result of {@link planBulkImport}. */
export type BulkImportPlan =
  | {
    readonly kind: 'plan';
    readonly apply: readonly BulkImportApply[];
    readonly skip: readonly BulkImportSkip[];
    readonly errors: readonly BulkImportError[];
  }
  | Rejection<'bulk_import_disabled' | 'invalid_input'>;

/**
 * B1, B2: sorts every row into apply, skip or errors. A row is checked like an invitation
 * (decideEnrollment, path 'import'); an email appearing twice is an error on its later lines.
 * The caller checks the actor may import (`decideAction(actor, 'bulk_import')`).
 */
export function planBulkImport(rows: readonly BulkImportRow[], context: BulkImportContext): BulkImportPlan {
  if (!context.org.bulkImportEnabled) {
    return bulkImportDisabled(context.org.sid);
  }
  if (rows.length === 0) return reject('invalid_input', 'The file has no rows to import.');
  if (rows.length > MAX_BULK_IMPORT_ROWS) {
    return reject('invalid_input', `A file can have at most ${MAX_BULK_IMPORT_ROWS} rows. Split it into smaller files.`);
  }
  const apply: BulkImportApply[] = [];
  const skip: BulkImportSkip[] = [];
  const errors: BulkImportError[] = [];
  const firstLine = new Map<string, number>();
  const members = new Map<string, MemberSnapshot>();
  for (const m of context.members) {
    const normal = normaliseEmail(m.email);
    if (normal.ok) members.set(normal.email, m);
  }
  const verifiedDomains = context.orgDomains.filter((d) => d.verified && d.orgSid === context.org.sid);

  for (const row of rows) {
    const fail = (code: ErrorCode, message: string): void => { errors.push({ line: row.line, email: row.email, code, message }); };
    const normal = normaliseEmail(row.email);
    if (!normal.ok) { fail(normal.code, normal.message); continue; }
    const email = normal.email;
    const seen = firstLine.get(email);
    if (seen !== undefined) { fail('invalid_input', `${email} already appears on line ${seen}; list each person once.`); continue; }
    firstLine.set(email, row.line);
    const role = parseRole(row.role);
    if (role === null) { fail('invalid_input', 'The role must be admin or standard (or empty for standard).'); continue; }
    let name: string | null = null;
    if (row.name !== undefined && row.name.trim() !== '') {
      const checked = normaliseName(row.name, 'name', MAX_PERSON_NAME);
      if (!checked.ok) { fail(checked.code, checked.message); continue; }
      name = checked.name;
    }
    const member = members.get(email) ?? null;
    const verifiedDomain = verifiedDomains.find((d) => emailMatchesDomain(email, d.name)) ?? null;
    const decision = decideEnrollment({ path: 'import', email, member, verifiedDomain, targetOrgSid: context.org.sid, role });
    if (decision.kind === 'reject') { fail(decision.code, decision.message); continue; }
    if (decision.kind === 'join') {
      apply.push({ line: row.line, email, role, name, action: 'add', userSid: member?.userSid ?? null });
    } else if (decision.kind === 'already_member') {
      if (decision.role === role) skip.push({ line: row.line, email, reason: 'already_member', role: decision.role });
      else if (context.updateRoles !== true) skip.push({ line: row.line, email, reason: 'role_not_updated', role: decision.role, requestedRole: role });
      else if (decision.role === 'owner') fail('owner_required', `${email} is the Owner; the Owner's role cannot be changed by import.`);
      else apply.push({ line: row.line, email, role, name, action: 'change_role', userSid: decision.userSid });
    } else {
      fail('invalid_input', 'This row cannot be imported.');
    }
  }
  return { kind: 'plan', apply, skip, errors };
}

function parseRole(input: string | undefined): AssignableRole | null {
  const role = (input ?? '').trim().toLowerCase();
  if (role === '' || role === 'standard') return 'standard';
  if (role === 'admin') return 'admin';
  return null;
}

/** Most bytes of CSV one upload may carry (10,000 rows of generous width). */
export const MAX_BULK_IMPORT_BYTES = 900_000;

/**
 * B1 at upload: a background import is accepted only when the operator enabled bulk import and
 * the file is within the size limits, so the uploader hears a refusal at once rather than in a
 * job report. Each row is still decided by {@link planBulkImport} when the job runs.
 */
export function decideBulkImportUpload(org: { readonly sid: string; readonly bulkImportEnabled: boolean }, csv: { readonly bytes: number; readonly lines: number }): Allow | Rejection<'bulk_import_disabled' | 'invalid_input'> {
  if (!org.bulkImportEnabled) return bulkImportDisabled(org.sid);
  if (csv.bytes > MAX_BULK_IMPORT_BYTES) return reject('invalid_input', `A file can have at most ${MAX_BULK_IMPORT_BYTES} bytes. Split it into smaller files.`);
  // Header plus rows; a quoted cell spanning lines only makes this count larger, never smaller.
  if (csv.lines - 1 > MAX_BULK_IMPORT_ROWS) return reject('invalid_input', `A file can have at most ${MAX_BULK_IMPORT_ROWS} rows. Split it into smaller files.`);
  return allow();
}
