/**
 * Ending a person's sessions, with its lifecycle event (issue 13: `session.revoked`). Every path
 * that ends sessions (sign-out, U3 password reset or change, C3 suspension, C4 removal, S7 SSO
 * enforcement, M3 a merge into an organization that enforces SSO) ends them through here, so the
 * event is written in the transaction that ends them: its audit entry (L1) is the outbox row.
 *
 * The event says whose sessions ended, how many Orgward sessions, how many of the product's apps
 * lost their grant (their tokens stop working and they get a back-channel logout notice) and why;
 * never a session id or token (L1: secrets are never recorded). Nothing ended, no event. A person
 * outside every organization has no organization to file an event under: their sessions end
 * without one.
 */
import { hashToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import type { EndedSessions } from '../store/sessions.js';
import type { Actor } from '../types.js';
import { audit } from './context.js';

/** Why sessions ended (also the sessions row's revoked_reason and the back-channel notice's reason). */
export type SessionEndReason =
  | 'signed_out' | 'password_reset' | 'password_changed' | 'suspended' | 'member_removed' | 'sso_enforced' | 'merged_into_sso_organization';

/** The audit action whose event is `session.revoked` (rules/event-types.ts). */
export const SESSION_REVOKED = 'session.revoked';

async function recordEnded(repos: Repos, actor: Actor, orgSid: string | null, ended: EndedSessions, reason: SessionEndReason): Promise<void> {
  if (orgSid === null || (ended.sessions === 0 && ended.apps === 0)) return;
  await audit(repos, actor, {
    orgSid, action: SESSION_REVOKED, target: ended.userSid,
    after: { user: ended.userSid, sessions: ended.sessions, apps: ended.apps, reason },
  });
}

/**
 * Ends every session of `userSid` (and the product apps' grants) in the caller's transaction and
 * records it in `orgSid`; the number of Orgward sessions ended.
 */
export async function endSessionsOfUser(
  repos: Repos, actor: Actor, input: { orgSid: string | null; userSid: string; reason: SessionEndReason; now: Date },
): Promise<number> {
  const ended = await repos.sessions.revokeAllOfUser(input.userSid, input.reason, input.now);
  await recordEnded(repos, actor, input.orgSid, ended, input.reason);
  return ended.sessions;
}

/**
 * S7: ends the password sessions of everyone whose email is on `domain`, in the caller's
 * transaction; the number of Orgward sessions ended. One event per person, in the person's own
 * organization: someone of another organization with an address on the domain (U5 covers them
 * too) is recorded there as the system's act, so neither organization sees the other's people.
 */
export async function endPasswordSessionsOnDomain(
  repos: Repos, actor: Actor, input: { orgSid: string; domain: string; reason: SessionEndReason; now: Date },
): Promise<number> {
  let sessions = 0;
  for (const ended of await repos.sessions.revokeForDomain(input.domain, input.reason, input.now)) {
    const orgSid = (await repos.users.get(ended.userSid))?.orgSid ?? null;
    await recordEnded(repos, orgSid === input.orgSid ? actor : { kind: 'system' }, orgSid, ended, input.reason);
    sessions += ended.sessions;
  }
  return sessions;
}

/** Sign-out: ends the session whose secret is `token`, recorded as the person's own act. */
export async function endOwnSession(repos: Repos, input: { token: string; now: Date }): Promise<void> {
  const userSid = await repos.sessions.revoke(hashToken(input.token), 'signed_out', input.now);
  if (userSid === undefined) return;
  const user = await repos.users.get(userSid);
  await recordEnded(repos, { kind: 'user', userSid }, user?.orgSid ?? null, { userSid, sessions: 1, apps: 0 }, 'signed_out');
}
