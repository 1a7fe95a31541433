// STYLE.md "Direction of dependencies": src/rules imports nothing outside itself except types from
// ../errors.js (and node:url's pure domainToASCII for D1), and uses no clock, randomness or I/O.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../src/rules/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const IMPORT = /^\s*(import|export)\b[^'"]*?from\s+'([^']+)'/gm;

describe('the rules module stays pure (STYLE.md)', () => {
  it.each(files)('R-STYLE: %s imports only rules, error types, and node:url', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const [statement, , source] = match;
      if (source?.startsWith('./')) continue;
      if (source === '../errors.js') {
        expect(statement.trim()).toMatch(/^import type /);
        continue;
      }
      expect(source).toBe('node:url');
      expect(statement).toMatch(/\{\s*domainToASCII\s*\}/);
    }
  });

  it.each(files)('R-STYLE: %s reads no clock, randomness, environment or file', (file) => {
    const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/Date\.now\(|new Date\(\)|Math\.random|crypto\.|process\.|require\(|performance\.now|setTimeout|fetch\(/);
  });

  it.each(files)('R-STYLE: %s opens with a comment and cites the rules it enforces', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.startsWith('/**')).toBe(true);
    expect(text.slice(0, text.indexOf('*/'))).toMatch(/Rules:/);
  });
});
