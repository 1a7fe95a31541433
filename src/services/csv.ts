/**
 * Reads an uploaded CSV file with a header row into records that remember the line they start on,
 * so that bad rows can be reported by their line in the file (B2). Tolerates a byte-order mark,
 * CRLF or LF line ends, quoted fields (with commas, quotes or line breaks inside), blank lines,
 * header names in any case and columns in any order; extra columns are ignored.
 */
import { parse } from 'csv-parse/sync';
import { DomainError } from '../errors.js';

/** One data row: the 1-based line of the file it starts on, and its values by header name. */
export interface CsvRecord {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

/** The columns a file must and may have (lower-case header names). */
export interface CsvColumns {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

interface Parsed {
  readonly record: string[];
  readonly info: { readonly bytes: number };
}

/** Parses `text`; throws invalid_input when it is not CSV or lacks a required column. */
export function readCsv(text: string, columns: CsvColumns): CsvRecord[] {
  const bytes = Buffer.from(text, 'utf8');
  let parsed: Parsed[];
  try {
    parsed = parse(bytes, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as Parsed[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new DomainError('invalid_input', `The file is not valid CSV${line ? ` (near line ${line})` : ''}: check its quotes and separators.`, { cause: error });
  }
  const lines = lineStarts(bytes);
  const withLines = parsed.map((p, i) => ({ fields: p.record, line: lines(i === 0 ? 0 : parsed[i - 1]!.info.bytes) }));
  const header = withLines.shift();
  if (!header) throw new DomainError('invalid_input', `The file is empty. Its first line names the columns: ${describe(columns)}.`);
  const names = header.fields.map((f) => f.trim().toLowerCase().replace(/\s+/g, '_'));
  const missing = columns.required.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new DomainError('invalid_input', `The first line must name the columns: ${describe(columns)}. Missing: ${missing.join(', ')}.`);
  }
  const wanted = [...columns.required, ...columns.optional];
  return withLines
    .filter((r) => r.fields.some((f) => f !== ''))
    .map((r) => ({
      line: r.line,
      values: Object.fromEntries(wanted.map((c) => [c, r.fields[names.indexOf(c)] ?? ''])),
    }));
}

/**
 * The 1-based line on which the record starting at byte `offset` begins. csv-parse reports the
 * byte offset where each record ends (its own line count is off after a quoted line break), so
 * the line is counted from the bytes; blank lines the parser skipped (with `trim`, also lines of
 * spaces) are stepped over first.
 */
// Line ends, spaces and tabs: what a skipped blank line consists of.
const BLANK: ReadonlySet<number> = new Set([0x0a, 0x0d, 0x20, 0x09]);

function lineStarts(bytes: Buffer): (offset: number) => number {
  const newlines: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] === 0x0a) newlines.push(i);
  return (offset) => {
    let start = offset;
    while (start < bytes.length && BLANK.has(bytes[start]!)) start += 1;
    // Binary search: how many line ends come before `start`.
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (newlines[mid]! < start) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}

function describe(columns: CsvColumns): string {
  return [...columns.required, ...columns.optional.map((c) => `${c} (optional)`)].join(', ');
}
