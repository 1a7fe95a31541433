import { describe, expect, it } from '@jest/globals';
import { readCsv } from '../../src/services/csv.js';

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
