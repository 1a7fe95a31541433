/**
 * Reads an uploaded CSV file with a header row into records that remember the line they start on,
 * so that bad rows can be reported by their line in the file (B2). Tolerates a byte-order mark,
 * CRLF or LF line ends, quoted fields (with commas, quotes or line breaks inside), blank lines,
 * header names in any case and columns in any order; extra columns are ignored. The bulk user
 * import reads with readCsvLines instead (one row per line, every line accounted for).
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

/** A line that could not be read as a row, with the reason (safe to show). */
export interface CsvLineError {
  readonly line: number;
  /** The line's first field as far as it could be read (usually the email), else ''. */
  readonly first: string;
  readonly message: string;
}

/** What {@link readCsvLines} found: the rows, the unreadable lines, and the separator used. */
export interface CsvLines {
  readonly records: CsvRecord[];
  readonly errors: CsvLineError[];
  readonly delimiter: ',' | ';' | '\t';
}

const DELIMITERS = [',', ';', '\t'] as const;
const DELIMITER_NAMES: Readonly<Record<CsvLines['delimiter'], string>> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' };

/**
 * Reads a file whose rows are one line each (no field may hold a line break), so that one bad
 * line never takes others with it: every non-blank line after the header is either a record or
 * an error for that line (an unclosed or stray quote, more fields than the header names). The
 * separator is the one of `,` `;` tab with which the header names the required columns.
 * Throws invalid_input only for the file as a whole: empty, or a header that names a missing or
 * unknown column (the message says which separator it was read with).
 */
export function readCsvLines(text: string, columns: CsvColumns): CsvLines {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new DomainError('invalid_input', `The file is empty. Its first line names the columns: ${describe(columns)}.`);
  const delimiter = detectDelimiter(lines[headerIndex]!, columns);
  const header = splitLine(lines[headerIndex]!, delimiter);
  const where = `(line ${headerIndex + 1}, read as separated by ${DELIMITER_NAMES[delimiter]})`;
  if (!header.ok) throw new DomainError('invalid_input', `The first line cannot be read ${where}: ${header.message}`);
  const names = header.fields.map(columnName);
  const known = [...columns.required, ...columns.optional];
  const missing = columns.required.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new DomainError('invalid_input', `The first line must name the columns ${describe(columns)}, separated by commas, semicolons or tabs. `
      + `Missing: ${missing.join(', ')} ${where}.`);
  }
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new DomainError('invalid_input', `The first line names columns this import does not know: ${unknown.map((n) => `"${n}"`).join(', ')} ${where}. `
      + `The columns are ${describe(columns)}; remove or rename the others.`);
  }
  const records: CsvRecord[] = [];
  const errors: CsvLineError[] = [];
  for (let i = headerIndex + 1; i < lines.length; i += 1) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const split = splitLine(raw, delimiter);
    if (!split.ok) { errors.push({ line, first: split.first, message: split.message }); continue; }
    const { fields } = split;
    if (fields.every((f) => f === '')) continue;
    const extra = fields.slice(names.length);
    if (extra.some((f) => f !== '')) {
      errors.push({ line, first: fields[0] ?? '', message: `This line has ${fields.length} fields but the first line names ${names.length} (${names.join(', ')}): `
        + `remove the extra fields, or put a field holding ${DELIMITER_NAMES[delimiter]} in double quotes.` });
      continue;
    }
    records.push({ line, values: Object.fromEntries(known.map((c) => [c, fields[names.indexOf(c)] ?? ''])) });
  }
  return { records, errors, delimiter };
}

function columnName(field: string): string {
  return field.trim().toLowerCase().replace(/\s+/g, '_');
}

/** The separator with which the header names the required columns (most known columns wins; then , ; tab). */
function detectDelimiter(header: string, columns: CsvColumns): CsvLines['delimiter'] {
  const known = new Set([...columns.required, ...columns.optional]);
  let best: CsvLines['delimiter'] = ',';
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const split = splitLine(header, delimiter);
    if (!split.ok) continue;
    const names = split.fields.map(columnName);
    if (!columns.required.every((c) => names.includes(c))) continue;
    const score = names.filter((n) => known.has(n)).length;
    if (score > bestScore) { best = delimiter; bestScore = score; }
  }
  return best;
}

type Split = { ok: true; fields: string[] } | { ok: false; first: string; message: string };

/**
 * One line into fields (RFC 4180 quoting within the line: a field in double quotes may hold the
 * separator, and "" stands for one quote; spaces around fields are dropped).
 */
function splitLine(line: string, delimiter: string): Split {
  const fields: string[] = [];
  const isSpace = (c: string | undefined) => (c === ' ' || c === '\t') && c !== delimiter;
  const bad = (message: string): Split => ({ ok: false, first: fields[0] ?? '', message });
  let i = 0;
  for (;;) {
    while (isSpace(line[i])) i += 1;
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return bad(`A quote opened in field ${fields.length + 1} is not closed on this line (fields cannot span lines): check the quotes.`);
        value += line.slice(i, close);
        if (line[close + 1] === '"') { value += '"'; i = close + 2; continue; }
        i = close + 1;
        break;
      }
      while (isSpace(line[i])) i += 1;
      fields.push(value.trim());
      if (i >= line.length) return { ok: true, fields };
      if (line[i] !== delimiter) return bad(`Text follows the closing quote of field ${fields.length}: put the whole field in quotes and write a quote inside it as "".`);
      i += 1;
      continue;
    }
    const end = line.indexOf(delimiter, i);
    const value = (end < 0 ? line.slice(i) : line.slice(i, end)).trim();
    if (value.includes('"')) {
      return bad(`Field ${fields.length + 1} holds a quote but does not start with one: put the whole field in quotes and write a quote inside it as "".`);
    }
    fields.push(value);
    if (end < 0) return { ok: true, fields };
    i = end + 1;
  }
}
