/**
 * Reading the audit log (L1). Entries are written by every change in its own transaction
 * (context.audit); reading them is not itself logged.
 */
import { DomainError } from '../errors.js';
import type { AuditExportBatch, AuditFilter } from '../store/audit-log.js';
import type { Actor, AuditEntry } from '../types.js';
import { authorize } from './context.js';
import type { ServiceDeps } from './index.js';

/** Entries one CSV export batch reads (keyset): bounded memory whatever the log's size. */
export const AUDIT_EXPORT_BATCH = 2500;

/** Most entries one page returns. */
export const MAX_AUDIT_PAGE = 500;

/** One page of audit entries. */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Pass as `afterId` for the next page; null when this page was the last. */
  readonly nextAfterId: string | null;
  /** Pass as `beforeId` for the page before this one; null when this page was the first. */
  readonly previousBeforeId: string | null;
}

const ENTRY_ID = /^[0-9]{1,18}$/;

/** createAuditLogService: reading the audit log (L1). */
export function createAuditLogService(deps: ServiceDeps) {
  const { store } = deps;

  return {
    /**
     * The organization's audit log, oldest first, paged by id (view_audit permission, O3): the
     * page after `afterId`, or the `limit` entries before `beforeId` (the previous page).
     */
    async list(actor: Actor, orgSid: string, options: AuditFilter & { afterId?: string; beforeId?: string; limit?: number } = {}): Promise<AuditPage> {
      await authorize(store.read, actor, orgSid, 'view_audit');
      const limit = options.limit === undefined ? 100 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
        throw new DomainError('invalid_input', `The page size must be a whole number from 1 to ${MAX_AUDIT_PAGE}.`);
      }
      const afterId = options.afterId === undefined ? undefined : String(options.afterId);
      const beforeId = options.beforeId === undefined ? undefined : String(options.beforeId);
      if ((afterId !== undefined && !ENTRY_ID.test(afterId)) || (beforeId !== undefined && !ENTRY_ID.test(beforeId))) {
        throw new DomainError('invalid_input', 'afterId and beforeId must be ids of audit entries.');
      }
      if (afterId !== undefined && beforeId !== undefined) throw new DomainError('invalid_input', 'Give afterId or beforeId, not both.');
      const filter = {
        ...(options.action !== undefined && { action: String(options.action) }),
        actor: options.actor, target: options.target, since: options.since, until: options.until,
      };
      if (beforeId !== undefined) {
        // One more than a page: whether anything is left before this page.
        const read = await store.read.audit.list(orgSid, { ...filter, limit: limit + 1, beforeId });
        const entries = read.slice(read.length - Math.min(read.length, limit));
        return {
          entries,
          nextAfterId: entries.length > 0 ? entries[entries.length - 1]!.id : null,
          previousBeforeId: read.length > limit ? entries[0]!.id : null,
        };
      }
      const entries = await store.read.audit.list(orgSid, { ...filter, limit, ...(afterId !== undefined && { afterId }) });
      return {
        entries,
        nextAfterId: entries.length === limit ? entries[entries.length - 1]!.id : null,
        // After a cursor there is always a page before: the one that ended at the cursor.
        previousBeforeId: afterId === undefined ? null : entries[0]?.id ?? (BigInt(afterId) + 1n).toString(),
      };
    },

    /**
     * L1 export: authorises now (view_audit, O3), then yields the matching entries as CSV lines,
     * oldest first, in keyset batches of {@link AUDIT_EXPORT_BATCH} up to the newest entry at the
     * start: the caller streams any size of log in constant memory, and the export ends while
     * others write.
     */
    async export(actor: Actor, orgSid: string, filter: AuditFilter = {}): Promise<AsyncGenerator<string>> {
      await authorize(store.read, actor, orgSid, 'view_audit');
      const through = await store.read.audit.lastId(orgSid);
      const read = (after: string) => store.read.audit.exportBatch(orgSid, filter, after, through ?? '0', AUDIT_EXPORT_BATCH);
      return (async function* batches() {
        if (through === null) return;
        // One batch is read ahead while the previous one is written: the database and the socket
        // work at the same time, and at most two batches are in memory.
        let next: Promise<AuditExportBatch | undefined> = read('0');
        try {
          for (;;) {
            const batch = await next;
            if (!batch) return;
            next = batch.count < AUDIT_EXPORT_BATCH ? Promise.resolve(undefined) : read(batch.lastId);
            yield batch.csv;
          }
        } finally {
          // The client went away: the batch read ahead is dropped, its failure with it.
          next.catch(() => undefined);
        }
      })();
    },
  };
}

/** The audit log service object. */
export type AuditLogService = ReturnType<typeof createAuditLogService>;
