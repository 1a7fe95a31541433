/**
 * Back-off after failed sign-ins, and when a second factor is asked for.
 *
 * Rules: U4 (password users sign in with a TOTP second factor, enrolled at the first sign-in and
 * again after an administrator's 2FA reset), and the lockout requirements:
 * - a counter allows {@link BackoffPolicy.freeFailures} failures in a row, then locks for a period
 *   that doubles with each further failure, from {@link BASE_LOCK_MS} up to {@link MAX_LOCK_MS};
 * - password back-off is kept per (account, client address) and, with a much higher ceiling, per
 *   account, so nobody can lock a chosen user out from their own address;
 * - an attempt is reserved (counted as a failure) before the secret is compared, under the row
 *   lock of its counters, so parallel guesses cannot all slip past the lock; a correct secret
 *   never signs in while a lock set by other attempts stands.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';

/** Wrong passwords allowed in a row from one client address before the first lock. */
export const FREE_FAILURES = 5;
/** Wrong passwords allowed in a row for one account from all addresses together. */
export const ACCOUNT_FREE_FAILURES = 100;
/** Wrong second-factor codes (or recovery codes) allowed in a row for one user. */
export const SECOND_FACTOR_FREE_FAILURES = 5;
/** The first lock. */
export const BASE_LOCK_MS = 60 * 1000;
/** The longest lock. */
export const MAX_LOCK_MS = 60 * 60 * 1000;

/** A back-off counter, as stored. */
export interface SignInCounters {
  readonly failedSignIns: number;
  readonly lockedUntil: Date | null;
}

/** How many failures a counter allows before it locks. */
export interface BackoffPolicy {
  readonly freeFailures: number;
}

/** A counter together with its policy. */
export interface Backoff {
  readonly counters: SignInCounters;
  readonly policy: BackoffPolicy;
}

/** The client key of a counter that covers every client address (the account-wide ceiling). */
export const ANY_CLIENT = '*';

export const CLIENT_BACKOFF: BackoffPolicy = { freeFailures: FREE_FAILURES };
export const ACCOUNT_BACKOFF: BackoffPolicy = { freeFailures: ACCOUNT_FREE_FAILURES };
export const SECOND_FACTOR_BACKOFF: BackoffPolicy = { freeFailures: SECOND_FACTOR_FREE_FAILURES };

/** A refusal while locked, with how long to wait (Retry-After). */
export type Locked = Rejection<'too_many_attempts'> & { readonly retryAfterMs: number };

/** What was guessed: the way out named in the message differs. */
export type Guessed = 'password' | 'code';

function locked(retryAfterMs: number, guessed: Guessed = 'password'): Locked {
  const wait = `Try again in ${Math.ceil(retryAfterMs / 60000)} minute(s)`;
  const message = guessed === 'password'
    ? `Too many failed sign-ins. ${wait}, or choose a new password at /password-reset.`
    : `Too many wrong codes. ${wait}.`;
  return { ...reject('too_many_attempts', message), retryAfterMs };
}

const lockLeft = (c: SignInCounters, now: Date): number =>
  c.lockedUntil === null ? 0 : Math.max(0, c.lockedUntil.getTime() - now.getTime());

/** May a secret be checked now? Refused while locked, so a locked account costs no hashing. */
export function decideSignInAttempt(counters: SignInCounters, now: Date, guessed: Guessed = 'password'): Allow | Locked {
  const left = lockLeft(counters, now);
  return left > 0 ? locked(left, guessed) : allow();
}

/** The counters after one more failure. */
export function planFailedSignIn(counters: SignInCounters, now: Date, policy: BackoffPolicy = CLIENT_BACKOFF): SignInCounters {
  const failedSignIns = counters.failedSignIns + 1;
  if (failedSignIns < policy.freeFailures) return { failedSignIns, lockedUntil: null };
  const doublings = Math.min(failedSignIns - policy.freeFailures, 10);
  const lockMs = Math.min(BASE_LOCK_MS * 2 ** doublings, MAX_LOCK_MS);
  return { failedSignIns, lockedUntil: new Date(now.getTime() + lockMs) };
}

/** The counters after a correct sign-in. */
export const SIGNED_IN: SignInCounters = { failedSignIns: 0, lockedUntil: null };

/**
 * Before a secret is compared: refused when any counter is locked (the longest wait wins);
 * otherwise the attempt is reserved, i.e. every counter already records it as a failure, and
 * those are the counters to write before comparing.
 */
export function decideReservation(backoffs: readonly Backoff[], now: Date): { readonly kind: 'reserve'; readonly reserved: SignInCounters[] } | Locked {
  const wait = Math.max(0, ...backoffs.map((b) => lockLeft(b.counters, now)));
  if (wait > 0) return locked(wait);
  return { kind: 'reserve', reserved: backoffs.map((b) => planFailedSignIn(b.counters, now, b.policy)) };
}

/**
 * After a correct secret, on the counters read again under the lock, given the counters this
 * attempt's reservation wrote. Failures recorded after the reservation were made by other attempts;
 * when they set a lock that still stands, the correct secret does not sign in (never while
 * locked). A lock set by this attempt's own reservation does not count against it. Otherwise
 * every counter resets.
 */
export function decideCorrectSecret(
  current: readonly Backoff[], reserved: readonly SignInCounters[], now: Date,
): { readonly kind: 'sign_in'; readonly after: SignInCounters[] } | Locked {
  const wait = Math.max(0, ...current.map((b, i) =>
    b.counters.failedSignIns > (reserved[i]?.failedSignIns ?? 0) ? lockLeft(b.counters, now) : 0));
  if (wait > 0) return locked(wait);
  return { kind: 'sign_in', after: current.map(() => SIGNED_IN) };
}

/** What a correct password leads to (U4). */
export type SecondFactorStep = 'verify' | 'enrol';

/**
 * U4: enrol a new TOTP factor when the user has none confirmed or an administrator reset it
 * (`secondFactorRequired`), else verify the one they have.
 */
export function decideSecondFactor(input: { readonly secondFactorRequired: boolean; readonly hasConfirmedFactor: boolean }): SecondFactorStep {
  return input.secondFactorRequired || !input.hasConfirmedFactor ? 'enrol' : 'verify';
}
