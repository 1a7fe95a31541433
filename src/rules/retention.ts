/**
 * How long housekeeping keeps rows that have done their job (issue 12). The sweeper
 * (jobs/sweeper.ts) removes what these say has expired; nothing here reads a clock.
 *
 * Rules: L1 (the audit log is kept for ever unless the organization's operator sets a retention in
 * days); issue 12 (expired sessions, tokens and sign-in state are removed once they can no longer be used).
 */

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Idempotency-Key results are kept a day: a client retries a mutation within minutes, not days. */
export const IDEMPOTENCY_RETENTION_MS = DAY_MS;
/** Sent mail (its body is gone at delivery) stays a week for support questions ("did it go out?"). */
export const SENT_MAIL_RETENTION_MS = 7 * DAY_MS;
/**
 * A sign-in back-off counter untouched for a day, with no lock standing, is forgotten: the longest
 * lock is an hour (rules/sign-in-lockout.ts MAX_LOCK_MS), so a day of silence ends its window.
 */
export const BACKOFF_RETENTION_MS = DAY_MS;
/** The longest audit retention an organization may set (100 years). */
export const MAX_AUDIT_RETENTION_DAYS = 36500;

/** The time before which audit entries of an organization with `retentionDays` are removed; null: kept for ever (L1). */
export function auditCutoff(now: Date, retentionDays: number | null): Date | null {
  return retentionDays === null ? null : new Date(now.getTime() - retentionDays * DAY_MS);
}

/** A retention setting as given by an operator: a whole number of days, or `forever`. */
export type AuditRetentionDecision =
  | { kind: 'allow'; days: number | null }
  | { kind: 'reject'; code: 'invalid_input'; message: string };

/** L1: validates an audit retention: `forever` (null) or 1..{@link MAX_AUDIT_RETENTION_DAYS} days. */
export function decideAuditRetention(days: number | null): AuditRetentionDecision {
  if (days === null) return { kind: 'allow', days: null };
  if (!Number.isInteger(days) || days < 1 || days > MAX_AUDIT_RETENTION_DAYS) {
    return { kind: 'reject', code: 'invalid_input', message: `The audit retention is a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}, or forever.` };
  }
  return { kind: 'allow', days };
}
