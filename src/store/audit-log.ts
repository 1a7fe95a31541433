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

/** A batch of the CSV export: its lines as one text, formatted and joined by the database. */
export interface AuditExportBatch {
  /** The id of the batch's last entry (the keyset of the next batch). */
  readonly lastId: string;
  readonly count: number;
  readonly csv: string;
}

/** The CSV columns, in the order of {@link AUDIT_CSV_LINE}. */
export const AUDIT_CSV_HEADER = 'id,date_created,actor,action,target,before,after,request_id\r\n';

/** One entry as one CSV line (audit_csv_cell() is in the migrations: quoting and formula defusing). */
const AUDIT_CSV_LINE = `id::text || ',' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  || ',' || audit_csv_cell(actor) || ',' || audit_csv_cell(action) || ',' || audit_csv_cell(target)
  || ',' || audit_csv_cell(before::text) || ',' || audit_csv_cell(after::text) || ',' || audit_csv_cell(request_id) || E'\\r\\n'`;

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
    /** Entries oldest first after `afterId`; with `beforeId`, the newest `limit` before it, still oldest first. */
    async list(orgSid: string, options: AuditFilter & { afterId?: string; beforeId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
      const backwards = options.beforeId !== undefined;
      const q = filtered(db(AUDIT_LOG).where({ org_sid: orgSid }), options).orderBy('id', backwards ? 'desc' : 'asc').limit(options.limit ?? 100);
      if (options.afterId) q.where('id', '>', options.afterId);
      if (options.beforeId) q.where('id', '<', options.beforeId);
      const rows = await q;
      if (backwards) rows.reverse();
      return rows.map(mapEntry);
    },
    /**
     * The newest `limit` entries written by any of `actors` (say, an organization's SCIM tokens),
     * newest first: one short read per actor on audit_log_org_actor, merged.
     */
    async newestBy(orgSid: string, actors: readonly string[], limit: number): Promise<AuditEntry[]> {
      const lists = await Promise.all(actors.map((actor) => db(AUDIT_LOG).where({ org_sid: orgSid, actor }).orderBy('id', 'desc').limit(limit)));
      const byIdDesc = (a: AuditEntry, b: AuditEntry) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0);
      return lists.flat().map(mapEntry).sort(byIdDesc).slice(0, limit);
    },
    /**
     * The oldest entry of `action` by any of `actors` (what a SCIM token created through a setup link
     * received first); an index range read per actor (audit_log_org_actor).
     */
    async firstOf(orgSid: string, actors: readonly string[], action: string): Promise<AuditEntry | undefined> {
      if (actors.length === 0) return undefined;
      const r = await db(AUDIT_LOG).where({ org_sid: orgSid, action }).whereIn('actor', actors).orderBy('id', 'asc').first();
      return r && {
        id: String(r.id), orgSid: r.org_sid, actor: r.actor, action: r.action, target: r.target,
        before: r.before, after: r.after, requestId: r.request_id, createdAt: r.created_at,
      };
    },
    /** The id of the newest entry now (the CSV export stops there, so it ends while others write). */
    async lastId(orgSid: string): Promise<string | null> {
      const row = await db(AUDIT_LOG).where({ org_sid: orgSid }).max('id as id').first();
      return row?.id == null ? null : String(row.id);
    },
    /**
     * L1 export: one keyset batch after `afterId` up to `throughId`, oldest first, as one CSV text.
     * The database formats and joins the lines, so the driver parses one row per batch, not one
     * per entry; undefined when no entry is left.
     */
    async exportBatch(orgSid: string, filter: AuditFilter, afterId: string, throughId: string, limit: number): Promise<AuditExportBatch | undefined> {
      const inner = filtered(db(AUDIT_LOG).where({ org_sid: orgSid }), filter)
        .andWhere('id', '>', afterId).andWhere('id', '<=', throughId).orderBy('id', 'asc').limit(limit)
        .select('id', db.raw(`${AUDIT_CSV_LINE} AS line`));
      const row = await db.from(inner.as('batch'))
        .first(db.raw('max(id)::text AS last_id'), db.raw('count(*)::int AS count'), db.raw(`string_agg(line, '' ORDER BY id) AS csv`));
      return row && row.count > 0 ? { lastId: row.last_id, count: row.count, csv: row.csv } : undefined;
    },
    async moveOrg(fromOrg: string, toOrg: string): Promise<void> {
      // The Candidate's history stays readable in the Prime after a merge (M3).
      await db(AUDIT_LOG).where({ org_sid: fromOrg }).update({ org_sid: toOrg });
    },
  };
}

/** Applies an {@link AuditFilter}; each condition has an index (org_sid, …, id) in the migrations. */
const mapEntry = (r: Record<string, any>): AuditEntry => ({
  id: String(r.id), orgSid: r.org_sid, actor: r.actor, action: r.action, target: r.target,
  before: r.before, after: r.after, requestId: r.request_id, createdAt: r.created_at,
});

function filtered(q: Knex.QueryBuilder, f: AuditFilter): Knex.QueryBuilder {
  if (f.actor !== undefined) q.where({ actor: f.actor });
  if (f.action !== undefined) q.where({ action: f.action });
  if (f.target !== undefined) q.where({ target: f.target });
  if (f.since !== undefined) q.where('created_at', '>=', f.since);
  if (f.until !== undefined) q.where('created_at', '<', f.until);
  return q;
}
