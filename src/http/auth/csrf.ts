/**
 * CSRF defence for the sign-in forms: the session cookie is SameSite=Lax, and every form carries
 * the per-browser token from the CSRF cookie (double submit; a cross-site page can neither read
 * the cookie nor set it). A present Origin header must be our own origin.
 */
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../errors.js';
import { newToken, sameDigest } from '../../security/tokens.js';
import { cookieName, CSRF_COOKIE, readCookie, setCookie } from './cookies.js';

/** The browser's CSRF token, set as a cookie when it has none yet. */
export function csrfToken(req: Request, res: Response, secure: boolean): string {
  const existing = readCookie(req, CSRF_COOKIE, secure);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = newToken();
  setCookie(res, CSRF_COOKIE, token, { secure });
  // Pages rendered later in this request see it too.
  req.headers.cookie = `${cookieName(CSRF_COOKIE, secure)}=${token}${req.headers.cookie ? `; ${req.headers.cookie}` : ''}`;
  return token;
}

/** Refuses a form post without our origin and the browser's CSRF token. */
export function requireCsrf(baseUrl: string) {
  const ours = new URL(baseUrl).origin;
  return (req: Request, _res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    const cookie = readCookie(req, CSRF_COOKIE);
    const given = (req.body as Record<string, unknown> | undefined)?._csrf;
    // A page sent with Referrer-Policy: no-referrer makes browsers post `Origin: null` (Fetch,
    // "serializing a request origin"): no origin to compare, so the token alone decides.
    if ((origin !== undefined && origin !== 'null' && origin !== ours) || !cookie || typeof given !== 'string' || !sameDigest(given, cookie)) {
      next(new DomainError('forbidden', 'This form has expired or did not come from this site. Go back, reload the page and try again.'));
      return;
    }
    next();
  };
}
