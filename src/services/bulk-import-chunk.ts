/**
 * One chunk of a bulk user import (B2) in one transaction: its rows decided again with the same
 * rule (planBulkImport → decideEnrollment: D6, D7, U1, O2) on fresh data read under lock (the
 * people's rows FOR UPDATE, the organization's verified domains FOR SHARE), then written with one
 * statement per kind of row (store/bulk-import.ts): new users, memberships, role changes, used-up
 * invitations, reset links, welcome mail in the outbox, and an audit entry per change (L1).
 */
import { newSid } from '../ids.js';
import { redactSecrets } from '../rules/audit.js';
import { planBulkImport, type BulkImportApply, type BulkImportSkip } from '../rules/bulk-import.js';
import { planPasswordReset } from '../rules/passwords.js';
import type { AssignableRole } from '../rules/types.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { NewAuditEntry } from '../store/audit-log.js';
import { actorLabel, type Actor, type Organization } from '../types.js';
import { orgSnapshot } from './account-support.js';
import { authorize, fail, snapshotOf } from './context.js';
import type { ServiceDeps } from './index.js';
import { link } from './mail-queue.js';

/** What became of one row. */
export type RowOutcome =
  | { kind: 'applied'; line: number; email: string; userSid: string; role: AssignableRole; action: 'added' | 'role_changed'; invitationId?: string }
  | { kind: 'skipped'; line: number; email: string; reason: BulkImportSkip['reason']; role?: string; requestedRole?: AssignableRole }
  | { kind: 'error'; line: number; email: string; code: string; message: string };

/** createChunkWriter: applies chunks of planned rows; each call is one transaction. */
export function createChunkWriter(deps: Pick<ServiceDeps, 'store' | 'clock' | 'baseUrl'>) {
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

  return applyChunk;
}
