/**
 * Signing in. S2: the email decides the way in (domain → organization → connection). Password
 * sign-in (U5, S7: refused with sso_required on enforced domains) is followed by the TOTP second
 * factor (U4: enrolled at the first sign-in and after an administrator's 2FA reset, second-factor-step.ts);
 * wrong passwords back off (rules/sign-in-lockout.ts). SSO responses end in completeSso (sso-complete.ts).
 */
import { DomainError } from '../errors.js';
import { normaliseEmail } from '../rules/domains.js';
import { MAX_PASSWORD_LENGTH } from '../rules/passwords.js';
import { sessionIssuedAt } from '../rules/session-validity.js';
import {
  ACCOUNT_BACKOFF, ANY_CLIENT, CLIENT_BACKOFF, decideCorrectSecret, decideReservation, decideSecondFactor, SIGNED_IN, type Backoff, type SignInCounters,
} from '../rules/sign-in-lockout.js';
import { decideHomeRealm } from '../rules/sso.js';
import { encryptSecret } from '../security/encryption.js';
import { verifyPassword } from '../security/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import { fail } from './context.js';
import { domainSnapshot } from './enrollment.js';
import type { ServiceDeps } from './index.js';
import { newRecoveryCodes } from './recovery-codes.js';
import { createSecondFactorStep } from './second-factor-step.js';
import type { SessionService } from './sessions.js';
import { createSsoCompletion } from './sso-complete.js';
import { refuseWhenSsoEnforced } from './sso-gate.js';
import { newTotpSecret } from './totp.js';

/** How long the second-factor step may take after a correct password. */
export const CHALLENGE_TTL_MS = 10 * 60 * 1000;

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

const invalidCredentials = () => new DomainError('invalid_credentials', 'The email address or password is not right.');

/** The two password back-off counters: this client address for this email, and the email from anywhere. */
function passwordBackoffs(counters: Map<string, SignInCounters>, client: string): Backoff[] {
  const none: SignInCounters = SIGNED_IN;
  return [
    { counters: counters.get(client) ?? none, policy: CLIENT_BACKOFF },
    { counters: counters.get(ANY_CLIENT) ?? none, policy: ACCOUNT_BACKOFF },
  ];
}

export function createSignInService(deps: ServiceDeps, sessions: SessionService) {
  const { store, clock, secretKey } = deps;

  return {
    ...createSsoCompletion(deps, sessions),
    ...createSecondFactorStep(deps, sessions),

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
     * U5/S7 first (sso_required). Then the back-off (rules/sign-in-lockout.ts): the attempt is
     * reserved under the row lock of its counters (per email and client address, and per email)
     * before the password is hashed, so parallel guesses cannot slip past the lock. The counters
     * are keyed by the email, known or not, and unknown users cost the same hashing: known and
     * unknown addresses get the same answers. A correct password releases its reservation and
     * never signs in while a lock stands.
     */
    async passwordSignIn(input: { email: string; password: string; clientAddress?: string }): Promise<PasswordChallenge> {
      const normal = normaliseEmail(input.email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      const password = typeof input.password === 'string' ? input.password : '';
      if (password === '' || [...password].length > MAX_PASSWORD_LENGTH) throw invalidCredentials();
      await refuseWhenSsoEnforced(store.read, normal.email, 'sign_in');
      const subject = normal.email.toLowerCase();
      const client = input.clientAddress || 'unknown';
      const reserved = await store.transaction(async (repos) => {
        const now = clock.now();
        const backoffs = passwordBackoffs(await repos.signInBackoff.lock('password', subject, [client, ANY_CLIENT]), client);
        const decision = decideReservation(backoffs, now);
        if (decision.kind === 'reject') fail(decision, { retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) });
        await repos.signInBackoff.save('password', subject, client, decision.reserved[0]!, now);
        await repos.signInBackoff.save('password', subject, ANY_CLIENT, decision.reserved[1]!, now);
        return decision.reserved;
      });
      const user = await store.read.users.getByEmail(normal.email);
      // The same queries for unknown addresses (an empty SID matches nothing): same timing.
      const creds = await store.read.users.credentials(user?.sid ?? '');
      // Hash outside any transaction: scrypt takes tens of milliseconds. No hash: a dummy one.
      const correct = await verifyPassword(password, creds?.password_hash ?? null);
      if (!user || !creds || !correct) throw invalidCredentials();
      const outcome = await store.transaction(async (repos) => {
        const now = clock.now();
        const locked = await repos.users.lock(user.sid);
        if (!locked) return { kind: 'wrong' as const };
        const backoffs = passwordBackoffs(await repos.signInBackoff.lock('password', subject, [client, ANY_CLIENT]), client);
        const decision = decideCorrectSecret(backoffs, reserved, now);
        if (decision.kind === 'reject') return { kind: 'locked' as const, decision };
        await repos.signInBackoff.save('password', subject, client, decision.after[0]!, now);
        await repos.signInBackoff.save('password', subject, ANY_CLIENT, decision.after[1]!, now);
        if (locked.status !== 'active') return { kind: 'suspended' as const };
        const factor = await repos.signInFactors.getFactor(user.sid);
        const step = decideSecondFactor({ secondFactorRequired: locked.secondFactorRequired, hasConfirmedFactor: factor?.confirmedAt != null });
        const challengeToken = newToken('owc_');
        const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
        await repos.signInFactors.deleteChallengesOf(user.sid);
        await repos.signInFactors.insertChallenge({
          idHash: hashToken(challengeToken), userSid: user.sid, kind: step === 'enrol' ? 'totp_enrol' : 'totp',
          secretEncrypted: step === 'enrol' ? encryptSecret(secretKey, newTotpSecret()) : null,
          // Shown with the new secret, stored (as digests) once the enrolment is confirmed.
          recoveryCodesEncrypted: step === 'enrol' ? encryptSecret(secretKey, JSON.stringify(newRecoveryCodes())) : null,
          now: sessionIssuedAt(now, locked.passwordChangedAt), expiresAt,
        });
        return { kind: 'challenge' as const, challenge: { challengeToken, step, expiresAt } };
      });
      if (outcome.kind === 'wrong') throw invalidCredentials();
      if (outcome.kind === 'locked') fail(outcome.decision, { retryAfterSeconds: Math.ceil(outcome.decision.retryAfterMs / 1000) });
      if (outcome.kind === 'suspended') throw new DomainError('user_suspended', 'Your user is suspended. Contact an administrator of your organization.');
      return outcome.challenge;
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
