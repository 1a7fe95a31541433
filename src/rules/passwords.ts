/**
 * Password resets and password strength.
 *
 * Rules: U3 (an administrator's reset signs the user out everywhere, makes the old password
 * unusable, and emails a single-use reset link valid for 24 hours). The token itself is random
 * and hashed by the service; these rules only decide.
 */
import type { Allow, Rejection } from './decision.js';
import { allow, reject } from './decision.js';

/** U3: how long a reset link is valid: 24 hours. */
export const RESET_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** Shortest password accepted, in characters. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted, in characters (bounds the hashing work). */
export const MAX_PASSWORD_LENGTH = 1024;

/** U3: when a reset link issued at `issuedAt` stops working. */
export function resetTokenExpiresAt(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + RESET_TOKEN_TTL_MS);
}

/**
 * A password reset of one user (U3). The service always signs the user out everywhere and voids
 * the old password; the plan carries only what varies: when the mailed link stops working.
 */
export interface PasswordResetPlan {
  readonly kind: 'reset';
  readonly userSid: string;
  readonly tokenExpiresAt: Date;
}

/** U3: the plan of a reset of `userSid` at `now`. */
export function planPasswordReset(userSid: string, now: Date): PasswordResetPlan {
  return { kind: 'reset', userSid, tokenExpiresAt: resetTokenExpiresAt(now) };
}

/** A stored reset token, as the rules see it. */
export interface ResetTokenSnapshot {
  readonly issuedAt: Date;
  /** When it was used; a token works once. */
  readonly usedAt: Date | null;
  /** When it was replaced by a newer token or cancelled. */
  readonly revokedAt?: Date | null;
}

/** Result of {@link decideResetTokenUse}. */
export type ResetTokenDecision = Allow | Rejection<'token_invalid'>;

/**
 * U3: a reset link works once, within 24 hours of being issued: at exactly 24 hours it has
 * expired. An unknown token (null) is refused with the same code.
 */
export function decideResetTokenUse(token: ResetTokenSnapshot | null, now: Date): ResetTokenDecision {
  if (token === null || (token.revokedAt ?? null) !== null) {
    return reject('token_invalid', 'This reset link is not valid. Ask for a new password reset email.');
  }
  if (token.usedAt !== null) {
    return reject('token_invalid', 'This reset link was already used. Ask for a new password reset email if you still need one.');
  }
  if (now.getTime() - token.issuedAt.getTime() >= RESET_TOKEN_TTL_MS) {
    return reject('token_invalid', 'This reset link has expired: links work for 24 hours. Ask for a new password reset email.');
  }
  return allow();
}

/** Result of {@link decidePasswordStrength}. */
export type PasswordStrengthDecision = Allow | Rejection<'weak_password'>;

/**
 * A password has 12 to 1024 characters (Unicode code points) and is not one character repeated.
 * Length beats composition rules (NIST SP 800-63B 5.1.1.2), so there are none.
 */
export function decidePasswordStrength(password: string): PasswordStrengthDecision {
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) {
    return reject('weak_password', `Use a password of at least ${MIN_PASSWORD_LENGTH} characters. A few words together work well.`);
  }
  if (chars.length > MAX_PASSWORD_LENGTH) {
    return reject('weak_password', `Use a password of at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
  if (chars.every((c) => c === chars[0])) {
    return reject('weak_password', 'Use a password that is not one character repeated.');
  }
  return allow();
}
