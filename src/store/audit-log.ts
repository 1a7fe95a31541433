import type { Knex } from 'knex';
import type { AuditEntry } from '../types.js';

export const AUDIT_LOG = 'audit_log';

/** L1: what the API filters the log by; every field narrows (AND). `until` is exclusive. */
export interface AuditFilter {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly target?: string | undefined;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
}

/** An entry as the CSV export writes it: JSON and the time already text, so no row is parsed twice. */
export interface AuditExportRow {
  readonly id: string; readonly created_at: string; readonly actor: string; readonly action: string;
  readonly target: string | null; readonly before: string | null; readonly after: string | null; readonly request_id: string | null;
}

export interface NewAuditEntry { orgSid: string; actor: string; action: string; target: string | null; before: unknown; after: unknown; requestId?: string | null }

export function auditLogStore(db: Knex | Knex.Transaction) {
  return {
    async append(e: NewAuditEntry): Promise<void> {
      await db(AUDIT_LOG).insert({
        org_sid: e.orgSid, actor: e.actor, action: e.action, target: e.target,
        before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
        after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
        request_id: e.requestId ?? null,
      });
    },
    async list(orgSid: string, options: AuditFilter & { afterId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
      const q = filtered(db(AUDIT_LOG).where({ org_sid: orgSid }), options).orderBy('id', 'asc').limit(options.limit ?? 100);
      if (options.afterId) q.where('id', '>', options.afterId);
      const rows = await q;
      return rows.map((r: Record<string, any>) => ({
        id: String(r.id), orgSid: r.org_sid, actor: r.actor, action: r.action, target: r.target,
        before: r.before, after: r.after, requestId: r.request_id, createdAt: r.created_at,
      }));
    },
    /** The id of the newest entry now (the CSV export stops there, so it ends while others write). */
    async lastId(orgSid: string): Promise<string | null> {
      const row = await db(AUDIT_LOG).where({ org_sid: orgSid }).max('id as id').first();
      return row?.id == null ? null : String(row.id);
    },
    /** L1 export: one keyset batch after `afterId` up to `throughId`, oldest first, as text. */
    async exportBatch(orgSid: string, filter: AuditFilter, afterId: string, throughId: string, limit: number): Promise<AuditExportRow[]> {
      const q = filtered(db(AUDIT_LOG).where({ org_sid: orgSid }), filter)
        .andWhere('id', '>', afterId).andWhere('id', '<=', throughId).orderBy('id', 'asc').limit(limit)
        .select(db.raw('id::text AS id'), db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`),
          'actor', 'action', 'target', db.raw('before::text AS before'), db.raw('after::text AS after'), 'request_id');
      return (await q) as AuditExportRow[];
    },
    async moveOrg(fromOrg: string, toOrg: string): Promise<void> {
      // The Candidate's history stays readable in the Prime after a merge (M3).
      await db(AUDIT_LOG).where({ org_sid: fromOrg }).update({ org_sid: toOrg });
    },
  };
}

/** Applies an {@link AuditFilter}; each condition has an index (org_sid, …, id) in the migrations. */
function filtered(q: Knex.QueryBuilder, f: AuditFilter): Knex.QueryBuilder {
  if (f.actor !== undefined) q.where({ actor: f.actor });
  if (f.action !== undefined) q.where({ action: f.action });
  if (f.target !== undefined) q.where({ target: f.target });
  if (f.since !== undefined) q.where('created_at', '>=', f.since);
  if (f.until !== undefined) q.where('created_at', '<', f.until);
  return q;
}
