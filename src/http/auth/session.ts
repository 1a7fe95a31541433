/**
 * The session cookie and the middleware that finds the signed-in user (`req.signedIn`) on every
 * request that carries one. The session itself lives in the database (services.sessions).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Services } from '../../services/index.js';
import type { IssuedSession, SignedIn } from '../../services/sessions.js';
import { CHALLENGE_COOKIE, clearCookie, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request { signedIn?: SignedIn }
  }
}

/** Sets `req.signedIn` when the request carries a valid session cookie. */
export function sessionMiddleware(services: Services) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token === undefined) return next();
    try {
      const signedIn = await services.sessions.resolve(token);
      if (signedIn) req.signedIn = signedIn;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Hands the new session to the browser (HttpOnly, SameSite=Lax, Secure behind https). */
export function startSession(res: Response, session: IssuedSession, secure: boolean, now: Date): void {
  setCookie(res, SESSION_COOKIE, session.token, { secure, maxAgeMs: Math.max(0, session.expiresAt.getTime() - now.getTime()) });
  clearCookie(res, CHALLENGE_COOKIE, { secure });
}

export function endSession(res: Response, secure: boolean): void {
  clearCookie(res, SESSION_COOKIE, { secure });
}
