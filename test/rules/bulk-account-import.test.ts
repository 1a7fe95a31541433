import { describe, expect, it } from '@jest/globals';
import { planBulkAccountImport, type BulkAccountRow } from '../../src/rules/bulk-account-import.js';
import { MAX_BULK_IMPORT_ROWS } from '../../src/rules/bulk-import.js';
import { org, sid } from './builders.js';

const A1 = sid('AC', 1);
const A2 = sid('AC', 2);

describe('planBulkAccountImport (M4, B1, B2)', () => {
  it('R-B1: refused until an operator enables bulk import', () => {
    const d = planBulkAccountImport([{ line: 2, accountSid: A1 }], org({ bulkImportEnabled: false }));
    expect(d.kind === 'reject' && d.code).toBe('bulk_import_disabled');
  });

  it.each<[string, BulkAccountRow[]]>([
    ['no rows', []],
    ['too many rows', Array.from({ length: MAX_BULK_IMPORT_ROWS + 1 }, (_, i) => ({ line: i + 2, accountSid: A1 }))],
  ])('R-B2: a file with %s is refused as a whole', (_label, rows) => {
    const d = planBulkAccountImport(rows, org());
    expect(d.kind === 'reject' && d.code).toBe('invalid_input');
  });

  it('R-M4/B2: good rows are applied, bad ones reported with their line', () => {
    const d = planBulkAccountImport([
      { line: 2, accountSid: A1 },
      { line: 3, accountSid: ` ${A2} ` },
      { line: 4, accountSid: 'AC123' },
      { line: 5, accountSid: sid('AC', 0xabc).toUpperCase() },
      { line: 6, accountSid: A1 },
      { line: 7, accountSid: sid('US', 1) },
    ], org());
    if (d.kind !== 'plan') throw new Error(d.message);
    expect(d.apply).toEqual([{ line: 2, accountSid: A1 }, { line: 3, accountSid: A2 }]);
    expect(d.errors.map((e) => [e.line, e.code])).toEqual([[4, 'invalid_input'], [5, 'invalid_input'], [6, 'invalid_input'], [7, 'invalid_input']]);
    expect(d.errors.find((e) => e.line === 6)?.message).toContain('line 2');
  });
});
