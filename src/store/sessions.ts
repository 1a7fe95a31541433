import type { Knex } from 'knex';
import type { Role, UserStatus } from '../types.js';
import { SIGN_IN_CHALLENGES } from './sso-sign-in.js';
import { endOidcPasswordSessions, endOidcSessionsSql, type EndedGrant } from './oidc-session-ends.js';
import { rawQuery } from './scim-sql.js';

export const SESSIONS = 'sessions';
export type SessionMethod = 'password' | 'saml' | 'oidc';

/** A live session together with what deciding its validity and answering /api/v1/me needs. */
export interface SessionWithUser {
  readonly userSid: string;
  readonly method: SessionMethod;
  readonly connectionId: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
  readonly email: string;
  readonly status: UserStatus;
  readonly passwordChangedAt: Date | null;
  readonly orgSid: string | null;
  readonly role: Role | null;
}

/** A live session as an administrator sees it: how and when, never its secret. */
export interface LiveSession {
  readonly method: SessionMethod;
  readonly connectionId: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

/** What ending one person's sessions ended: Orgward sessions, and the product apps that lost their grant (issue 13). */
export interface EndedSessions {
  readonly userSid: string;
  readonly sessions: number;
  readonly apps: number;
}

/** Per person: sessions ended (`user_sid` of each row) and distinct apps whose grants ended. */
function tally(sessionUsers: readonly string[], grants: readonly EndedGrant[]): EndedSessions[] {
  const byUser = new Map<string, { sessions: number; apps: Set<string> }>();
  const of = (userSid: string) => byUser.get(userSid) ?? byUser.set(userSid, { sessions: 0, apps: new Set() }).get(userSid)!;
  for (const userSid of sessionUsers) of(userSid).sessions += 1;
  for (const g of grants) of(g.userSid).apps.add(g.clientId);
  return [...byUser].sort(([a], [b]) => a.localeCompare(b)).map(([userSid, t]) => ({ userSid, sessions: t.sessions, apps: t.apps.size }));
}

/**
 * The parts of a statement (CTEs, named `ended_…`) that end every live session of the people in
 * CTE `ending` (columns user_sid, reason, at): their pending second-factor steps, which would
 * otherwise still lead to a new session, the product's apps' sessions and tokens
 * (oidc-session-ends.ts), and their sessions; `ended_sessions` returns one row per session ended.
 * The one definition of ending someone's sessions, for revokeAllOfUser and for a statement that
 * ends them as part of a larger change (a SCIM suspension, scim-user-update.ts).
 */
export function endSessionsSql(ending: string): string {
  return `ended_challenges AS (DELETE FROM ${SIGN_IN_CHALLENGES} c USING ${ending} e WHERE c.user_sid = e.user_sid),
    ${endOidcSessionsSql(ending)},
    ended_sessions AS (UPDATE ${SESSIONS} s SET revoked_at = e.at, revoked_reason = e.reason FROM ${ending} e
      WHERE s.user_sid = e.user_sid AND s.revoked_at IS NULL RETURNING s.user_sid)`;
}

const REVOKE_ALL_OF_USER = `WITH ending AS (SELECT CAST(? AS text) AS user_sid, CAST(? AS text) AS reason, CAST(? AS timestamptz) AS at),
  ${endSessionsSql('ending')}
  SELECT (SELECT count(*) FROM ended_sessions) AS sessions,
    (SELECT count(DISTINCT client_id) FROM ended_oidc_payloads WHERE user_sid IS NOT NULL) AS apps`;

/**
 * Sessions live in the database so every instance sees the same ones; only the id's digest is stored.
 * A live session is read together with its user and membership in one query.
 */
export function sessionStore(db: Knex | Knex.Transaction) {
  return {
    /** The issuing time comes from the service clock, so "issued before password_changed_at" (U3) compares one clock. */
    async insert(s: { idHash: string; userSid: string; method: SessionMethod; connectionId: string | null; now: Date; expiresAt: Date }): Promise<void> {
      await db(SESSIONS).insert({
        id_hash: s.idHash, user_sid: s.userSid, method: s.method, connection_id: s.connectionId,
        created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt,
      });
    },
    async findLiveWithUser(idHash: string, now: Date): Promise<SessionWithUser | undefined> {
      const row = await db(`${SESSIONS} as s`).join('users as u', 'u.sid', 's.user_sid').leftJoin('memberships as m', 'm.user_sid', 'u.sid')
        .where('s.id_hash', idHash).whereNull('s.revoked_at').where('s.expires_at', '>', now)
        .first('s.user_sid', 's.method', 's.connection_id', 's.created_at', 's.expires_at', 's.last_seen_at',
          'u.email', 'u.status', 'u.password_changed_at', 'm.org_sid', 'm.role');
      return row && {
        userSid: row.user_sid, method: row.method, connectionId: row.connection_id, createdAt: row.created_at, expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at, email: row.email, status: row.status, passwordChangedAt: row.password_changed_at,
        orgSid: row.org_sid, role: row.role,
      };
    },
    /** A user's live sessions, newest first (the console lists them; never the id or its digest). */
    async listLive(userSid: string, now: Date, limit: number): Promise<LiveSession[]> {
      const rows = await db(SESSIONS).where({ user_sid: userSid }).whereNull('revoked_at').where('expires_at', '>', now)
        .orderBy('created_at', 'desc').limit(limit).select('method', 'connection_id', 'created_at', 'last_seen_at', 'expires_at');
      return rows.map((r) => ({ method: r.method, connectionId: r.connection_id, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at }));
    },
    async touch(idHash: string, now: Date): Promise<void> {
      await db(SESSIONS).where({ id_hash: idHash }).update({ last_seen_at: now });
    },
    /** Ends one session (sign-out); its user, or undefined when it had ended already. */
    async revoke(idHash: string, reason: string, now: Date): Promise<string | undefined> {
      const rows = await db(SESSIONS).where({ id_hash: idHash }).whereNull('revoked_at').update({ revoked_at: now, revoked_reason: reason }, ['user_sid']) as { user_sid: string }[];
      return rows[0]?.user_sid;
    },
    /**
     * Ends every live session of a user (U3 password reset, C3 suspension, C4 removal), and every
     * pending second-factor step, which would otherwise still lead to a new session.
     */
    async revokeAllOfUser(userSid: string, reason: string, now: Date): Promise<EndedSessions> {
      // The product's apps lose this person's sessions and tokens too, and are told (issue 13).
      const { rows } = await rawQuery(db)(REVOKE_ALL_OF_USER, [userSid, reason, now]);
      const { sessions, apps } = rows[0] as { sessions: string | number; apps: string | number };
      return { userSid, sessions: Number(sessions), apps: Number(apps) };
    },
    /**
     * S7: ends every live password session of users whose email is on the domain (SSO sessions
     * stay), and their pending second-factor steps (which only password sign-ins have). One entry
     * per person of whom something ended.
     */
    async revokeForDomain(domain: string, reason: string, now: Date): Promise<EndedSessions[]> {
      const onDomain = () => usersOnDomain(db, domain);
      await db(SIGN_IN_CHALLENGES).whereIn('user_sid', onDomain()).delete();
      const grants = await endOidcPasswordSessions(db, onDomain(), reason);
      const ended = await db(SESSIONS).whereNull('revoked_at').where('method', 'password').whereIn('user_sid', onDomain())
        .update({ revoked_at: now, revoked_reason: reason }, ['user_sid']) as { user_sid: string }[];
      return tally(ended.map((r) => r.user_sid), grants);
    },
    /** S7: how many live password sessions {@link revokeForDomain} would end now (the warning before enforcing). */
    async countLivePasswordForDomain(domain: string, now: Date): Promise<number> {
      const row = await db(SESSIONS).whereNull('revoked_at').where('method', 'password').where('expires_at', '>', now)
        .whereIn('user_sid', usersOnDomain(db, domain)).count<{ count: string | number }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
  };
}

/** The users whose email address is on exactly this domain (not its subdomains). */
const usersOnDomain = (db: Knex | Knex.Transaction, domain: string) =>
  db('users').select('sid').whereRaw(`lower(split_part(email, '@', 2)) = lower(?)`, [domain]);
