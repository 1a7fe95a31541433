import type { Knex } from 'knex';

export const SECOND_FACTORS = 'second_factors';
export const SIGN_IN_CHALLENGES = 'sign_in_challenges';
export const RECOVERY_CODES = 'recovery_codes';

export type ChallengeKind = 'totp' | 'totp_enrol';

export interface SecondFactorRecord { readonly userSid: string; readonly secretEncrypted: string; readonly confirmedAt: Date | null; readonly lastUsedStep: number | null }
export interface ChallengeRecord { readonly userSid: string; readonly kind: ChallengeKind; readonly secretEncrypted: string | null; readonly attempts: number; readonly createdAt: Date; readonly expiresAt: Date; readonly recoveryCodesEncrypted: string | null }

/**
 * Password sign-in state (U4): TOTP second factors and the short-lived challenges of a sign-in whose
 * password was right and whose second factor is still to come.
 */
export function signInFactorStore(db: Knex | Knex.Transaction) {
  return {
    async getFactor(userSid: string): Promise<SecondFactorRecord | undefined> {
      const row = await db(SECOND_FACTORS).where({ user_sid: userSid, kind: 'totp' }).first();
      return row && { userSid: row.user_sid, secretEncrypted: row.secret_encrypted, confirmedAt: row.confirmed_at, lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step) };
    },
    /** Replaces the user's factor with a confirmed one (enrolment at first sign-in or after a reset, U4). */
    async setFactor(userSid: string, secretEncrypted: string, step: number, now: Date): Promise<void> {
      await db(SECOND_FACTORS).insert({ user_sid: userSid, kind: 'totp', secret_encrypted: secretEncrypted, confirmed_at: now, last_used_step: step, created_at: now })
        .onConflict('user_sid').merge(['kind', 'secret_encrypted', 'confirmed_at', 'last_used_step', 'created_at']);
    },
    /**
     * Records that `step` was used; false when it (or a later one) already was, so one code works
     * once even when two instances check it at the same moment (RFC 6238 section 5.2).
     */
    async useStep(userSid: string, step: number): Promise<boolean> {
      const n = await db(SECOND_FACTORS).where({ user_sid: userSid })
        .where((q) => { void q.whereNull('last_used_step').orWhere('last_used_step', '<', step); })
        .update({ last_used_step: step });
      return n === 1;
    },
    async insertChallenge(c: { idHash: string; userSid: string; kind: ChallengeKind; secretEncrypted: string | null; recoveryCodesEncrypted?: string | null; now: Date; expiresAt: Date }): Promise<void> {
      await db(SIGN_IN_CHALLENGES).insert({
        id_hash: c.idHash, user_sid: c.userSid, kind: c.kind, secret_encrypted: c.secretEncrypted,
        recovery_codes_encrypted: c.recoveryCodesEncrypted ?? null, created_at: c.now, expires_at: c.expiresAt,
      });
    },
    /** A live challenge, locked unless `lock` is false (callers lock its user's row first). */
    async getChallenge(idHash: string, now: Date, lock = true): Promise<ChallengeRecord | undefined> {
      const q = db(SIGN_IN_CHALLENGES).where({ id_hash: idHash }).where('expires_at', '>', now);
      const row = await (lock ? q.forUpdate() : q).first();
      return row && {
        userSid: row.user_sid, kind: row.kind, secretEncrypted: row.secret_encrypted, attempts: row.attempts, createdAt: row.created_at,
        expiresAt: row.expires_at, recoveryCodesEncrypted: row.recovery_codes_encrypted,
      };
    },
    async countAttempt(idHash: string): Promise<void> {
      await db(SIGN_IN_CHALLENGES).where({ id_hash: idHash }).increment('attempts', 1);
    },
    async deleteChallenge(idHash: string): Promise<void> {
      await db(SIGN_IN_CHALLENGES).where({ id_hash: idHash }).delete();
    },
    async deleteChallengesOf(userSid: string): Promise<void> {
      await db(SIGN_IN_CHALLENGES).where({ user_sid: userSid }).delete();
    },
    /** Replaces the user's recovery codes by new ones (only their digests are stored). */
    async replaceRecoveryCodes(userSid: string, codeHashes: readonly string[], now: Date): Promise<void> {
      await db(RECOVERY_CODES).where({ user_sid: userSid }).delete();
      if (codeHashes.length > 0) await db(RECOVERY_CODES).insert(codeHashes.map((h) => ({ user_sid: userSid, code_hash: h, created_at: now })));
    },
    /** Uses a recovery code atomically: true for exactly one caller, once. */
    async useRecoveryCode(userSid: string, codeHash: string, now: Date): Promise<boolean> {
      const rows = await db(RECOVERY_CODES).where({ user_sid: userSid, code_hash: codeHash }).whereNull('used_at')
        .update({ used_at: now }).returning('user_sid');
      return rows.length === 1;
    },
    async countUnusedRecoveryCodes(userSid: string): Promise<number> {
      const row = await db(RECOVERY_CODES).where({ user_sid: userSid }).whereNull('used_at').count<{ count: string }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
    async deleteRecoveryCodes(userSid: string): Promise<void> {
      await db(RECOVERY_CODES).where({ user_sid: userSid }).delete();
    },
  };
}
