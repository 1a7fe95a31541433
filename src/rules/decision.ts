/**
 * The shapes shared by every decision: an allowed outcome and a rejection that carries a stable
 * error code (errors.ts) and a message safe to show to end users.
 *
 * Rules: none by itself; every rules file builds on it.
 */
import type { ErrorCode } from '../errors.js';

/** An expected refusal: returned, never thrown. `message` is safe to show and says what to do. */
export interface Rejection<C extends ErrorCode = ErrorCode> {
  readonly kind: 'reject';
  readonly code: C;
  readonly message: string;
}

/** A plain "go ahead". */
export interface Allow {
  readonly kind: 'allow';
}

/** Builds a {@link Rejection}. */
export function reject<C extends ErrorCode>(code: C, message: string): Rejection<C> {
  return { kind: 'reject', code, message };
}

/** Builds an {@link Allow}. */
export function allow(): Allow {
  return { kind: 'allow' };
}

/** The failed side of a normaliser (`normaliseX`): why the input was refused. */
export interface Invalid<C extends ErrorCode = 'invalid_input'> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
}
