/**
 * Bulk user import from a CSV file (B1, B2): every row is checked like an invitation (D6, D7, U1
 * through planBulkImport and the enrollment rule), bad rows are reported by line and reason, good
 * rows are applied, and running the same file again changes nothing.
 *
 * Each good row is applied in its own transaction, re-decided there on fresh data with the
 * person's row locked: one bad or raced row (someone joined another organization meanwhile)
 * is reported and does not undo the others, and an interrupted import can simply be run again.
 */
import { DomainError } from '../errors.js';
import { planBulkImport, type BulkImportApply, type BulkImportPlan, type BulkImportRow } from '../rules/bulk-import.js';
import { normaliseEmail } from '../rules/domains.js';
import type { Repos } from '../store/index.js';
import type { Actor, Domain, Organization } from '../types.js';
import { orgSnapshot } from './account-support.js';
import { audit, authorize, fail, snapshotOf } from './context.js';
import { readCsv } from './csv.js';
import { domainSnapshot, enroll } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { queueMail } from './mail-queue.js';
import { issueResetLink } from './reset-links.js';

export interface BulkImportOptions {
  /** Called as rows are processed: `done` of `total` data rows. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface BulkImportResult {
  readonly applied: { line: number; email: string; userSid: string; role: 'admin' | 'standard'; action: 'added' | 'role_changed' }[];
  readonly skipped: { line: number; email: string; reason: string }[];
  readonly errors: { line: number; email: string; code: string; message: string }[];
}

/** Refusals that concern the import as a whole (the organization, the actor, B1), not one row. */
const ABORTS: ReadonlySet<string> = new Set(['not_found', 'forbidden', 'unauthenticated', 'user_suspended', 'bulk_import_disabled']);

type RowOutcome =
  | { kind: 'applied'; userSid: string; action: 'added' | 'role_changed' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; code: string; message: string };

/** createBulkImportService: bulk import over one Store. */
export function createBulkImportService(deps: ServiceDeps) {
  const { store, clock, baseUrl } = deps;

  /** One row, in its own transaction: decided again on fresh data, then applied and audited. */
  async function applyRow(actor: Actor, orgSid: string, domains: readonly Domain[], row: BulkImportApply): Promise<RowOutcome> {
    return store.transaction(async (repos, afterCommit) => {
      const { org } = await authorize(repos, actor, orgSid, 'bulk_import');
      const existing = await repos.users.lockByEmail(row.email);
      const again = planBulkImport([{ line: row.line, email: row.email, role: row.role, name: row.name ?? undefined }], {
        org: orgSnapshot(org), orgDomains: domains.map(domainSnapshot), members: existing ? [snapshotOf(existing)] : [],
      });
      if (again.kind === 'reject') return fail(again);
      const [error] = again.errors;
      if (error) return { kind: 'error', code: error.code, message: error.message };
      const [skip] = again.skip;
      if (skip) return { kind: 'skipped', reason: skip.reason };
      const apply = again.apply[0]!;
      if (apply.action === 'change_role') {
        await repos.users.setRole(apply.userSid!, orgSid, apply.role);
        await audit(repos, actor, { orgSid, action: 'user.role_changed', target: apply.userSid, before: { role: existing?.role }, after: { role: apply.role, path: 'import' } });
        return { kind: 'applied', userSid: apply.userSid!, action: 'role_changed' };
      }
      const now = clock.now();
      const joined = await enroll(repos, actor, { path: 'import', email: apply.email, targetOrgSid: orgSid, role: apply.role, profile: { displayName: apply.name }, now });
      if (joined.outcome !== 'joined') return { kind: 'skipped', reason: 'already_member' };
      // Someone who exists without a password (e.g. created for an account they own) needs the link as much as a new user.
      const needsPassword = joined.newUser || !(await repos.users.credentials(joined.member.sid))?.password_hash;
      await welcome(repos, afterCommit, org, joined.member.sid, joined.member.email, needsPassword, now);
      return { kind: 'applied', userSid: joined.member.sid, action: 'added' };
    });
  }

  /** The welcome mail; whoever has no password yet gets a single-use link to set one (U3's 24-hour link). */
  async function welcome(repos: Repos, afterCommit: (fn: () => void) => void, org: Organization, userSid: string, email: string, needsPassword: boolean, now: Date): Promise<void> {
    const lines = [`You have been added to ${org.name} on Orgward.`];
    if (needsPassword) {
      const reset = await issueResetLink(repos, baseUrl, userSid, org.sid, now);
      lines.push('', `Set your password here (the link works once, until ${reset.expiresAt.toISOString()}):`, reset.url);
    } else {
      lines.push('', 'Sign in with your existing password.');
    }
    await queueMail(repos, afterCommit, deps, { to: email, subject: `Welcome to ${org.name}`, body: lines.join('\n') });
  }

  return {
    /**
     * B1, B2: imports users from CSV text (header `email,role[,name]`; role admin or standard,
     * empty for standard). Returns what was applied, skipped (already members with that role)
     * and refused, each with the 1-based line of the file.
     */
    async importUsers(actor: Actor, orgSid: string, csvText: string, options: BulkImportOptions = {}): Promise<BulkImportResult> {
      const auth = await authorize(store.read, actor, orgSid, 'bulk_import');
      let rows: BulkImportRow[] = [];
      let parseError: unknown;
      try {
        rows = readCsv(csvText, { required: ['email'], optional: ['role', 'name'] })
          .map((r) => ({ line: r.line, email: r.values.email ?? '', role: r.values.role, name: r.values.name }));
      } catch (error) {
        parseError = error;
      }
      const domains = await store.read.domains.listByOrg(orgSid);
      const normalised = rows.map((r) => normaliseEmail(r.email)).flatMap((n) => (n.ok ? [n.email] : []));
      const members = normalised.length > 0 ? await store.read.users.listByEmails(normalised) : [];
      const plan: BulkImportPlan = planBulkImport(rows, { org: orgSnapshot(auth.org), orgDomains: domains.map(domainSnapshot), members: members.map(snapshotOf) });
      // B1 first: a disabled import says so whatever the file holds.
      if (plan.kind === 'reject' && plan.code === 'bulk_import_disabled') return fail(plan);
      if (parseError) throw parseError;
      if (plan.kind === 'reject') return fail(plan);

      const result: BulkImportResult = {
        applied: [],
        skipped: plan.skip.map((s) => ({ ...s })),
        errors: plan.errors.map((e) => ({ ...e })),
      };
      const total = rows.length;
      let done = result.skipped.length + result.errors.length;
      options.onProgress?.(done, total);
      for (const row of plan.apply) {
        let outcome: RowOutcome;
        try {
          outcome = await applyRow(actor, orgSid, domains, row);
        } catch (error) {
          // An outage, a lost permission or an unexpected fault stops the import; a refusal is this row's reason.
          if (!(error instanceof DomainError) || error.kind === 'unavailable' || ABORTS.has(error.code)) throw error;
          outcome = { kind: 'error', code: error.code, message: error.message };
        }
        if (outcome.kind === 'applied') result.applied.push({ line: row.line, email: row.email, userSid: outcome.userSid, role: row.role, action: outcome.action });
        else if (outcome.kind === 'skipped') result.skipped.push({ line: row.line, email: row.email, reason: outcome.reason });
        else result.errors.push({ line: row.line, email: row.email, code: outcome.code, message: outcome.message });
        options.onProgress?.(++done, total);
      }
      result.skipped.sort((a, b) => a.line - b.line);
      result.errors.sort((a, b) => a.line - b.line);
      if (result.applied.length > 0) {
        await store.transaction((repos) => audit(repos, actor, {
          orgSid, action: 'users.bulk_imported',
          after: { applied: result.applied.length, skipped: result.skipped.length, errors: result.errors.length },
        }));
      }
      return result;
    },
  };
}

export type BulkImportService = ReturnType<typeof createBulkImportService>;
