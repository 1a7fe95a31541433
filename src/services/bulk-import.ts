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
import { newSid } from '../ids.js';
import { redactSecrets } from '../rules/audit.js';
import { planBulkImport, type BulkImportApply, type BulkImportPlan, type BulkImportRow, type BulkImportSkip } from '../rules/bulk-import.js';
import { normaliseEmail } from '../rules/domains.js';
import { planPasswordReset } from '../rules/passwords.js';
import type { AssignableRole } from '../rules/types.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { NewAuditEntry } from '../store/audit-log.js';
import type { Repos } from '../store/index.js';
import { actorLabel, type Actor, type Organization } from '../types.js';
import { orgSnapshot } from './account-support.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import { readCsvLines } from './csv.js';
import { domainSnapshot } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { link } from './mail-queue.js';

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

type RowOutcome =
  | { kind: 'applied'; line: number; email: string; userSid: string; role: AssignableRole; action: 'added' | 'role_changed'; invitationId?: string }
  | { kind: 'skipped'; line: number; email: string; reason: BulkImportSkip['reason']; role?: string; requestedRole?: AssignableRole }
  | { kind: 'error'; line: number; email: string; code: string; message: string };

/** createBulkImportService: bulk import over one Store. */
export function createBulkImportService(deps: ServiceDeps) {
  const { store, clock, baseUrl } = deps;

  /** The welcome mail; whoever has no password yet gets a single-use link to set one (U3's 24-hour link). */
  function welcome(org: Organization, email: string, reset: { url: string; expiresAt: Date } | null) {
    const lines = [`You have been added to ${org.name} on Orgward.`];
    if (reset) lines.push('', `Set your password here (the link works once, until ${reset.expiresAt.toISOString()}):`, reset.url);
    else lines.push('', 'Sign in with your existing password.');
    return { recipient: email, subject: `Welcome to ${org.name}`, bodyText: lines.join('\n') };
  }

  /**
   * One chunk in one transaction: decided again under lock with the same rule, then written with
   * one statement per kind of row, every change audited (L1).
   */
  async function applyChunk(actor: Actor, orgSid: string, rows: readonly BulkImportApply[], updateRoles: boolean): Promise<RowOutcome[]> {
    return store.transaction(async (repos) => {
      const now = clock.now();
      const { org } = await authorize(repos, actor, orgSid, 'bulk_import');
      const domains = await repos.bulkImport.shareVerifiedDomains(orgSid);
      const people = await repos.bulkImport.lockPeople(rows.map((r) => r.email));
      const plan = planBulkImport(rows.map((r) => ({ line: r.line, email: r.email, role: r.role, name: r.name ?? undefined })), {
        org: orgSnapshot(org),
        orgDomains: domains.map((d) => ({ ...d, verified: true })),
        members: people.map((p) => snapshotOf(p.member)),
        updateRoles,
      });
      if (plan.kind === 'reject') return fail(plan);
      const hasPassword = new Map(people.map((p) => [p.member.sid, p.hasPassword]));
      const adds = plan.apply.filter((a) => a.action === 'add').map((a) => ({ ...a, userSid: a.userSid ?? newSid('US') }));
      const changes = plan.apply.filter((a) => a.action === 'change_role');

      await repos.bulkImport.insertUsers(adds.filter((a) => !hasPassword.has(a.userSid)).map((a) => ({ sid: a.userSid, email: a.email, displayName: a.name })));
      await repos.bulkImport.join(orgSid, adds.map((a) => ({ userSid: a.userSid, role: a.role })));
      await repos.bulkImport.setRoles(orgSid, changes.map((c) => ({ userSid: c.userSid!, role: c.role })));
      const consumed = new Map((await repos.bulkImport.consumeInvitations(orgSid, adds.map((a) => a.email), now)).map((i) => [i.email.toLowerCase(), i]));

      // Someone who exists without a password (e.g. created for an account they own) needs the link as much as a new user.
      const links = new Map<string, { url: string; expiresAt: Date }>();
      const tokens = adds.filter((a) => hasPassword.get(a.userSid) !== true).map((a) => {
        const token = newToken();
        const expiresAt = planPasswordReset(a.userSid, now).tokenExpiresAt;
        links.set(a.userSid, { url: link(baseUrl, `/password-reset/${token}`), expiresAt });
        return { tokenHash: hashToken(token), subject: a.userSid, orgSid, expiresAt };
      });
      await repos.bulkImport.issueResetTokens(tokens, tokens.map((t) => t.subject).filter((sid) => hasPassword.has(sid)), now);
      await repos.bulkImport.enqueueMails(adds.map((a) => welcome(org, a.email, links.get(a.userSid) ?? null)));

      const label = actorLabel(actor);
      const entry = (action: string, target: string, before: unknown, after: unknown): NewAuditEntry => ({
        orgSid, actor: label, action, target, before: before === null ? null : redactSecrets(before), after: redactSecrets(after), requestId: actor.requestId ?? null,
      });
      const before = new Map(people.map((p) => [p.member.sid, p.member.role]));
      const entries: NewAuditEntry[] = [];
      for (const a of adds) {
        entries.push(entry('user.joined', a.userSid, null, { email: a.email, role: a.role, path: 'import' }));
        const invitation = consumed.get(a.email);
        if (invitation) entries.push(entry('invitation.accepted', invitation.id, null, { userSid: a.userSid, email: a.email, role: a.role, invitedRole: invitation.role, path: 'import' }));
      }
      for (const c of changes) entries.push(entry('user.role_changed', c.userSid!, { role: before.get(c.userSid!) }, { role: c.role, path: 'import' }));
      await repos.bulkImport.appendAudit(entries);

      return [
        ...adds.map((a): RowOutcome => {
          const invitationId = consumed.get(a.email)?.id;
          return { kind: 'applied', line: a.line, email: a.email, userSid: a.userSid, role: a.role, action: 'added', ...(invitationId && { invitationId }) };
        }),
        ...changes.map((c): RowOutcome => ({ kind: 'applied', line: c.line, email: c.email, userSid: c.userSid!, role: c.role, action: 'role_changed' })),
        ...plan.skip.map((s): RowOutcome => ({ kind: 'skipped', ...s })),
        ...plan.errors.map((e): RowOutcome => ({ kind: 'error', ...e })),
      ];
    });
  }

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
