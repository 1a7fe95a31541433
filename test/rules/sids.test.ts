import { describe, expect, it } from '@jest/globals';
import { isSid } from '../../src/rules/index.js';
import type { SidPrefix } from '../../src/rules/index.js';

const HEX = '0123456789abcdef0123456789abcdef';

describe('SIDs (DOMAIN.md Terms)', () => {
  it.each<[SidPrefix, unknown, boolean]>([
    ['OR', `OR${HEX}`, true],
    ['US', `US${HEX}`, true],
    ['AC', `AC${HEX}`, true],
    ['AC', `OR${HEX}`, false],
    ['AC', `AC${HEX.toUpperCase()}`, false],
    ['AC', `ac${HEX}`, false],
    ['AC', `AC${HEX.slice(1)}`, false],
    ['AC', `AC${HEX}0`, false],
    ['AC', `AC${HEX.slice(1)}g`, false],
    ['AC', ` AC${HEX}`, false],
    ['AC', '', false],
    ['AC', 42, false],
    ['AC', null, false],
  ])('R-Terms: isSid(%s, %p) → %s', (prefix, value, expected) => {
    expect(isSid(prefix, value)).toBe(expected);
  });
});
