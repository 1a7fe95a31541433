/**
 * When a session still signs its user in.
 *
 * Rules: U3 (a password change or reset signs the user out everywhere: a session issued before
 * the user's password_changed_at no longer counts), C3 (a suspended user's sessions end), S7
 * (sessions revoked when enforcement is switched on), and plain expiry.
 */

/** A stored session with what its validity depends on. */
export interface SessionSnapshot {
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revoked: boolean;
  readonly userStatus: 'active' | 'suspended';
  readonly passwordChangedAt: Date | null;
}

/** Why a session no longer counts, or 'valid'. */
export type SessionValidity = 'valid' | 'revoked' | 'expired' | 'user_suspended' | 'password_changed';

/** U3, C3, S7: is the session still good at `now`? */
export function decideSessionValidity(s: SessionSnapshot, now: Date): SessionValidity {
  if (s.revoked) return 'revoked';
  if (s.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (s.userStatus !== 'active') return 'user_suspended';
  if (s.passwordChangedAt !== null && s.createdAt.getTime() < s.passwordChangedAt.getTime()) return 'password_changed';
  return 'valid';
}

/**
 * The time to record as a new session's issue time: now, but never earlier than the password
 * change it was issued under, so that two instances whose clocks disagree by a little cannot make
 * a fresh session look older than the password (U3).
 */
export function sessionIssuedAt(now: Date, passwordChangedAt: Date | null): Date {
  return passwordChangedAt !== null && passwordChangedAt.getTime() > now.getTime() ? passwordChangedAt : now;
}

/** A pending second-factor challenge (a correct password whose second factor is still to come). */
export interface ChallengeSnapshot {
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly userStatus: 'active' | 'suspended';
  readonly passwordChangedAt: Date | null;
}

/**
 * U3, S7, C4: a pending second-factor step counts only as long as a session issued at the same
 * moment would. A challenge issued before the user's password_changed_at (a password reset by the
 * user or an administrator) or for a suspended user no longer leads to a session.
 */
export function decideChallengeValidity(c: ChallengeSnapshot, now: Date): SessionValidity {
  return decideSessionValidity({ ...c, revoked: false }, now);
}
