/**
 * Sign-in events for a SIEM and for metrics: one log line per sign-in step (`event: "sign_in"`,
 * method, outcome, who and from where; never a password, code or token) and one count in
 * orgward_sign_ins_total{method,outcome}. Outcome is `success` or the refusal's stable code
 * (`invalid_credentials`, `sign_in_locked`, `sso_required`, …). Recorded in the HTTP layer, where
 * the outcome is known, so the services stay free of observability concerns.
 */
import { isDomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics, SignInMethod } from '../metrics/registry.js';

export interface SignInEventDeps {
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
}

/** The stable code of a failure: a DomainError's code, else `error` (an unexpected failure). */
export const outcomeOf = (error: unknown, fallback = 'error'): string => (isDomainError(error) ? error.code : fallback);

export function recordSignIn(deps: SignInEventDeps, method: SignInMethod, outcome: string, fields: Readonly<Record<string, unknown>>): void {
  deps.metrics?.signIn(method, outcome);
  const level = outcome === 'success' ? 'info' : 'warn';
  deps.logger[level](outcome === 'success' ? 'sign-in succeeded' : 'sign-in failed', { event: 'sign_in', method, outcome, ...fields });
}

/** Runs one sign-in step and records its outcome; the step's result or error passes through unchanged. */
export async function signInStep<T>(
  deps: SignInEventDeps, method: SignInMethod,
  fields: Readonly<Record<string, unknown>>, step: () => Promise<T>, extra?: (result: T) => Readonly<Record<string, unknown>>,
  /** The outcome of an error that is not a DomainError. */
  fallback = 'error',
): Promise<T> {
  try {
    const result = await step();
    recordSignIn(deps, method, 'success', { ...fields, ...extra?.(result) });
    return result;
  } catch (error) {
    recordSignIn(deps, method, outcomeOf(error, fallback), fields);
    throw error;
  }
}
