/**
 * Browser sessions, stored in the database so every instance behind a load balancer sees the same
 * ones. The browser holds a random 256-bit id; only its SHA-256 digest is stored. A session stops
 * counting when revoked (sign-out, U3, C3, S7), expired, when its user is suspended, or when it was
 * issued before the user's last password change (rules/session-validity.ts).
 */
import { decideSessionValidity, sessionIssuedAt } from '../rules/session-validity.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { Repos } from '../store/index.js';
import type { SessionMethod } from '../store/sessions.js';
import type { Role } from '../types.js';
import type { ServiceDeps } from './index.js';
import { endOwnSession } from './session-ends.js';

/** How long a session lasts from sign-in. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reading a session is usually one query. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

/** The signed-in user behind a valid session. */
export interface SignedIn {
  readonly userSid: string;
  readonly email: string;
  readonly orgSid: string | null;
  readonly role: Role | null;
  readonly method: SessionMethod;
  readonly connectionId: string | null;
  readonly expiresAt: Date;
}

/** A session just issued: the secret goes into the cookie and nowhere else. */
export interface IssuedSession {
  readonly token: string;
  readonly expiresAt: Date;
}

export function createSessionService(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const { store, clock } = deps;
  return {
    /** Issues a session for `userSid` in the caller's transaction. */
    async issue(repos: Repos, input: { userSid: string; method: SessionMethod; connectionId?: string | null; passwordChangedAt: Date | null }): Promise<IssuedSession> {
      const now = sessionIssuedAt(clock.now(), input.passwordChangedAt);
      const token = newToken('ows_');
      const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
      await repos.sessions.insert({ idHash: hashToken(token), userSid: input.userSid, method: input.method, connectionId: input.connectionId ?? null, now, expiresAt });
      return { token, expiresAt };
    },

    /** The user signed in by `token`, or undefined when the session does not count (any reason). */
    async resolve(token: string | undefined): Promise<SignedIn | undefined> {
      if (typeof token !== 'string' || !/^ows_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const now = clock.now();
      const idHash = hashToken(token);
      const s = await store.read.sessions.findLiveWithUser(idHash, now);
      if (!s) return undefined;
      const validity = decideSessionValidity({
        createdAt: s.createdAt, expiresAt: s.expiresAt, revoked: false, userStatus: s.status, passwordChangedAt: s.passwordChangedAt,
      }, now);
      if (validity !== 'valid') return undefined;
      if (now.getTime() - s.lastSeenAt.getTime() > TOUCH_EVERY_MS) await store.transaction((repos) => repos.sessions.touch(idHash, now));
      return { userSid: s.userSid, email: s.email, orgSid: s.orgSid, role: s.role, method: s.method, connectionId: s.connectionId, expiresAt: s.expiresAt };
    },

    /** Sign-out: the session ends on every instance at once (session.revoked, issue 13). */
    async signOut(token: string | undefined): Promise<void> {
      if (typeof token !== 'string' || token === '') return;
      await store.transaction((repos) => endOwnSession(repos, { token, now: clock.now() }));
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
