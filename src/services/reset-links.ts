/**
 * Password-reset links (U3): a random single-use token, stored only as its SHA-256 digest, valid
 * 24 hours. Issuing one expires every earlier unused link of the same user, except on a
 * self-service request: anyone can ask for a reset of any address, so a request must not cancel
 * the link a legitimate user is about to use.
 */
import { planPasswordReset } from '../rules/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import { link } from './mail-queue.js';

/** A mailed reset link and when it stops working. */
export interface ResetLink {
  readonly url: string;
  readonly expiresAt: Date;
}

/** Stores a new reset token for `userSid` in the caller's transaction and returns its link. */
export async function issueResetLink(
  repos: Repos, baseUrl: string, userSid: string, orgSid: string | null, now: Date, options: { expireEarlier: boolean } = { expireEarlier: true },
): Promise<ResetLink> {
  const plan = planPasswordReset(userSid, now);
  if (options.expireEarlier) await repos.tokens.expireFor('password_reset', userSid, now);
  const token = newToken();
  await repos.tokens.insert({ tokenHash: hashToken(token), purpose: 'password_reset', subject: userSid, orgSid, expiresAt: plan.tokenExpiresAt });
  return { url: link(baseUrl, `/password-reset/${token}`), expiresAt: plan.tokenExpiresAt };
}
