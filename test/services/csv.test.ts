import { describe, expect, it } from '@jest/globals';
import { readCsv, readCsvLines } from '../../src/services/csv.js';

const COLUMNS = { required: ['email'], optional: ['role', 'name'] };
const lines = (text: string) => readCsv(text, COLUMNS).map((r) => [r.line, r.values.email]);

describe('readCsv: rows keep the line they start on (B2)', () => {
  it.each<[string, string, (string | number | undefined)[][]]>([
    ['LF', 'email\na@x.com\nb@x.com\n', [[2, 'a@x.com'], [3, 'b@x.com']]],
    ['CRLF and a byte-order mark', '\uFEFFemail\r\na@x.com\r\nb@x.com', [[2, 'a@x.com'], [3, 'b@x.com']]],
    ['blank lines and lines of spaces', 'email\n\n   \na@x.com\n\n\nb@x.com\n\n', [[4, 'a@x.com'], [7, 'b@x.com']]],
    ['a quoted field with a line break', 'email,name\na@x.com,"two\r\nlines"\r\nb@x.com,x', [[2, 'a@x.com'], [4, 'b@x.com']]],
    ['non-ASCII text before', 'email,name\nä@x.com,"Jösé\nÜ"\nb@x.com,ñ', [[2, 'ä@x.com'], [4, 'b@x.com']]],
    ['a row of empty fields', 'email,role\n,\na@x.com,admin', [[3, 'a@x.com']]],
  ])('%s', (_label, text, expected) => {
    expect(lines(text)).toEqual(expected);
  });

  it('reads columns by header name, in any case and order; extra columns are ignored; missing optional ones are empty', () => {
    expect(readCsv('Name,EXTRA,E-mail x,Email\n"Smith, ""Al""",1,2,al@x.com\n', COLUMNS))
      .toEqual([{ line: 2, values: { email: 'al@x.com', role: '', name: 'Smith, "Al"' } }]);
  });

  it.each([
    ['an empty file', ''],
    ['a header without the required column', 'mail,role\nx@y.com,admin\n'],
    ['an unclosed quote', 'email\n"x@y.com\n'],
  ])('refuses %s with invalid_input', (_label, text) => {
    expect(() => readCsv(text, COLUMNS)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('readCsvLines: one row per line, every line accounted for (B2)', () => {
  const read = (text: string) => readCsvLines(text, COLUMNS);
  const rows = (text: string) => read(text).records.map((r) => [r.line, r.values.email, r.values.role, r.values.name]);
  const errorLines = (text: string) => read(text).errors.map((e) => [e.line, e.first]);

  it.each<[string, string, ',' | ';' | '\t']>([
    ['commas', 'email,role,name\na@x.com,admin,"Lee, Al"\n', ','],
    ['semicolons (a spreadsheet in a comma-decimal locale)', 'Email;Role;Name\na@x.com;admin;"Lee; Al"\n', ';'],
    ['tabs', 'email\trole\tname\na@x.com\tadmin\t"Lee\t Al"\n', '\t'],
  ])('detects a header separated by %s', (_label, text, delimiter) => {
    const result = read(text);
    expect(result.delimiter).toBe(delimiter);
    expect(result.records).toEqual([{ line: 2, values: { email: 'a@x.com', role: 'admin', name: `Lee${delimiter} Al` } }]);
    expect(result.errors).toEqual([]);
  });

  it('a bad quote is an error for its line only; the lines after it are read', () => {
    const text = [
      'email,role,name',
      'a@x.com,"admin,Al', //   2: never closed on its line
      'b@x.com,standard,Bo', // 3
      'c@x.com,adm"in,', //     4: a quote inside an unquoted field
      '"d@x.com"x,standard', // 5: text after the closing quote
      'e@x.com,,"Smith, ""E"""', // 6
    ].join('\r\n');
    expect(rows(text)).toEqual([[3, 'b@x.com', 'standard', 'Bo'], [6, 'e@x.com', '', 'Smith, "E"']]);
    expect(errorLines(text)).toEqual([[2, 'a@x.com'], [4, 'c@x.com'], [5, 'd@x.com']]);
    expect(read(text).errors.every((e) => /quote/.test(e.message))).toBe(true);
  });

  it('a row with more fields than the header is an error for that row (empty trailing fields are tolerated)', () => {
    const text = 'email,role\na@x.com,admin,surplus\nb@x.com,standard,\nc@x.com\n';
    expect(rows(text)).toEqual([[3, 'b@x.com', 'standard', ''], [4, 'c@x.com', '', '']]);
    expect(read(text).errors).toEqual([{ line: 2, first: 'a@x.com', message: expect.stringContaining('3 fields but the first line names 2') }]);
  });

  it('skips blank lines and lines of empty fields; keeps line numbers with a byte-order mark and CRLF', () => {
    expect(rows('\uFEFF\r\nemail\r\n\r\n ,\r\na@x.com\r\n')).toEqual([[5, 'a@x.com', '', '']]);
  });

  it.each([
    ['an empty file', '\n\n', /empty/],
    ['a header without the email column, naming the separators it tried', 'mail;role\nx@y.com;admin\n', /Missing: email .*separated by commas/],
    ['a header with an unknown column', 'email,rolle\nx@y.com,admin\n', /"rolle"/],
    ['a header with an unclosed quote', '"email,role\nx@y.com,admin\n', /cannot be read/],
  ])('refuses %s as a whole with invalid_input', (_label, text, message) => {
    expect(() => read(text)).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(message) }));
  });
});
