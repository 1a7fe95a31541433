import type { Knex } from 'knex';

export const SIGNUP_VERIFICATIONS = 'signup_verifications';

/** A sign-up link: the address it proves, and whether it still works. */
export interface SignupVerification { email: string; expiresAt: Date; usedAt: Date | null }

const mapRow = (r: Record<string, any>): SignupVerification => ({ email: r.email, expiresAt: r.expires_at, usedAt: r.used_at });

/** Sign-up email verification links (O1, D6); only the SHA-256 digest of the secret is stored. */
export function signupVerificationStore(db: Knex | Knex.Transaction) {
  return {
    async insert(v: { tokenHash: string; email: string; expiresAt: Date }): Promise<void> {
      await db(SIGNUP_VERIFICATIONS).insert({ token_hash: v.tokenHash, email: v.email, expires_at: v.expiresAt });
    },
    /** The link behind `tokenHash`, used or not, expired or not (to say which at once). */
    async find(tokenHash: string): Promise<SignupVerification | undefined> {
      const row = await db(SIGNUP_VERIFICATIONS).where({ token_hash: tokenHash }).first();
      return row && mapRow(row);
    },
    /** Consumes a live link atomically: exactly one caller gets the email back. */
    async consume(tokenHash: string, now: Date): Promise<SignupVerification | undefined> {
      const [row] = await db(SIGNUP_VERIFICATIONS).where({ token_hash: tokenHash }).whereNull('used_at').where('expires_at', '>', now)
        .update({ used_at: now }).returning(['email', 'expires_at', 'used_at']);
      return row && mapRow(row);
    },
  };
}
