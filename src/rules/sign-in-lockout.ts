/**
 * Back-off after failed password sign-ins, and when a second factor is asked for.
 *
 * Rules: U4 (password users sign in with a TOTP second factor, enrolled at the first sign-in and
 * again after an administrator's 2FA reset), and the lockout requirement: after
 * {@link FREE_FAILURES} wrong passwords in a row the user is locked for a period that doubles
 * with each further failure, up to {@link MAX_LOCK_MS}; a correct sign-in resets the count.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';

/** Wrong passwords allowed in a row before the first lock. */
export const FREE_FAILURES = 5;
/** The first lock. */
export const BASE_LOCK_MS = 60 * 1000;
/** The longest lock. */
export const MAX_LOCK_MS = 60 * 60 * 1000;

/** A user's sign-in counters, as stored. */
export interface SignInCounters {
  readonly failedSignIns: number;
  readonly lockedUntil: Date | null;
}

/** May a password be checked now? Refused while locked, so a locked account costs no hashing. */
export function decideSignInAttempt(counters: SignInCounters, now: Date): Allow | (Rejection<'too_many_attempts'> & { readonly retryAfterMs: number }) {
  const until = counters.lockedUntil;
  if (until === null || until.getTime() <= now.getTime()) return allow();
  const retryAfterMs = until.getTime() - now.getTime();
  return {
    ...reject('too_many_attempts', `Too many failed sign-ins. Try again in ${Math.ceil(retryAfterMs / 60000)} minute(s), or reset your password.`),
    retryAfterMs,
  };
}

/** The counters after one more wrong password. */
export function planFailedSignIn(counters: SignInCounters, now: Date): SignInCounters {
  const failedSignIns = counters.failedSignIns + 1;
  if (failedSignIns < FREE_FAILURES) return { failedSignIns, lockedUntil: null };
  const doublings = Math.min(failedSignIns - FREE_FAILURES, 10);
  const lockMs = Math.min(BASE_LOCK_MS * 2 ** doublings, MAX_LOCK_MS);
  return { failedSignIns, lockedUntil: new Date(now.getTime() + lockMs) };
}

/** The counters after a correct sign-in. */
export const SIGNED_IN: SignInCounters = { failedSignIns: 0, lockedUntil: null };

/** What a correct password leads to (U4). */
export type SecondFactorStep = 'verify' | 'enrol';

/**
 * U4: enrol a new TOTP factor when the user has none confirmed or an administrator reset it
 * (`secondFactorRequired`), else verify the one they have.
 */
export function decideSecondFactor(input: { readonly secondFactorRequired: boolean; readonly hasConfirmedFactor: boolean }): SecondFactorStep {
  return input.secondFactorRequired || !input.hasConfirmedFactor ? 'enrol' : 'verify';
}
