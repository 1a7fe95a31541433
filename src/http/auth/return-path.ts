/**
 * Coming back after signing in: a page that needs a signed-in user (a merge or account-import
 * link) sends the browser to /login?next=<its path>; the path is kept in a short-lived cookie
 * while the sign-in runs (email, password, second factor, or an SSO round trip, which all end
 * at GET /login) and GET /login then sends the signed-in browser back there.
 *
 * Only a same-origin path of our own link pages is ever followed (no scheme, no host, no `//`,
 * no backslash, no dot segments, no query): never an open redirect.
 */
import type { NextFunction, Request, Response } from 'express';
import { clearCookie, readCookie, setCookie } from './cookies.js';

/** The cookie that holds the path to return to during sign-in. */
export const RETURN_COOKIE = 'orgward_return';
/** Long enough to sign in (the second-factor step lasts 10 minutes), short enough to be forgotten. */
const RETURN_TTL_MS = 15 * 60 * 1000;

// oauth/interaction: a product app's sign-in (http/oidc/interactions.ts) resumes after Orgward's.
const RETURNABLE = /^\/(?:merges|account-imports|invitations|signup|oauth\/interaction)\/[A-Za-z0-9_-]{1,128}$/;
/** Admin Center pages (http/admin): a path of plain segments, no query. */
const ADMIN_RETURNABLE = /^\/admin(?:\/[A-Za-z0-9_-]{1,128}){0,4}$/;

/** `value` when it is a path this service may send a browser back to, else undefined. */
export function safeReturnPath(value: unknown): string | undefined {
  return typeof value === 'string' && (RETURNABLE.test(value) || ADMIN_RETURNABLE.test(value)) ? value : undefined;
}

/** The sign-in link that comes back to `path`. */
export const signInThenReturn = (path: string): string => `/login?next=${encodeURIComponent(path)}`;

/**
 * Middleware for GET /login, before the sign-in page: remembers a safe `next`, and sends a
 * signed-in browser back to the remembered path (once: the cookie is cleared).
 */
export function returnAfterSignIn(secure: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const asked = safeReturnPath(req.query.next);
    if (req.signedIn) {
      const back = asked ?? safeReturnPath(readCookie(req, RETURN_COOKIE));
      if (back) {
        clearCookie(res, RETURN_COOKIE, { secure });
        res.redirect(303, back);
        return;
      }
    } else if (asked) {
      setCookie(res, RETURN_COOKIE, asked, { secure, maxAgeMs: RETURN_TTL_MS });
    }
    next();
  };
}
