/**
 * Second-factor reset. U4: an administrator's 2FA reset removes the user's second factor; the user
 * must enrol a new one at the next sign-in and is told by email.
 */
import type { Actor } from '../types.js';
import { audit, authorize } from './context.js';
import type { ServiceDeps } from './index.js';
import { queueMail } from './mail-queue.js';
import { actingSnapshot, checkActOnUser, lockUser } from './member-checks.js';

/** createTwoFactorService: the administrator 2FA reset (U4). */
export function createTwoFactorService(deps: ServiceDeps) {
  const { store } = deps;

  return {
    /**
     * U4, in one transaction: deletes the second factor (with its recovery codes and any pending
     * second-factor step), sets second_factor_required so the next
     * sign-in enrols a new one, mails the user and records the reset (L1).
     */
    async adminReset(actor: Actor, orgSid: string, userSid: string): Promise<{ userSid: string; hadSecondFactor: boolean }> {
      return store.transaction(async (repos, afterCommit) => {
        const { member, org } = await authorize(repos, actor, orgSid, 'manage_users');
        const target = await lockUser(repos, userSid);
        checkActOnUser(actingSnapshot(actor, member, orgSid), target);
        const hadSecondFactor = await repos.users.deleteSecondFactor(target.sid);
        // The recovery codes belong to the removed factor; a pending second-factor step would
        // still lead to a session with it.
        await repos.signInFactors.deleteRecoveryCodes(target.sid);
        await repos.signInFactors.deleteChallengesOf(target.sid);
        await repos.users.update(target.sid, { secondFactorRequired: true });
        await queueMail(repos, afterCommit, deps, {
          to: target.email,
          subject: 'Your two-factor authentication was reset',
          body: `An administrator of ${org.name} removed your second factor. The next time you sign in, you will be asked to set up a new one.\n\n`
            + 'If you did not expect this, contact an administrator of your organization.\n',
        });
        await audit(repos, actor, {
          orgSid, action: 'user.second_factor_reset', target: target.sid,
          before: { secondFactorRequired: target.secondFactorRequired, hadSecondFactor }, after: { secondFactorRequired: true },
        });
        return { userSid: target.sid, hadSecondFactor };
      });
    },
  };
}

/** The two-factor service object. */
export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
