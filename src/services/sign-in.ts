/**
 * Signing in. S2: the email decides the way in (domain → organization → connection). Password
 * sign-in (U5, S7: refused with sso_required on enforced domains) is followed by the TOTP second
 * factor (U4: enrolled at the first sign-in and after an administrator's 2FA reset); wrong
 * passwords back off (rules/sign-in-lockout.ts). SSO responses end in completeSso (sso-complete.ts).
 */
import { DomainError } from '../errors.js';
import { normaliseEmail } from '../rules/domains.js';
import { MAX_PASSWORD_LENGTH } from '../rules/passwords.js';
import { decideSecondFactor, decideSignInAttempt, planFailedSignIn, SIGNED_IN } from '../rules/sign-in-lockout.js';
import { decideHomeRealm } from '../rules/sso.js';
import { decryptSecret, encryptSecret } from '../security/encryption.js';
import { verifyPassword } from '../security/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import { audit, fail } from './context.js';
import { domainSnapshot } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import type { IssuedSession, SessionService } from './sessions.js';
import { createSsoCompletion } from './sso-complete.js';
import { refuseWhenSsoEnforced } from './sso-gate.js';
import { matchTotp, newTotpSecret, otpauthUri } from './totp.js';

/** How long the second-factor step may take after a correct password. */
export const CHALLENGE_TTL_MS = 10 * 60 * 1000;
/** Wrong codes allowed per challenge; then the password must be entered again. */
export const MAX_CODE_ATTEMPTS = 5;

/** S2: where a sign-in that starts from an email goes. */
export type Discovery =
  | { readonly kind: 'sso'; readonly connectionId: string; readonly protocol: 'saml' | 'oidc'; readonly orgSid: string; readonly enforced: boolean }
  | { readonly kind: 'password'; readonly email: string };

/** A correct password: the second factor comes next. The token goes into a cookie. */
export interface PasswordChallenge {
  readonly challengeToken: string;
  readonly step: 'verify' | 'enrol';
  readonly expiresAt: Date;
}

/** What the second-factor page shows. */
export interface ChallengeView {
  readonly step: 'verify' | 'enrol';
  readonly email: string;
  /** Enrolment only: the new secret (base32) and its otpauth:// URI. */
  readonly secret?: string;
  readonly otpauthUri?: string;
}

const invalidCredentials = () => new DomainError('invalid_credentials', 'The email address or password is not right.');
const challengeExpired = () => new DomainError('token_invalid', 'Your sign-in took too long or was already completed. Sign in again.');

export function createSignInService(deps: ServiceDeps, sessions: SessionService) {
  const { store, clock, secretKey } = deps;

  return {
    ...createSsoCompletion(deps, sessions),

    /**
     * S2: email → verified domain (D5: exact match) → organization → its first enabled connection
     * that passed a test sign-in (an untested connection does not take users away from their
     * passwords). With SSO enforced and no usable connection: sso_not_ready.
     */
    async discover(email: string): Promise<Discovery> {
      const normal = normaliseEmail(email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      const verified = await store.read.domains.findVerified(normal.domain);
      const connections = verified ? await store.read.ssoConnections.listByOrg(verified.orgSid) : [];
      const decision = decideHomeRealm(normal.email, verified ? domainSnapshot(verified) : null,
        connections.map((c) => ({ id: c.id, enabled: c.enabled && c.testedAt !== null, testedAt: c.testedAt, updatedAt: c.updatedAt })));
      if (decision.kind === 'reject') fail(decision);
      if (decision.kind === 'password') return { kind: 'password', email: normal.email };
      const connection = connections.find((c) => c.id === decision.connectionId)!;
      return { kind: 'sso', connectionId: connection.id, protocol: connection.protocol, orgSid: decision.orgSid, enforced: decision.enforced };
    },

    /**
     * U5/S7 first (sso_required), then the lockout (too_many_attempts, checked before hashing),
     * then the password. Unknown users and wrong passwords get the same answer after the same work.
     */
    async passwordSignIn(input: { email: string; password: string }): Promise<PasswordChallenge> {
      const normal = normaliseEmail(input.email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      const password = typeof input.password === 'string' ? input.password : '';
      if (password === '' || [...password].length > MAX_PASSWORD_LENGTH) throw invalidCredentials();
      await refuseWhenSsoEnforced(store.read, normal.email, 'sign_in');
      const user = await store.read.users.getByEmail(normal.email);
      const creds = user ? await store.read.users.credentials(user.sid) : undefined;
      if (creds) {
        const attempt = decideSignInAttempt({ failedSignIns: creds.failed_sign_ins, lockedUntil: creds.locked_until }, clock.now());
        if (attempt.kind === 'reject') fail(attempt, { retryAfterSeconds: Math.ceil(attempt.retryAfterMs / 1000) });
      }
      // Hash outside any transaction: scrypt takes tens of milliseconds.
      const correct = await verifyPassword(password, creds?.password_hash ?? null);
      if (!user || !creds) throw invalidCredentials();
      const outcome = await store.transaction(async (repos) => {
        const now = clock.now();
        const locked = await repos.users.lock(user.sid);
        const fresh = await repos.users.credentials(user.sid);
        if (!locked || !fresh) return { kind: 'wrong' as const };
        const counters = { failedSignIns: fresh.failed_sign_ins, lockedUntil: fresh.locked_until };
        if (!correct) {
          const next = planFailedSignIn(counters, now);
          await repos.users.update(user.sid, { failedSignIns: next.failedSignIns, lockedUntil: next.lockedUntil });
          return { kind: 'wrong' as const };
        }
        if (counters.failedSignIns !== 0 || counters.lockedUntil !== null) await repos.users.update(user.sid, SIGNED_IN);
        if (locked.status !== 'active') return { kind: 'suspended' as const };
        const factor = await repos.signInFactors.getFactor(user.sid);
        const step = decideSecondFactor({ secondFactorRequired: locked.secondFactorRequired, hasConfirmedFactor: factor?.confirmedAt != null });
        const challengeToken = newToken('owc_');
        const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
        await repos.signInFactors.deleteChallengesOf(user.sid);
        await repos.signInFactors.insertChallenge({
          idHash: hashToken(challengeToken), userSid: user.sid, kind: step === 'enrol' ? 'totp_enrol' : 'totp',
          secretEncrypted: step === 'enrol' ? encryptSecret(secretKey, newTotpSecret()) : null, now, expiresAt,
        });
        return { kind: 'challenge' as const, challenge: { challengeToken, step, expiresAt } };
      });
      if (outcome.kind === 'wrong') throw invalidCredentials();
      if (outcome.kind === 'suspended') throw new DomainError('user_suspended', 'Your user is suspended. Contact an administrator of your organization.');
      return outcome.challenge;
    },

    /** What the second-factor page shows for a live challenge (token_invalid otherwise). */
    async challenge(challengeToken: string | undefined): Promise<ChallengeView> {
      if (typeof challengeToken !== 'string' || !challengeToken.startsWith('owc_')) throw challengeExpired();
      const c = await store.read.signInFactors.getChallenge(hashToken(challengeToken), clock.now());
      const user = c && await store.read.users.get(c.userSid);
      if (!c || !user) throw challengeExpired();
      if (c.kind === 'totp') return { step: 'verify', email: user.email };
      const secret = decryptSecret(secretKey, c.secretEncrypted!);
      return { step: 'enrol', email: user.email, secret, otpauthUri: otpauthUri(secret, user.email) };
    },

    /**
     * U4: checks the TOTP code of a challenge (or confirms the enrolment of a new factor) and
     * issues the session. A code works once (its time step is recorded); five wrong codes end the
     * challenge.
     */
    async secondFactor(input: { challengeToken: string | undefined; code: string }): Promise<{ userSid: string; session: IssuedSession }> {
      const token = input.challengeToken;
      if (typeof token !== 'string' || !token.startsWith('owc_')) throw challengeExpired();
      const code = typeof input.code === 'string' ? input.code : '';
      const outcome = await store.transaction(async (repos) => {
        const now = clock.now();
        const idHash = hashToken(token);
        const c = await repos.signInFactors.getChallenge(idHash, now);
        if (!c) return { kind: 'expired' as const };
        if (c.attempts >= MAX_CODE_ATTEMPTS) {
          await repos.signInFactors.deleteChallenge(idHash);
          return { kind: 'too_many' as const };
        }
        const user = await repos.users.lock(c.userSid);
        if (!user || user.status !== 'active') {
          await repos.signInFactors.deleteChallenge(idHash);
          return { kind: 'expired' as const };
        }
        if (c.kind === 'totp') {
          const factor = await repos.signInFactors.getFactor(user.sid);
          const step = factor ? matchTotp(decryptSecret(secretKey, factor.secretEncrypted), code, now) : null;
          if (step === null || !(await repos.signInFactors.useStep(user.sid, step))) {
            await repos.signInFactors.countAttempt(idHash);
            return { kind: 'wrong' as const };
          }
        } else {
          const secret = decryptSecret(secretKey, c.secretEncrypted!);
          const step = matchTotp(secret, code, now);
          if (step === null) {
            await repos.signInFactors.countAttempt(idHash);
            return { kind: 'wrong' as const };
          }
          await repos.signInFactors.setFactor(user.sid, encryptSecret(secretKey, secret), step, now);
          await repos.users.update(user.sid, { secondFactorRequired: false });
          if (user.orgSid) await audit(repos, { kind: 'user', userSid: user.sid }, { orgSid: user.orgSid, action: 'user.second_factor_enrolled', target: user.sid });
        }
        await repos.signInFactors.deleteChallenge(idHash);
        const session = await sessions.issue(repos, { userSid: user.sid, method: 'password', passwordChangedAt: user.passwordChangedAt });
        return { kind: 'signed_in' as const, userSid: user.sid, session };
      });
      switch (outcome.kind) {
        case 'expired': throw challengeExpired();
        case 'too_many': throw new DomainError('too_many_attempts', 'Too many wrong codes. Sign in again.');
        case 'wrong': throw new DomainError('invalid_credentials', 'That code is not right. Enter the 6-digit code your authenticator app shows now.');
        case 'signed_in': return { userSid: outcome.userSid, session: outcome.session };
      }
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
