/**
 * The SQL of housekeeping (jobs/sweeper.ts): the lease that lets one instance at a time sweep,
 * and batched deletes of expired rows, each an index range read (migration 20261208400000).
 *
 * Batches are deleted by ctid, the condition repeated in the DELETE: a row changed since the
 * SELECT (a session refreshed) is re-checked, never removed on stale information. Each batch is
 * its own statement, so row locks live for one batch and sign-ins are never queued behind a run.
 */
import type { Knex } from 'knex';
import { BACKOFF_RETENTION_MS, IDEMPOTENCY_RETENTION_MS, SENT_MAIL_RETENTION_MS } from '../rules/retention.js';

const LEASES = 'sweeper_leases';

/** One kind of expired row: its table and the condition (bound to `:now`) under which a row is garbage. */
export interface SweepTarget {
  /** The table, also the `table` label of orgward_sweeper_removed_total. */
  readonly table: string;
  /** SQL condition over the table's columns; `:now` is the sweep's time, `:cutoff` that time less `keepMs`. */
  readonly where: string;
  /** How long past `now` a row is kept (a retention); 0 when expiry alone decides. */
  readonly keepMs?: number;
}

/**
 * Everything the sweeper removes besides the audit log. Short-lived credentials and login state
 * are garbage once expired (a used one has no further use either, and expires soon after).
 */
export const SWEEP_TARGETS: readonly SweepTarget[] = [
  { table: 'sessions', where: 'expires_at < :now' },
  { table: 'one_time_tokens', where: 'expires_at < :now' },
  { table: 'signup_verifications', where: 'expires_at < :now' },
  { table: 'sign_in_challenges', where: 'expires_at < :now' },
  { table: 'sso_saml_requests', where: 'expires_at < :now' },
  { table: 'sso_assertion_ids', where: 'expires_at < :now' },
  { table: 'sso_oidc_transactions', where: 'expires_at < :now' },
  { table: 'sso_test_tickets', where: 'expires_at < :now' },
  { table: 'oidc_payloads', where: 'expires_at < :now' },
  { table: 'mail_outbox', where: 'sent_at < :cutoff', keepMs: SENT_MAIL_RETENTION_MS },
  { table: 'idempotency_keys', where: 'created_at < :cutoff', keepMs: IDEMPOTENCY_RETENTION_MS },
  { table: 'sign_in_backoff', where: 'updated_at < :cutoff AND (locked_until IS NULL OR locked_until < :now)', keepMs: BACKOFF_RETENTION_MS },
];

export interface SweeperStore {
  /** Takes the lease `name` until `until` unless another holder's lease runs; true when held. */
  takeLease(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  /** Ends the lease early (the run is over), so the next run on any instance need not wait. */
  releaseLease(name: string, holder: string, now: Date): Promise<void>;
  /** Deletes at most `limit` rows of `target` expired at `now`; the number deleted. */
  deleteBatch(target: SweepTarget, now: Date, limit: number): Promise<number>;
  /** Organizations with an audit retention (L1): their SID and days. */
  auditRetentions(): Promise<{ orgSid: string; days: number }[]>;
  /** Deletes at most `limit` audit entries of one organization older than `before`. */
  deleteAuditBatch(orgSid: string, before: Date, limit: number): Promise<number>;
}

export function sweeperStore(db: Knex): SweeperStore {
  return {
    async takeLease(name, holder, now, until) {
      // One statement decides the winner: insert, or take over a lease that has run out.
      const result = await db.raw(
        `INSERT INTO ${LEASES} (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE ${LEASES}.expires_at <= ? OR ${LEASES}.holder = excluded.holder
         RETURNING holder`, [name, holder, until, now]);
      return (result.rows as unknown[]).length === 1;
    },
    async releaseLease(name, holder, now) {
      await db(LEASES).where({ name, holder }).update({ expires_at: now });
    },
    async deleteBatch(target, now, limit) {
      const where = target.where;
      const result = await db.raw(
        `DELETE FROM ${target.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${target.table} WHERE ${where} LIMIT :limit)) AND ${where}`,
        { now, cutoff: new Date(now.getTime() - (target.keepMs ?? 0)), limit });
      return (result as { rowCount?: number }).rowCount ?? (result.rows as unknown[] | undefined)?.length ?? 0;
    },
    async auditRetentions() {
      const rows = await db('organizations').whereNotNull('audit_retention_days').select('sid', 'audit_retention_days') as { sid: string; audit_retention_days: number }[];
      return rows.map((r) => ({ orgSid: r.sid, days: r.audit_retention_days }));
    },
    async deleteAuditBatch(orgSid, before, limit) {
      const result = await db.raw(
        `DELETE FROM audit_log WHERE id = ANY(ARRAY(
           SELECT id FROM audit_log WHERE org_sid = :orgSid AND created_at < :before ORDER BY created_at LIMIT :limit))`,
        { orgSid, before, limit });
      return (result as { rowCount?: number }).rowCount ?? 0;
    },
  };
}
