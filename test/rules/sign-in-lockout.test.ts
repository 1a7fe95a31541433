import { describe, expect, it } from '@jest/globals';
import { BASE_LOCK_MS, decideSecondFactor, decideSignInAttempt, FREE_FAILURES, MAX_LOCK_MS, planFailedSignIn } from '../../src/rules/sign-in-lockout.js';
import { decideSessionValidity, sessionIssuedAt } from '../../src/rules/session-validity.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('sign-in back-off', () => {
  it('allows attempts until the lock, refuses during it, allows again after', () => {
    expect(decideSignInAttempt({ failedSignIns: 3, lockedUntil: null }, NOW).kind).toBe('allow');
    expect(decideSignInAttempt({ failedSignIns: 5, lockedUntil: at(1) }, NOW)).toMatchObject({ kind: 'reject', code: 'too_many_attempts', retryAfterMs: 1 });
    expect(decideSignInAttempt({ failedSignIns: 5, lockedUntil: NOW }, NOW).kind).toBe('allow');
  });

  it('locks from the fifth failure on, doubling up to an hour', () => {
    let counters = { failedSignIns: 0, lockedUntil: null as Date | null };
    const locks: (number | null)[] = [];
    for (let i = 0; i < 14; i++) {
      counters = planFailedSignIn(counters, NOW);
      locks.push(counters.lockedUntil && counters.lockedUntil.getTime() - NOW.getTime());
    }
    expect(locks.slice(0, FREE_FAILURES - 1)).toEqual([null, null, null, null]);
    expect(locks.slice(FREE_FAILURES - 1, FREE_FAILURES + 3)).toEqual([BASE_LOCK_MS, 2 * BASE_LOCK_MS, 4 * BASE_LOCK_MS, 8 * BASE_LOCK_MS]);
    expect(locks.at(-1)).toBe(MAX_LOCK_MS);
  });
});

describe('decideSecondFactor (U4)', () => {
  it.each([
    [false, true, 'verify'],
    [false, false, 'enrol'],
    [true, true, 'enrol'],
    [true, false, 'enrol'],
  ] as const)('R-U4: required=%s, confirmed factor=%s → %s', (secondFactorRequired, hasConfirmedFactor, step) => {
    expect(decideSecondFactor({ secondFactorRequired, hasConfirmedFactor })).toBe(step);
  });
});

describe('decideSessionValidity (U3, C3)', () => {
  const session = { createdAt: NOW, expiresAt: at(1000), revoked: false, userStatus: 'active' as const, passwordChangedAt: at(-1) };
  it.each([
    ['a live session', {}, 'valid'],
    ['a revoked session', { revoked: true }, 'revoked'],
    ['an expired session', { expiresAt: NOW }, 'expired'],
    ['a suspended user', { userStatus: 'suspended' as const }, 'user_suspended'],
    ['a session older than the password', { passwordChangedAt: at(1) }, 'password_changed'],
    ['a session of the same instant as the password', { passwordChangedAt: NOW }, 'valid'],
  ])('R-U3: %s → %s', (_name, over, expected) => {
    expect(decideSessionValidity({ ...session, ...over }, NOW)).toBe(expected);
  });

  it('R-U3: a new session is never issued before the password change it was issued under', () => {
    expect(sessionIssuedAt(NOW, at(5))).toEqual(at(5));
    expect(sessionIssuedAt(NOW, at(-5))).toEqual(NOW);
    expect(sessionIssuedAt(NOW, null)).toEqual(NOW);
  });
});
