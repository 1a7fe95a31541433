/** L1: an organization's audit-log retention (organizations.audit_retention_days; NULL: for ever). */
import type { Knex } from 'knex';

export function auditRetentionStore(db: Knex | Knex.Transaction) {
  return {
    /** The retention in days, null for ever; undefined when there is no such organization. */
    async get(orgSid: string): Promise<number | null | undefined> {
      const row = await db('organizations').where({ sid: orgSid }).first('audit_retention_days') as { audit_retention_days: number | null } | undefined;
      return row === undefined ? undefined : row.audit_retention_days;
    },
    async set(orgSid: string, days: number | null): Promise<void> {
      await db('organizations').where({ sid: orgSid }).update({ audit_retention_days: days });
    },
  };
}

export type AuditRetentionStore = ReturnType<typeof auditRetentionStore>;
