/**
 * Password resets. U3: an administrator's reset signs the user out everywhere, makes the old
 * password unusable and mails a single-use link valid 24 hours. Self-service requests answer the
 * same whether or not the address is known (no account enumeration). S7: both are closed to
 * people whose domain enforces SSO (sso_required).
 */
import { DomainError } from '../errors.js';
import { normaliseEmail } from '../rules/domains.js';
import { decidePasswordStrength, decideResetTokenUse, planPasswordReset } from '../rules/passwords.js';
import { hashPassword } from '../security/passwords.js';
import { hashToken } from '../security/tokens.js';
import type { Actor } from '../types.js';
import { audit, authorize, fail } from './context.js';
import { endSessionsOfUser } from './session-ends.js';
import type { ServiceDeps } from './index.js';
import { queueMail } from './mail-queue.js';
import { actingSnapshot, checkActOnUser, lockUser } from './member-checks.js';
import { issueResetLink } from './reset-links.js';
import { refuseWhenSsoEnforced, ssoRefusal } from './sso-gate.js';

/** What an administrator's reset did (U3). */
export interface AdminResetResult {
  readonly userSid: string;
  readonly sessionsRevoked: number;
  /** When the mailed link stops working; null when SSO is enforced and no link was sent (S7). */
  readonly linkExpiresAt: Date | null;
}

/** U3: unknown, used, replaced and expired links are all refused alike (token_invalid). */
function invalidLink(now: Date): never {
  const decision = decideResetTokenUse(null, now);
  if (decision.kind === 'reject') fail(decision);
  throw new DomainError('token_invalid', 'This reset link is not valid.');
}

/** createPasswordsService: administrator resets, self-service requests, completing a reset (U3, S7). */
export function createPasswordsService(deps: ServiceDeps) {
  const { store, clock } = deps;
  /** Reset requests still working after their answer (see requestReset). */
  const inFlight = new Set<Promise<void>>();

  return {
    /**
     * U3, in one transaction: the password hash is cleared (the old password no longer works),
     * password_changed_at moves, every session is revoked, earlier reset links expire, and a new
     * single-use link valid 24 hours is mailed. For a user who must use SSO (S7) no link is sent:
     * the mail tells them to sign in through SSO.
     */
    async adminReset(actor: Actor, orgSid: string, userSid: string): Promise<AdminResetResult> {
      return store.transaction(async (repos, afterCommit) => {
        const now = clock.now();
        const { member, org } = await authorize(repos, actor, orgSid, 'manage_users');
        const target = await lockUser(repos, userSid);
        checkActOnUser(actingSnapshot(actor, member, orgSid), target);
        const plan = planPasswordReset(target.sid, now);
        await repos.users.update(target.sid, { passwordHash: null, passwordChangedAt: now, failedSignIns: 0, lockedUntil: null });
        const sessionsRevoked = await endSessionsOfUser(repos, actor, { orgSid, userSid: target.sid, reason: 'password_reset', now });
        await repos.tokens.expireFor('password_reset', target.sid, now);
        const ssoOnly = (await ssoRefusal(repos, target.email, 'password_reset')) !== null;
        const resetLink = ssoOnly ? null : await issueResetLink(repos, deps.baseUrl, target.sid, orgSid, now);
        await queueMail(repos, afterCommit, deps, {
          to: target.email,
          subject: 'Your password was reset',
          body: `An administrator of ${org.name} reset your password. You have been signed out everywhere and your old password no longer works.\n\n`
            + (resetLink
              ? `Choose a new password here. The link works once, for 24 hours:\n${resetLink.url}\n`
              : "Your organization requires single sign-on: sign in through your organization's SSO.\n"),
        });
        await audit(repos, actor, {
          orgSid, action: 'user.password_reset', target: target.sid,
          after: { sessionsRevoked, linkSent: resetLink !== null, linkExpiresAt: resetLink ? plan.tokenExpiresAt : null },
        });
        return { userSid: target.sid, sessionsRevoked, linkExpiresAt: resetLink?.expiresAt ?? null };
      });
    },

    /**
     * Self-service: mails a reset link when `email` belongs to an active user; answers the same
     * either way. S7: refused with sso_required when the domain enforces SSO (which depends on
     * the domain only, so it reveals nothing about the address). The lookup, the link and the
     * mail happen after the answer (`settled`), so neither the answer nor its timing depends on
     * whether the address is known. Earlier links stay valid: a request by anyone must not cancel
     * the link a legitimate user is about to use.
     */
    async requestReset(email: string): Promise<{ accepted: true; settled: Promise<void> }> {
      const normal = normaliseEmail(email);
      if (!normal.ok) throw new DomainError(normal.code, normal.message);
      await refuseWhenSsoEnforced(store.read, normal.email, 'password_reset');
      const settled = store.transaction(async (repos, afterCommit) => {
        const user = await repos.users.lockByEmail(normal.email);
        if (!user || user.status !== 'active') return;
        const resetLink = await issueResetLink(repos, deps.baseUrl, user.sid, user.orgSid, clock.now(), { expireEarlier: false });
        await queueMail(repos, afterCommit, deps, {
          to: user.email,
          subject: 'Reset your password',
          body: `Someone asked to reset the password of ${user.email}. If it was you, choose a new password here. The link works once, for 24 hours:\n${resetLink.url}\n\n`
            + 'If it was not you, ignore this message: your password stays as it is.\n',
        });
        if (user.orgSid) await audit(repos, { kind: 'system' }, { orgSid: user.orgSid, action: 'user.password_reset_requested', target: user.sid });
      }).catch((error: unknown) => { deps.logger.warn('password reset request failed', { cause: error }); });
      inFlight.add(settled);
      void settled.finally(() => inFlight.delete(settled));
      return { accepted: true, settled };
    },

    /** Resolves once every reset request answered so far has done its work (tests, shutdown). */
    async settled(): Promise<void> {
      await Promise.all([...inFlight]);
    },

    /**
     * U3: sets a new password with the token from a reset link. The token is consumed atomically,
     * so a link works once (and not after 24 hours: token_invalid); every session is revoked.
     */
    async completeReset(token: string, newPassword: string): Promise<{ userSid: string }> {
      const password = typeof newPassword === 'string' ? newPassword : '';
      const strength = decidePasswordStrength(password);
      // A weak password does not use up the link.
      if (strength.kind === 'reject') fail(strength);
      const passwordHash = await hashPassword(password);
      return store.transaction(async (repos) => {
        const now = clock.now();
        const used = typeof token === 'string' && token !== '' ? await repos.tokens.consume(hashToken(token), 'password_reset', now) : undefined;
        if (!used) return invalidLink(now);
        const user = await lockUser(repos, used.subject);
        await refuseWhenSsoEnforced(repos, user.email, 'password_reset');
        await repos.users.update(user.sid, { passwordHash, passwordChangedAt: now, failedSignIns: 0, lockedUntil: null });
        // Sessions and pending second-factor steps end; the new password starts without back-off.
        await endSessionsOfUser(repos, { kind: 'user', userSid: user.sid }, { orgSid: user.orgSid, userSid: user.sid, reason: 'password_changed', now });
        await repos.signInBackoff.clear('password', user.email.toLowerCase());
        if (user.orgSid) await audit(repos, { kind: 'user', userSid: user.sid }, { orgSid: user.orgSid, action: 'user.password_changed', target: user.sid });
        return { userSid: user.sid };
      });
    },
  };
}

/** The passwords service object. */
export type PasswordsService = ReturnType<typeof createPasswordsService>;
