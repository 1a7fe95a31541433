/**
 * The audit log as CSV (L1 export): one header line, then one line per entry, RFC 4180 quoting.
 * A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe: targets and values can carry text that users chose.
 */
import type { AuditExportRow } from '../../store/audit-log.js';

export const AUDIT_CSV_HEADER = 'id,date_created,actor,action,target,before,after,request_id\r\n';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One batch of entries as CSV lines (one string, so a batch is one write). */
export function auditCsvLines(rows: readonly AuditExportRow[]): string {
  let out = '';
  for (const r of rows) {
    out += `${r.id},${r.created_at},${csvCell(r.actor)},${csvCell(r.action)},${csvCell(r.target)},${csvCell(r.before)},${csvCell(r.after)},${csvCell(r.request_id)}\r\n`;
  }
  return out;
}
