/**
 * Set-based reads and writes for the bulk user import (B2): one statement per kind of row for a
 * whole chunk of the file, instead of a dozen statements per person. Each statement takes arrays
 * (`unnest`), so its text and number of bindings do not depend on the chunk's size.
 *
 * The service decides every row with the rules first; these statements only persist decisions.
 * What guards them under concurrency: the people's user rows are locked (FOR UPDATE), the
 * organization's verified domains are read FOR SHARE (a policy change or removal waits for the
 * chunk's commit), and the unique indexes on lower(email) and memberships (U1) refuse a person
 * created or enrolled by another path meanwhile: the chunk then fails as a whole and is redone.
 */
import type { Knex } from 'knex';
import type { DomainPolicy, Member, Role } from '../types.js';
import { AUDIT_LOG, type NewAuditEntry } from './audit-log.js';
import { INVITATIONS } from './invitations.js';
import { MAIL_OUTBOX } from './mail-outbox.js';
import { ONE_TIME_TOKENS } from './one-time-tokens.js';
import { MEMBERSHIPS, USERS, mapUserRow, type UserRow } from './users.js';
import { DOMAINS } from './domains.js';

/** An existing person of the chunk, locked, with whether they can already sign in with a password. */
export interface LockedPerson {
  readonly member: Member;
  readonly hasPassword: boolean;
}

/** A domain the organization has verified, as the enrollment rule needs it. */
export interface VerifiedOrgDomain {
  readonly name: string;
  readonly orgSid: string;
  readonly policy: DomainPolicy;
  readonly ssoEnforced: boolean;
}

/** A pending invitation the import used up. */
export interface ConsumedInvitation {
  readonly id: string;
  readonly email: string;
  readonly role: 'admin' | 'standard';
}

export function bulkImportStore(db: Knex | Knex.Transaction) {
  const raw = async (sql: string, bindings: readonly unknown[]): Promise<any[]> =>
    ((await db.raw(sql, bindings as Knex.RawBinding[])) as { rows: any[] }).rows;
  return {
    /** U1: locks the users with these (lower-cased) emails, in email order so that concurrent imports cannot deadlock. */
    async lockPeople(emails: readonly string[]): Promise<LockedPerson[]> {
      if (emails.length === 0) return [];
      const rows = await raw(`SELECT u.*, m.org_sid, m.role, (u.password_hash IS NOT NULL) AS has_password
        FROM ${USERS} u LEFT JOIN ${MEMBERSHIPS} m ON m.user_sid = u.sid
        WHERE lower(u.email) = ANY(CAST(? AS text[])) ORDER BY lower(u.email) FOR UPDATE OF u`, [emails.map((e) => e.toLowerCase())]);
      return rows.map((r: UserRow & { org_sid: string | null; role: Role | null; has_password: boolean }) => ({
        member: { ...mapUserRow(r), orgSid: r.org_sid, role: r.role },
        hasPassword: r.has_password,
      }));
    },

    /** D6, D7: the organization's verified domains, FOR SHARE: a policy change or removal waits for this transaction. */
    async shareVerifiedDomains(orgSid: string): Promise<VerifiedOrgDomain[]> {
      const rows = await raw(`SELECT name, org_sid, policy, sso_enforced FROM ${DOMAINS}
        WHERE org_sid = ? AND verified_at IS NOT NULL ORDER BY name FOR SHARE`, [orgSid]);
      return rows.map((r: { name: string; org_sid: string; policy: DomainPolicy; sso_enforced: boolean }) => ({
        name: r.name, orgSid: r.org_sid, policy: r.policy, ssoEnforced: r.sso_enforced,
      }));
    },

    async insertUsers(users: readonly { sid: string; email: string; displayName: string | null }[]): Promise<void> {
      if (users.length === 0) return;
      await raw(`INSERT INTO ${USERS} (sid, email, display_name)
        SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))`,
      [users.map((u) => u.sid), users.map((u) => u.email), users.map((u) => u.displayName)]);
    },

    /** U1: the primary key of memberships refuses anyone who joined an organization meanwhile. */
    async join(orgSid: string, members: readonly { userSid: string; role: Role }[]): Promise<void> {
      if (members.length === 0) return;
      await raw(`INSERT INTO ${MEMBERSHIPS} (user_sid, org_sid, role)
        SELECT s, ?, r FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS x(s, r)`,
      [orgSid, members.map((m) => m.userSid), members.map((m) => m.role)]);
    },

    async setRoles(orgSid: string, members: readonly { userSid: string; role: Role }[]): Promise<void> {
      if (members.length === 0) return;
      await raw(`UPDATE ${MEMBERSHIPS} m SET role = x.r, updated_at = now()
        FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS x(s, r) WHERE m.user_sid = x.s AND m.org_sid = ?`,
      [members.map((m) => m.userSid), members.map((m) => m.role), orgSid]);
    },

    /** Marks the pending, unexpired invitations of these emails into the organization accepted. */
    async consumeInvitations(orgSid: string, emails: readonly string[], now: Date): Promise<ConsumedInvitation[]> {
      if (emails.length === 0) return [];
      const rows = await raw(`UPDATE ${INVITATIONS} SET accepted_at = ?
        WHERE org_sid = ? AND lower(email) = ANY(CAST(? AS text[])) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
        RETURNING id, email, role`, [now, orgSid, emails.map((e) => e.toLowerCase()), now]);
      return rows.map((r: ConsumedInvitation) => ({ id: r.id, email: r.email, role: r.role }));
    },

    /**
     * U3's reset links for many users; earlier unused links of `existing` users (new users have
     * none) stop working.
     */
    async issueResetTokens(tokens: readonly { tokenHash: string; subject: string; orgSid: string; expiresAt: Date }[], existing: readonly string[], now: Date): Promise<void> {
      if (existing.length > 0) {
        await raw(`UPDATE ${ONE_TIME_TOKENS} SET used_at = ? WHERE purpose = 'password_reset' AND subject = ANY(CAST(? AS text[])) AND used_at IS NULL`,
          [now, existing]);
      }
      if (tokens.length === 0) return;
      await raw(`INSERT INTO ${ONE_TIME_TOKENS} (token_hash, purpose, subject, org_sid, expires_at)
        SELECT h, 'password_reset', s, o, e FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[])) AS x(h, s, o, e)`,
      [tokens.map((t) => t.tokenHash), tokens.map((t) => t.subject), tokens.map((t) => t.orgSid), tokens.map((t) => t.expiresAt.toISOString())]);
    },

    async enqueueMails(messages: readonly { recipient: string; subject: string; bodyText: string }[]): Promise<void> {
      if (messages.length === 0) return;
      await raw(`INSERT INTO ${MAIL_OUTBOX} (recipient, subject, body_text)
        SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))`,
      [messages.map((m) => m.recipient), messages.map((m) => m.subject), messages.map((m) => m.bodyText)]);
    },

    /** L1 entries in their order (ids follow the array). */
    async appendAudit(entries: readonly NewAuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
      await raw(`INSERT INTO ${AUDIT_LOG} (org_sid, actor, action, target, before, after, request_id)
        SELECT o, a, x, t, CAST(b AS jsonb), CAST(f AS jsonb), r
        FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
          WITH ORDINALITY AS q(o, a, x, t, b, f, r, n) ORDER BY n`,
      [entries.map((e) => e.orgSid), entries.map((e) => e.actor), entries.map((e) => e.action), entries.map((e) => e.target),
        entries.map((e) => json(e.before)), entries.map((e) => json(e.after)), entries.map((e) => e.requestId ?? null)]);
    },
  };
}
