/**
 * Self-service recovery: ten single-use codes shown once at TOTP enrolment, usable instead of a
 * code at the second-factor step. Each carries 50 random bits (base32, two groups of five), so a
 * SHA-256 digest is the right way to store it; guessing is bounded by the second-factor back-off.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../security/tokens.js';
import { base32Encode } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

/** Ten new codes, as shown to the user (`abcde-fghij`). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}

/** The canonical form of what a user typed, or null when it cannot be a recovery code. */
export function canonicalRecoveryCode(input: string): string | null {
  const text = input.replace(/[\s-]/g, '').toLowerCase();
  return /^[a-z2-7]{10}$/.test(text) ? `${text.slice(0, 5)}-${text.slice(5)}` : null;
}

/** The stored digest of a code. */
export const recoveryCodeHash = (code: string): string => hashToken(`recovery:${code}`);
