import { describe, expect, it } from '@jest/globals';
import {
  ACCOUNT_BACKOFF, ACCOUNT_FREE_FAILURES, BASE_LOCK_MS, CLIENT_BACKOFF, decideCorrectSecret, decideReservation, decideSecondFactor,
  decideSignInAttempt, FREE_FAILURES, MAX_LOCK_MS, planFailedSignIn, SIGNED_IN, type SignInCounters,
} from '../../src/rules/sign-in-lockout.js';
import { decideChallengeValidity, decideSessionValidity, sessionIssuedAt } from '../../src/rules/session-validity.js';

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

describe('reserving an attempt before the secret is compared', () => {
  const both = (client: SignInCounters, account: SignInCounters = SIGNED_IN) =>
    [{ counters: client, policy: CLIENT_BACKOFF }, { counters: account, policy: ACCOUNT_BACKOFF }];

  it('reserves by counting the attempt as a failure on every counter, so parallel guesses see it', () => {
    const decision = decideReservation(both({ failedSignIns: FREE_FAILURES - 1, lockedUntil: null }), NOW);
    expect(decision).toEqual({ kind: 'reserve', reserved: [{ failedSignIns: FREE_FAILURES, lockedUntil: at(BASE_LOCK_MS) }, { failedSignIns: 1, lockedUntil: null }] });
  });

  it('refuses while any counter is locked, with the longest wait', () => {
    expect(decideReservation(both({ failedSignIns: 5, lockedUntil: at(10) }, { failedSignIns: 200, lockedUntil: at(500) }), NOW))
      .toMatchObject({ kind: 'reject', code: 'too_many_attempts', retryAfterMs: 500 });
  });

  it('the account-wide ceiling is much higher than the per-address back-off', () => {
    expect(ACCOUNT_FREE_FAILURES).toBeGreaterThanOrEqual(10 * FREE_FAILURES);
    expect(planFailedSignIn({ failedSignIns: FREE_FAILURES, lockedUntil: null }, NOW, ACCOUNT_BACKOFF).lockedUntil).toBeNull();
  });

  it('a correct secret signs in when its own reservation set the lock, and resets the counters', () => {
    const mine = { failedSignIns: FREE_FAILURES, lockedUntil: at(BASE_LOCK_MS) };
    expect(decideCorrectSecret(both(mine, { failedSignIns: 1, lockedUntil: null }), [mine, { failedSignIns: 1, lockedUntil: null }], NOW))
      .toEqual({ kind: 'sign_in', after: [SIGNED_IN, SIGNED_IN] });
  });

  it('a correct secret never signs in while a lock set by other attempts stands', () => {
    const mine = { failedSignIns: 3, lockedUntil: null };
    const now = { failedSignIns: FREE_FAILURES, lockedUntil: at(BASE_LOCK_MS) };
    expect(decideCorrectSecret(both(now), [mine, SIGNED_IN], NOW)).toMatchObject({ kind: 'reject', code: 'too_many_attempts', retryAfterMs: BASE_LOCK_MS });
    // Once that lock ran out, the correct secret signs in.
    expect(decideCorrectSecret(both({ ...now, lockedUntil: NOW }), [mine, SIGNED_IN], NOW).kind).toBe('sign_in');
  });
});

describe('decideChallengeValidity (U3, S7, C4)', () => {
  const challenge = { createdAt: NOW, expiresAt: at(600_000), userStatus: 'active' as const, passwordChangedAt: at(-1) };
  it.each([
    ['R-U3: a live challenge', {}, 'valid'],
    ['R-U3: a challenge issued before a password reset (by the user or an administrator)', { passwordChangedAt: at(1) }, 'password_changed'],
    ['R-C4: a challenge of a suspended user', { userStatus: 'suspended' as const }, 'user_suspended'],
    ['an expired challenge', { expiresAt: NOW }, 'expired'],
  ])('%s → %s', (_name, over, expected) => {
    expect(decideChallengeValidity({ ...challenge, ...over }, NOW)).toBe(expected);
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
