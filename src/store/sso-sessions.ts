import type { Knex } from 'knex';
import type { Role, UserStatus } from '../types.js';
import type { SessionMethod } from './sessions.js';

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
 * The sign-in side of the sessions table (src/store/sessions.ts holds revocation): inserts with the
 * issuing time taken from the service clock, so "issued before password_changed_at" (U3) compares
 * two times of one clock, and reads a session with its user in one query.
 */
export function ssoSessionStore(db: Knex | Knex.Transaction) {
  return {
    async insert(s: { idHash: string; userSid: string; method: SessionMethod; connectionId: string | null; now: Date; expiresAt: Date }): Promise<void> {
      await db('sessions').insert({
        id_hash: s.idHash, user_sid: s.userSid, method: s.method, connection_id: s.connectionId,
        created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt,
      });
    },
    async findLiveWithUser(idHash: string, now: Date): Promise<SessionWithUser | undefined> {
      const row = await db('sessions as s').join('users as u', 'u.sid', 's.user_sid').leftJoin('memberships as m', 'm.user_sid', 'u.sid')
        .where('s.id_hash', idHash).whereNull('s.revoked_at').where('s.expires_at', '>', now)
        .first('s.user_sid', 's.method', 's.connection_id', 's.created_at', 's.expires_at', 's.last_seen_at',
          'u.email', 'u.status', 'u.password_changed_at', 'm.org_sid', 'm.role');
      return row && {
        userSid: row.user_sid, method: row.method, connectionId: row.connection_id, createdAt: row.created_at, expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at, email: row.email, status: row.status, passwordChangedAt: row.password_changed_at,
        orgSid: row.org_sid, role: row.role,
      };
    },
  };
}
