import type { Knex } from 'knex';

export const ONE_TIME_TOKENS = 'one_time_tokens';
export type TokenPurpose = 'password_reset' | 'account_import' | 'merge';

export interface OneTimeToken { purpose: TokenPurpose; subject: string; orgSid: string | null; expiresAt: Date; usedAt: Date | null }

/** Single-use links sent by mail; only the SHA-256 digest of the secret is stored. */
export function oneTimeTokenStore(db: Knex | Knex.Transaction) {
  return {
    async insert(t: { tokenHash: string; purpose: TokenPurpose; subject: string; orgSid: string | null; expiresAt: Date }): Promise<void> {
      await db(ONE_TIME_TOKENS).insert({ token_hash: t.tokenHash, purpose: t.purpose, subject: t.subject, org_sid: t.orgSid, expires_at: t.expiresAt });
    },
    /**
     * Consumes a token atomically: the UPDATE ... WHERE used_at IS NULL succeeds for exactly one
     * caller, so a link clicked twice (or on two instances at once) works once.
     */
    async consume(tokenHash: string, purpose: TokenPurpose, now: Date): Promise<OneTimeToken | undefined> {
      const [row] = await db(ONE_TIME_TOKENS).where({ token_hash: tokenHash, purpose }).whereNull('used_at').where('expires_at', '>', now)
        .update({ used_at: now }).returning(['purpose', 'subject', 'org_sid', 'expires_at', 'used_at']);
      return row && { purpose: row.purpose, subject: row.subject, orgSid: row.org_sid, expiresAt: row.expires_at, usedAt: row.used_at };
    },
    async peek(tokenHash: string, purpose: TokenPurpose, now: Date): Promise<OneTimeToken | undefined> {
      const row = await db(ONE_TIME_TOKENS).where({ token_hash: tokenHash, purpose }).whereNull('used_at').where('expires_at', '>', now).first();
      return row && { purpose: row.purpose, subject: row.subject, orgSid: row.org_sid, expiresAt: row.expires_at, usedAt: row.used_at };
    },
    /** The link behind `tokenHash`, used or not, expired or not: a page says which at once. */
    async find(tokenHash: string, purpose: TokenPurpose): Promise<OneTimeToken | undefined> {
      const row = await db(ONE_TIME_TOKENS).where({ token_hash: tokenHash, purpose }).first();
      return row && { purpose: row.purpose, subject: row.subject, orgSid: row.org_sid, expiresAt: row.expires_at, usedAt: row.used_at };
    },
    /** A new reset link makes earlier unused ones useless. */
    async expireFor(purpose: TokenPurpose, subject: string, now: Date): Promise<number> {
      return db(ONE_TIME_TOKENS).where({ purpose, subject }).whereNull('used_at').update({ used_at: now });
    },
  };
}
