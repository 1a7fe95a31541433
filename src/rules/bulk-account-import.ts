/**
 * Planning a bulk import of accounts from a file of account SIDs.
 *
 * Rules: M4 (accounts owned by users whose email domain the organization has verified can be
 * brought in in bulk, each through the import rule A3), B1 (bulk import is available once an
 * operator enabled it: bulk_import_disabled), B2 (bad rows are reported with their line and
 * reason, good rows applied; running the same file again changes nothing, since an account
 * already in the organization is skipped by decideAccountImport).
 */
import type { ErrorCode } from '../errors.js';
import type { Rejection } from './decision.js';
import { reject } from './decision.js';
import { MAX_BULK_IMPORT_ROWS } from './bulk-import.js';
import { bulkImportDisabled } from './operator.js';
import { isSid } from './sids.js';
import type { OrgSnapshot } from './types.js';

/** One row of the file: the SID entered and the line it came from. */
export interface BulkAccountRow {
  readonly line: number;
  readonly accountSid: string;
}

/** A bad row, with a reason safe to show. */
export interface BulkAccountError {
  readonly line: number;
  readonly accountSid: string;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Result of {@link planBulkAccountImport}: rows to pass through the import rule one by one. */
export type BulkAccountPlan =
  | { readonly kind: 'plan'; readonly apply: readonly BulkAccountRow[]; readonly errors: readonly BulkAccountError[] }
  | Rejection<'bulk_import_disabled' | 'invalid_input'>;

/** B1, B2, M4: sorts the rows into well-formed SIDs to import and bad rows. */
export function planBulkAccountImport(rows: readonly BulkAccountRow[], org: OrgSnapshot): BulkAccountPlan {
  if (!org.bulkImportEnabled) {
    return bulkImportDisabled(org.sid);
  }
  if (rows.length === 0) return reject('invalid_input', 'The file has no rows to import.');
  if (rows.length > MAX_BULK_IMPORT_ROWS) {
    return reject('invalid_input', `A file can have at most ${MAX_BULK_IMPORT_ROWS} rows. Split it into smaller files.`);
  }
  const apply: BulkAccountRow[] = [];
  const errors: BulkAccountError[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const sid = row.accountSid.trim();
    if (!isSid('AC', sid)) {
      errors.push({ line: row.line, accountSid: row.accountSid, code: 'invalid_input', message: 'An account SID is AC followed by 32 lower-case hexadecimal digits.' });
      continue;
    }
    const seen = firstLine.get(sid);
    if (seen !== undefined) {
      errors.push({ line: row.line, accountSid: sid, code: 'invalid_input', message: `${sid} already appears on line ${seen}; list each account once.` });
      continue;
    }
    firstLine.set(sid, row.line);
    apply.push({ line: row.line, accountSid: sid });
  }
  return { kind: 'plan', apply, errors };
}
