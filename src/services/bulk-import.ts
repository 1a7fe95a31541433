/**
 * Bulk user import from a CSV file (B1, B2): every row is checked like an invitation (D6, D7, U1
 * through planBulkImport and the enrollment rule), bad rows are reported by line and reason, good
 * rows are applied, and running the same file again changes nothing. Existing members keep their
 * role unless the import is asked to update roles. A pending invitation of someone the import
 * adds is used up (marked accepted): the person is in, the link has nothing left to do.
 *
 * The whole file is planned once from a snapshot, then applied in chunks of a few hundred rows,
 * each in one transaction that decides its rows again with the same rule on fresh data read
 * under locks (the people's rows FOR UPDATE, the organization's verified domains FOR SHARE) and
 * writes them with one statement per kind of row (store/bulk-import.ts). A chunk that a
 * concurrent change breaks (a unique index refuses a person created or enrolled meanwhile) is
 * redone once on fresh data, then row by row, so each row still gets its own outcome. Chunks
 * commit as they go: an interrupted import keeps what it applied and can simply be run again.
 * The outbox holds the welcome mail from each chunk's commit on; delivery starts when the import
 * ends (or is stopped).
 */
import { DomainError } from '../errors.js';
import { planBulkImport, type BulkImportApply, type BulkImportPlan, type BulkImportRow, type BulkImportSkip } from '../rules/bulk-import.js';
import { normaliseEmail } from '../rules/domains.js';
import type { AssignableRole } from '../rules/types.js';
import type { Repos } from '../store/index.js';
import type { Actor } from '../types.js';
import { orgSnapshot } from './account-support.js';
import { createChunkWriter, type RowOutcome } from './bulk-import-chunk.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import { readCsvLines } from './csv.js';
import { domainSnapshot } from './enrollment.js';
import type { ServiceDeps } from './index.js';

/** Rows decided and written per transaction. */
export const BULK_IMPORT_CHUNK = 500;

export interface BulkImportOptions {
  /** Called as rows are processed: `done` of `total` data rows. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Change the role of existing members whose row names another role; without it they are reported unchanged. */
  readonly updateRoles?: boolean;
  /** Stops the import between chunks: what was applied stays applied, and the result says `interrupted`. */
  readonly signal?: AbortSignal;
  /** Rows per transaction (default {@link BULK_IMPORT_CHUNK}). */
  readonly chunkSize?: number;
}

export interface BulkImportResult {
  readonly applied: { line: number; email: string; userSid: string; role: AssignableRole; action: 'added' | 'role_changed'; invitationId?: string }[];
  readonly skipped: { line: number; email: string; reason: BulkImportSkip['reason']; role?: string; requestedRole?: AssignableRole }[];
  readonly errors: { line: number; email: string; code: string; message: string }[];
  /** True when the import was stopped (signal) before every row was processed. */
  readonly interrupted: boolean;
  /** Rows left unprocessed by the interruption (0 otherwise): run the same file again to finish. */
  readonly remaining: number;
}

/** Refusals that concern the import as a whole (the organization, the actor, B1), not one row. */
const ABORTS: ReadonlySet<string> = new Set(['not_found', 'forbidden', 'unauthenticated', 'user_suspended', 'bulk_import_disabled']);

/** createBulkImportService: bulk import over one Store. */
export function createBulkImportService(deps: ServiceDeps) {
  const { store } = deps;
  const applyChunk = createChunkWriter(deps);

  /** A row refusal (conflict, invalid value) is that row's outcome; an outage or a refusal of the whole import stops it. */
  function rowRefusal(error: unknown): DomainError | undefined {
    if (!(error instanceof DomainError) || error.kind === 'unavailable' || ABORTS.has(error.code)) return undefined;
    return error;
  }

  /** A chunk, redone once on fresh data when a concurrent change broke it, then row by row. */
  async function applyWithRetry(actor: Actor, orgSid: string, rows: readonly BulkImportApply[], updateRoles: boolean): Promise<RowOutcome[]> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        return await applyChunk(actor, orgSid, rows, updateRoles);
      } catch (error) {
        if (!rowRefusal(error)) throw error;
        if (rows.length === 1 && attempt === 1) {
          const refusal = rowRefusal(error)!;
          return [{ kind: 'error', line: rows[0]!.line, email: rows[0]!.email, code: refusal.code, message: refusal.message }];
        }
      }
    }
    const outcomes: RowOutcome[] = [];
    for (const row of rows) outcomes.push(...await applyWithRetry(actor, orgSid, [row], updateRoles));
    return outcomes;
  }

  return {
    /**
     * B1, B2: imports users from CSV text (header `email,role[,name]` separated by `,` `;` or tab;
     * role admin or standard, empty for standard). Returns what was applied, skipped (already
     * members: with that role, or with another role when `updateRoles` is not set) and refused,
     * each with the 1-based line of the file; a line that is not readable CSV is refused alone.
     */
    async importUsers(actor: Actor, orgSid: string, csvText: string, options: BulkImportOptions = {}): Promise<BulkImportResult> {
      const updateRoles = options.updateRoles === true;
      const auth = await authorize(store.read, actor, orgSid, 'bulk_import');
      let rows: BulkImportRow[] = [];
      let unreadable: BulkImportResult['errors'] = [];
      let parseError: unknown;
      try {
        const parsed = readCsvLines(csvText, { required: ['email'], optional: ['role', 'name'] });
        rows = parsed.records.map((r) => ({ line: r.line, email: r.values.email ?? '', role: r.values.role, name: r.values.name }));
        unreadable = parsed.errors.map((e) => ({ line: e.line, email: e.first, code: 'invalid_input', message: e.message }));
      } catch (error) {
        parseError = error;
      }
      const domains = await store.read.domains.listByOrg(orgSid);
      const normalised = rows.map((r) => normaliseEmail(r.email)).flatMap((n) => (n.ok ? [n.email] : []));
      const members = normalised.length > 0 ? await store.read.users.listByEmails(normalised) : [];
      const plan: BulkImportPlan = planBulkImport(rows, { org: orgSnapshot(auth.org), orgDomains: domains.map(domainSnapshot), members: members.map(snapshotOf), updateRoles });
      // B1 first: a disabled import says so whatever the file holds.
      if (plan.kind === 'reject' && plan.code === 'bulk_import_disabled') return fail(plan);
      if (parseError) throw parseError;
      // A file whose every line is unreadable is reported line by line, not as "no rows".
      const nothingReadable = plan.kind === 'reject' && rows.length === 0 && unreadable.length > 0;
      if (plan.kind === 'reject' && !nothingReadable) return fail(plan);
      const planned = plan.kind === 'plan' ? plan : { apply: [], skip: [], errors: [] };

      const applied: BulkImportResult['applied'] = [];
      const skipped: BulkImportResult['skipped'] = planned.skip.map((s) => ({ ...s }));
      const errors: BulkImportResult['errors'] = [...unreadable, ...planned.errors.map((e) => ({ ...e }))];
      const total = rows.length + unreadable.length;
      let done = skipped.length + errors.length;
      options.onProgress?.(done, total);
      const size = Math.max(1, options.chunkSize ?? BULK_IMPORT_CHUNK);
      let next = 0;
      try {
        while (next < planned.apply.length && options.signal?.aborted !== true) {
          const chunk = planned.apply.slice(next, next + size);
          for (const outcome of await applyWithRetry(actor, orgSid, chunk, updateRoles)) {
            const { kind, ...rest } = outcome;
            if (kind === 'applied') applied.push(rest as BulkImportResult['applied'][number]);
            else if (kind === 'skipped') skipped.push(rest as BulkImportResult['skipped'][number]);
            else errors.push(rest as BulkImportResult['errors'][number]);
          }
          next += chunk.length;
          done += chunk.length;
          options.onProgress?.(done, total);
          // The embedded PGlite answers without returning to the event loop: yield once per chunk
          // so that a signal (Ctrl-C sets options.signal) and the progress bar's timer get their turn.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        // The welcome mail leaves once the chunks are written (or the import stopped), not between
        // them: delivery (a statement per message) would otherwise compete with the import.
        if (applied.some((a) => a.action === 'added')) void deps.mailer.flush();
      }
      const remaining = planned.apply.length - next;
      const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
      applied.sort(byLine);
      skipped.sort(byLine);
      errors.sort(byLine);
      if (applied.length > 0) {
        await store.transaction((repos: Repos) => audit(repos, actor, {
          orgSid, action: 'users.bulk_imported',
          after: { applied: applied.length, skipped: skipped.length, errors: errors.length, ...(remaining > 0 && { interrupted: true, remaining }) },
        }));
      }
      return { applied, skipped, errors, interrupted: remaining > 0, remaining };
    },
  };
}

export type BulkImportService = ReturnType<typeof createBulkImportService>;
