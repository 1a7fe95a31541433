import type { Knex } from 'knex';
import type { AuditEntry } from '../types.js';

export const AUDIT_LOG = 'audit_log';

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
    async list(orgSid: string, options: { afterId?: string; limit?: number; action?: string } = {}): Promise<AuditEntry[]> {
      const q = db(AUDIT_LOG).where({ org_sid: orgSid }).orderBy('id', 'asc').limit(options.limit ?? 100);
      if (options.afterId) q.where('id', '>', options.afterId);
      if (options.action) q.where({ action: options.action });
      const rows = await q;
      return rows.map((r) => ({
        id: String(r.id), orgSid: r.org_sid, actor: r.actor, action: r.action, target: r.target,
        before: r.before, after: r.after, requestId: r.request_id, createdAt: r.created_at,
      }));
    },
    async moveOrg(fromOrg: string, toOrg: string): Promise<void> {
      // The Candidate's history stays readable in the Prime after a merge (M3).
      await db(AUDIT_LOG).where({ org_sid: fromOrg }).update({ org_sid: toOrg });
    },
  };
}
