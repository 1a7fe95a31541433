/**
 * Background bulk imports (B1, B2): the uploaded file, its progress and report. Workers claim a
 * job with FOR UPDATE SKIP LOCKED, so two instances never run the same one; a job left running by
 * a dead instance is claimed again once its lease has expired. Every write of a running job is
 * conditional on the lease still being the writer's.
 */
import type { Knex } from 'knex';
import type { Actor } from '../types.js';

export const USER_IMPORT_JOBS = 'user_import_jobs';

export type UserImportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface UserImportReport {
  readonly applied: readonly unknown[];
  readonly skipped: readonly unknown[];
  readonly errors: readonly unknown[];
}

export interface UserImportJob {
  readonly id: string;
  readonly orgSid: string;
  readonly actor: Actor;
  readonly updateRoles: boolean;
  readonly status: UserImportStatus;
  readonly rowsTotal: number | null;
  readonly rowsDone: number;
  readonly applied: number;
  readonly skipped: number;
  readonly errors: number;
  readonly failure: { code: string; message: string } | null;
  readonly attempts: number;
  readonly leasedBy: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

/** The columns of a job without its file and report (both can be large). */
const SUMMARY = ['id', 'org_sid', 'actor', 'update_roles', 'status', 'rows_total', 'rows_done', 'applied', 'skipped', 'errors', 'failure',
  'attempts', 'leased_by', 'lease_expires_at', 'created_at', 'started_at', 'finished_at'];

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const mapRow = (r: Record<string, any>): UserImportJob => ({
  id: r.id, orgSid: r.org_sid, actor: json<Actor>(r.actor), updateRoles: r.update_roles, status: r.status,
  rowsTotal: r.rows_total, rowsDone: r.rows_done, applied: r.applied, skipped: r.skipped, errors: r.errors,
  failure: r.failure === null ? null : json(r.failure), attempts: r.attempts, leasedBy: r.leased_by, leaseExpiresAt: r.lease_expires_at,
  createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
});

export function userImportJobStore(db: Knex | Knex.Transaction) {
  const owned = (id: string, workerId: string) => db(USER_IMPORT_JOBS).where({ id, status: 'running', leased_by: workerId });
  return {
    async insert(j: { orgSid: string; actor: Actor; csvText: string; updateRoles: boolean }): Promise<UserImportJob> {
      const [row] = await db(USER_IMPORT_JOBS)
        .insert({ org_sid: j.orgSid, actor: JSON.stringify(j.actor), csv_text: j.csvText, update_roles: j.updateRoles }).returning(SUMMARY);
      return mapRow(row);
    },
    async get(orgSid: string, id: string): Promise<UserImportJob | undefined> {
      const row = await db(USER_IMPORT_JOBS).where({ id, org_sid: orgSid }).first(SUMMARY);
      return row && mapRow(row);
    },
    async listByOrg(orgSid: string, limit: number): Promise<UserImportJob[]> {
      return (await db(USER_IMPORT_JOBS).where({ org_sid: orgSid }).orderBy('created_at', 'desc').limit(limit).select(SUMMARY)).map(mapRow);
    },
    async report(orgSid: string, id: string): Promise<UserImportReport | null | undefined> {
      const row = await db(USER_IMPORT_JOBS).where({ id, org_sid: orgSid }).first('report');
      return row === undefined ? undefined : row.report === null ? null : json<UserImportReport>(row.report);
    },
    /**
     * Takes the oldest queued job, or a running one whose lease expired (its instance died), for
     * `workerId` until `leaseUntil`. SKIP LOCKED: concurrent workers take different jobs.
     */
    async claim(workerId: string, now: Date, leaseUntil: Date): Promise<(UserImportJob & { csvText: string }) | undefined> {
      const { rows } = (await db.raw(`UPDATE ${USER_IMPORT_JOBS} SET status = 'running', leased_by = ?, lease_expires_at = ?, attempts = attempts + 1,
          started_at = COALESCE(started_at, ?)
        WHERE id = (SELECT id FROM ${USER_IMPORT_JOBS}
          WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < ?)
          ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${SUMMARY.join(', ')}, csv_text`, [workerId, leaseUntil, now, now])) as { rows: Record<string, any>[] };
      const row = rows[0];
      return row && { ...mapRow(row), csvText: row.csv_text };
    },
    /** Progress, and a longer lease; false when the lease is no longer this worker's (taken over). */
    async progress(id: string, workerId: string, p: { rowsDone: number; rowsTotal: number; leaseUntil: Date }): Promise<boolean> {
      return (await owned(id, workerId).update({ rows_done: p.rowsDone, rows_total: p.rowsTotal, lease_expires_at: p.leaseUntil })) === 1;
    },
    async finish(id: string, workerId: string, r: { rowsTotal: number; report: UserImportReport; at: Date }): Promise<boolean> {
      return (await owned(id, workerId).update({
        status: 'done', rows_total: r.rowsTotal, rows_done: r.rowsTotal, applied: r.report.applied.length, skipped: r.report.skipped.length,
        errors: r.report.errors.length, report: JSON.stringify(r.report), finished_at: r.at, leased_by: null, lease_expires_at: null,
      })) === 1;
    },
    async fail(id: string, workerId: string, failure: { code: string; message: string }, at: Date): Promise<boolean> {
      return (await owned(id, workerId).update({ status: 'failed', failure: JSON.stringify(failure), finished_at: at, leased_by: null, lease_expires_at: null })) === 1;
    },
    /** Stopping (SIGTERM): the job goes back to the queue at once, for this or another instance. */
    async release(id: string, workerId: string): Promise<boolean> {
      return (await owned(id, workerId).update({ status: 'queued', leased_by: null, lease_expires_at: null })) === 1;
    },
  };
}
