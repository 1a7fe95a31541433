/**
 * When a failed webhook delivery is tried again (issue 13, Standard Webhooks' retry guidance):
 * exponential back-off from 5 s doubling to at most an hour, with ±20 % jitter so failed endpoints
 * do not all come back at once, at least the server's `Retry-After`, and retries for at least 24
 * hours after the first try; 410 Gone disables the endpoint at once. Pure: the caller passes the
 * random jitter in [0, 1).
 *
 * Rules: issue 13 (at-least-once delivery, ordered per endpoint, retried for at least 24 hours
 * honouring Retry-After; 410 disables the endpoint).
 */

/** How long a delivery keeps being retried after its first attempt. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const BASE_MS = 5000;
const CAP_MS = 60 * 60 * 1000;

export type RetryDecision =
  | { readonly kind: 'retry'; readonly at: Date }
  | { readonly kind: 'give_up' }
  | { readonly kind: 'disable_endpoint' };

/**
 * After failed attempt number `attempts` (1 for the first) of a delivery created at `createdAt`:
 * when to try again. `status` is the response status (null when no response), `retryAfterMs` the
 * parsed Retry-After (null when absent).
 */
export function decideRetry(input: { attempts: number; createdAt: Date; now: Date; status: number | null; retryAfterMs: number | null; jitter: number }): RetryDecision {
  if (input.status === 410) return { kind: 'disable_endpoint' };
  const elapsed = input.now.getTime() - input.createdAt.getTime();
  if (elapsed >= RETRY_WINDOW_MS) return { kind: 'give_up' };
  const backoff = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(30, Math.max(0, input.attempts - 1)));
  const jittered = backoff * (0.8 + 0.4 * Math.min(Math.max(input.jitter, 0), 1));
  // Retry-After is honoured up to the cap (a server asking for a week does not stop retries).
  const wait = Math.max(jittered, Math.min(input.retryAfterMs ?? 0, CAP_MS));
  return { kind: 'retry', at: new Date(input.now.getTime() + wait) };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
