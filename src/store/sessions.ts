import type { Knex } from 'knex';

export const SESSIONS = 'sessions';
export type SessionMethod = 'password' | 'saml' | 'oidc';

export interface Session {
  readonly userSid: string; readonly method: SessionMethod; readonly connectionId: string | null;
  readonly createdAt: Date; readonly expiresAt: Date;
}

/** Sessions live in the database so every instance sees the same ones; only the id's digest is stored. */
export function sessionStore(db: Knex | Knex.Transaction) {
  return {
    async insert(s: { idHash: string; userSid: string; method: SessionMethod; connectionId?: string | null; expiresAt: Date }): Promise<void> {
      await db(SESSIONS).insert({ id_hash: s.idHash, user_sid: s.userSid, method: s.method, connection_id: s.connectionId ?? null, expires_at: s.expiresAt });
    },
    async findLive(idHash: string, now: Date): Promise<Session | undefined> {
      const row = await db(SESSIONS).where({ id_hash: idHash }).whereNull('revoked_at').where('expires_at', '>', now).first();
      return row && { userSid: row.user_sid, method: row.method, connectionId: row.connection_id, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async touch(idHash: string, now: Date): Promise<void> {
      await db(SESSIONS).where({ id_hash: idHash }).update({ last_seen_at: now });
    },
    async revoke(idHash: string, reason: string, now: Date): Promise<void> {
      await db(SESSIONS).where({ id_hash: idHash }).whereNull('revoked_at').update({ revoked_at: now, revoked_reason: reason });
    },
    /** Ends every live session of a user (U3 password reset, C3 suspension, C4 removal). */
    async revokeAllOfUser(userSid: string, reason: string, now: Date): Promise<number> {
      return db(SESSIONS).where({ user_sid: userSid }).whereNull('revoked_at').update({ revoked_at: now, revoked_reason: reason });
    },
    /** S7: ends every live session of users whose email is on the domain, except SSO sessions of this organization. */
    async revokeForDomain(domain: string, reason: string, now: Date): Promise<number> {
      return db(SESSIONS).whereNull('revoked_at').where('method', 'password')
        .whereIn('user_sid', db('users').select('sid').whereRaw(`lower(split_part(email, '@', 2)) = lower(?)`, [domain]))
        .update({ revoked_at: now, revoked_reason: reason });
    },
  };
}
