import { describe, expect, it } from '@jest/globals';
import {
  RESET_TOKEN_TTL_MS, decidePasswordStrength, decideResetTokenUse, planPasswordReset, resetTokenExpiresAt,
} from '../../src/rules/index.js';
import type { ResetTokenSnapshot } from '../../src/rules/index.js';
import { STANDARD } from './builders.js';

const ISSUED = new Date('2025-03-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(ISSUED.getTime() + ms);
const HOUR = 60 * 60 * 1000;

describe('reset links (U3)', () => {
  it('R-U3: a reset link is valid for 24 hours', () => {
    expect(RESET_TOKEN_TTL_MS).toBe(24 * HOUR);
    expect(resetTokenExpiresAt(ISSUED)).toEqual(new Date('2025-03-02T10:00:00.000Z'));
  });

  it('R-U3: a reset plan gives its link 24 hours', () => {
    expect(planPasswordReset(STANDARD, ISSUED)).toEqual({ kind: 'reset', userSid: STANDARD, tokenExpiresAt: at(24 * HOUR) });
  });

  const fresh: ResetTokenSnapshot = { issuedAt: ISSUED, usedAt: null };
  it.each<[string, ResetTokenSnapshot | null, Date, string]>([
    ['just issued', fresh, at(0), 'allow'],
    ['1 ms before 24 h', fresh, at(24 * HOUR - 1), 'allow'],
    ['at exactly 24 h', fresh, at(24 * HOUR), 'expired'],
    ['after 25 h', fresh, at(25 * HOUR), 'expired'],
    ['already used', { issuedAt: ISSUED, usedAt: at(HOUR) }, at(2 * HOUR), 'already used'],
    ['replaced by a newer link', { issuedAt: ISSUED, usedAt: null, revokedAt: at(HOUR) }, at(2 * HOUR), 'not valid'],
    ['unknown', null, at(0), 'not valid'],
  ])('R-U3: a token %s → %s', (_label, token, now, expected) => {
    const d = decideResetTokenUse(token, now);
    if (expected === 'allow') {
      expect(d.kind).toBe('allow');
    } else {
      expect(d).toMatchObject({ kind: 'reject', code: 'token_invalid' });
      if (d.kind === 'reject') expect(d.message).toContain(expected);
    }
  });
});

describe('decidePasswordStrength (U3)', () => {
  it.each([
    ['11 characters', 'abcdefghijk', 'weak_password'],
    ['12 characters', 'abcdefghijkl', 'allow'],
    ['12 identical characters', 'aaaaaaaaaaaa', 'weak_password'],
    ['30 identical characters', 'x'.repeat(30), 'weak_password'],
    ['11 emoji are 11 characters', '🔒'.repeat(10) + 'a', 'weak_password'],
    ['12 emoji, not all the same', '🔒'.repeat(11) + '🔑', 'allow'],
    ['1024 characters', 'ab'.repeat(512), 'allow'],
    ['1025 characters', 'ab'.repeat(512) + 'c', 'weak_password'],
    ['empty', '', 'weak_password'],
    ['a passphrase', 'correct horse battery staple', 'allow'],
  ])('R-U3: %s → %s', (_label, password, expected) => {
    const d = decidePasswordStrength(password);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });
});
