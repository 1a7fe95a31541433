/**
 * The second step of a password sign-in (U4): a TOTP code (or enrolment of a new factor), or one
 * of the user's recovery codes. Wrong codes count against the user across challenges, with the
 * same back-off as passwords (rules/sign-in-lockout.ts); a correct password does not reset that
 * count. A challenge issued before the user's password_changed_at, or of a suspended user, no
 * longer leads to a session (U3, S7, C4: rules/session-validity.ts).
 */
import { DomainError } from '../errors.js';
import { decideChallengeValidity } from '../rules/session-validity.js';
import { ANY_CLIENT, decideSignInAttempt, planFailedSignIn, SECOND_FACTOR_BACKOFF, SIGNED_IN, type Locked } from '../rules/sign-in-lockout.js';
import { decryptSecret, encryptSecret } from '../security/encryption.js';
import { hashToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import type { ChallengeRecord } from '../store/sso-sign-in.js';
import type { Member } from '../types.js';
import { audit, fail } from './context.js';
import type { ServiceDeps } from './index.js';
import { queueMail } from './mail-queue.js';
import { canonicalRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
import type { IssuedSession, SessionService } from './sessions.js';
import { matchTotp, otpauthUri } from './totp.js';

/** Wrong codes allowed per challenge; then the password must be entered again. */
export const MAX_CODE_ATTEMPTS = 5;

/** What the second-factor page shows. */
export interface ChallengeView {
  readonly step: 'verify' | 'enrol';
  readonly email: string;
  /** Enrolment only: the new secret (base32) and its otpauth:// URI. */
  readonly secret?: string;
  readonly otpauthUri?: string;
  /** Enrolment only: the ten single-use recovery codes, shown once. */
  readonly recoveryCodes?: readonly string[];
}

const challengeExpired = () => new DomainError('token_invalid', 'Your sign-in took too long or was already completed. Sign in again.');

type Outcome =
  | { readonly kind: 'expired' | 'too_many' | 'wrong' }
  | { readonly kind: 'locked'; readonly decision: Locked }
  | { readonly kind: 'signed_in'; readonly userSid: string; readonly session: IssuedSession };

export function createSecondFactorStep(deps: ServiceDeps, sessions: SessionService) {
  const { store, clock, secretKey } = deps;

  /** A live challenge of an active user whose password did not change since it was issued. */
  const usable = (c: ChallengeRecord | undefined, user: Member | undefined, now: Date): user is Member =>
    c !== undefined && user !== undefined
    && decideChallengeValidity({ createdAt: c.createdAt, expiresAt: c.expiresAt, userStatus: user.status, passwordChangedAt: user.passwordChangedAt }, now) === 'valid';

  /** Checks `code` against the challenge; the TOTP step, or 'recovery' when a recovery code was used. */
  async function check(repos: Repos, c: ChallengeRecord, user: Member, code: string, now: Date): Promise<'totp' | 'recovery' | 'enrolled' | null> {
    if (c.kind === 'totp_enrol') {
      const secret = decryptSecret(secretKey, c.secretEncrypted!);
      const step = matchTotp(secret, code, now);
      if (step === null) return null;
      await repos.signInFactors.setFactor(user.sid, encryptSecret(secretKey, secret), step, now);
      const codes = c.recoveryCodesEncrypted ? JSON.parse(decryptSecret(secretKey, c.recoveryCodesEncrypted)) as string[] : [];
      await repos.signInFactors.replaceRecoveryCodes(user.sid, codes.map(recoveryCodeHash), now);
      await repos.users.update(user.sid, { secondFactorRequired: false });
      return 'enrolled';
    }
    const recovery = canonicalRecoveryCode(code);
    if (recovery !== null) return (await repos.signInFactors.useRecoveryCode(user.sid, recoveryCodeHash(recovery), now)) ? 'recovery' : null;
    const factor = await repos.signInFactors.getFactor(user.sid);
    const step = factor ? matchTotp(decryptSecret(secretKey, factor.secretEncrypted), code, now) : null;
    return step !== null && (await repos.signInFactors.useStep(user.sid, step)) ? 'totp' : null;
  }

  return {
    /** What the second-factor page shows for a live challenge (token_invalid otherwise). */
    async challenge(challengeToken: string | undefined): Promise<ChallengeView> {
      if (typeof challengeToken !== 'string' || !challengeToken.startsWith('owc_')) throw challengeExpired();
      const now = clock.now();
      const c = await store.read.signInFactors.getChallenge(hashToken(challengeToken), now, false);
      const user = c && await store.read.users.get(c.userSid);
      if (!usable(c, user, now)) throw challengeExpired();
      if (c!.kind === 'totp') return { step: 'verify', email: user.email };
      const secret = decryptSecret(secretKey, c!.secretEncrypted!);
      const recoveryCodes = c!.recoveryCodesEncrypted ? JSON.parse(decryptSecret(secretKey, c!.recoveryCodesEncrypted)) as string[] : [];
      return { step: 'enrol', email: user.email, secret, otpauthUri: otpauthUri(secret, user.email), recoveryCodes };
    },

    /**
     * U4: checks the TOTP code (or a recovery code) of a challenge, or confirms the enrolment of a
     * new factor, and issues the session. A TOTP code works once (its time step is recorded), a
     * recovery code once; five wrong codes end the challenge, and wrong codes lock the user's
     * second factor across challenges (SECOND_FACTOR_BACKOFF), decided under the row lock.
     */
    async secondFactor(input: { challengeToken: string | undefined; code: string }): Promise<{ userSid: string; session: IssuedSession }> {
      const token = input.challengeToken;
      if (typeof token !== 'string' || !token.startsWith('owc_')) throw challengeExpired();
      const code = typeof input.code === 'string' ? input.code.slice(0, 64) : '';
      const outcome = await store.transaction(async (repos, afterCommit): Promise<Outcome> => {
        const now = clock.now();
        const idHash = hashToken(token);
        // Lock order user → challenge, as resets and removals take it (they delete challenges).
        const seen = await repos.signInFactors.getChallenge(idHash, now, false);
        const user = seen && await repos.users.lock(seen.userSid);
        const c = user && await repos.signInFactors.getChallenge(idHash, now);
        if (!c) return { kind: 'expired' };
        if (c.attempts >= MAX_CODE_ATTEMPTS) {
          await repos.signInFactors.deleteChallenge(idHash);
          return { kind: 'too_many' };
        }
        if (!usable(c, user, now)) {
          await repos.signInFactors.deleteChallenge(idHash);
          return { kind: 'expired' };
        }
        const counters = (await repos.signInBackoff.lock('second_factor', user.sid, [ANY_CLIENT])).get(ANY_CLIENT) ?? SIGNED_IN;
        const attempt = decideSignInAttempt(counters, now, 'code');
        if (attempt.kind === 'reject') return { kind: 'locked', decision: attempt };
        const used = await check(repos, c, user, code, now);
        if (used === null) {
          await repos.signInFactors.countAttempt(idHash);
          await repos.signInBackoff.save('second_factor', user.sid, ANY_CLIENT, planFailedSignIn(counters, now, SECOND_FACTOR_BACKOFF), now);
          return { kind: 'wrong' };
        }
        await repos.signInBackoff.save('second_factor', user.sid, ANY_CLIENT, SIGNED_IN, now);
        if (used === 'enrolled' && user.orgSid) {
          await audit(repos, { kind: 'user', userSid: user.sid }, { orgSid: user.orgSid, action: 'user.second_factor_enrolled', target: user.sid });
        }
        if (used === 'recovery') {
          const left = await repos.signInFactors.countUnusedRecoveryCodes(user.sid);
          if (user.orgSid) await audit(repos, { kind: 'user', userSid: user.sid }, { orgSid: user.orgSid, action: 'user.recovery_code_used', target: user.sid, after: { recoveryCodesLeft: left } });
          await queueMail(repos, afterCommit, deps, {
            to: user.email,
            subject: 'A recovery code was used to sign in',
            body: `Someone signed in to ${user.email} with one of your recovery codes instead of your authenticator app. ${left} unused code(s) remain.\n\n`
              + 'If it was not you, reset your password at /password-reset and ask an administrator of your organization to reset your two-factor authentication.\n',
          });
        }
        await repos.signInFactors.deleteChallenge(idHash);
        const session = await sessions.issue(repos, { userSid: user.sid, method: 'password', passwordChangedAt: user.passwordChangedAt });
        return { kind: 'signed_in', userSid: user.sid, session };
      });
      switch (outcome.kind) {
        case 'expired': throw challengeExpired();
        case 'too_many': throw new DomainError('too_many_attempts', 'Too many wrong codes. Sign in again.');
        case 'locked': return fail(outcome.decision, { retryAfterSeconds: Math.ceil(outcome.decision.retryAfterMs / 1000) });
        case 'wrong': throw new DomainError('invalid_credentials', 'That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.');
        case 'signed_in': return { userSid: outcome.userSid, session: outcome.session };
      }
    },
  };
}
