import type { Knex } from 'knex';
import type { Role, UserStatus } from '../types.js';
import { SIGN_IN_CHALLENGES } from './sso-sign-in.js';
import { endOidcPasswordSessions, endOidcSessionsSql } from './oidc-session-ends.js';
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
  SELECT count(*) AS revoked FROM ended_sessions`;

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
    async touch(idHash: string, now: Date): Promise<void> {
      await db(SESSIONS).where({ id_hash: idHash }).update({ last_seen_at: now });
    },
    async revoke(idHash: string, reason: string, now: Date): Promise<void> {
      await db(SESSIONS).where({ id_hash: idHash }).whereNull('revoked_at').update({ revoked_at: now, revoked_reason: reason });
    },
    /**
     * Ends every live session of a user (U3 password reset, C3 suspension, C4 removal), and every
     * pending second-factor step, which would otherwise still lead to a new session.
     */
    async revokeAllOfUser(userSid: string, reason: string, now: Date): Promise<number> {
      // The product's apps lose this person's sessions and tokens too, and are told (issue 13).
      const { rows } = await rawQuery(db)(REVOKE_ALL_OF_USER, [userSid, reason, now]);
      return Number((rows[0] as { revoked: string | number }).revoked);
    },
    /**
     * S7: ends every live password session of users whose email is on the domain (SSO sessions
     * stay), and their pending second-factor steps (which only password sign-ins have).
     */
    async revokeForDomain(domain: string, reason: string, now: Date): Promise<number> {
      const onDomain = () => db('users').select('sid').whereRaw(`lower(split_part(email, '@', 2)) = lower(?)`, [domain]);
      await db(SIGN_IN_CHALLENGES).whereIn('user_sid', onDomain()).delete();
      await endOidcPasswordSessions(db, onDomain(), reason);
      return db(SESSIONS).whereNull('revoked_at').where('method', 'password').whereIn('user_sid', onDomain())
        .update({ revoked_at: now, revoked_reason: reason });
    },
  };
}
