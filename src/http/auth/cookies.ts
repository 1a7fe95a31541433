/**
 * Cookie reading and writing for the browser flows. Every cookie is HttpOnly and SameSite=Lax
 * (sent on top-level navigations such as an OIDC redirect back to us, never on cross-site
 * subrequests or form posts), and Secure when the service runs behind https.
 */
import type { Request, Response } from 'express';

/** The session cookie. */
export const SESSION_COOKIE = 'orgward_session';
/** The per-browser CSRF token, echoed in every form (double submit). */
export const CSRF_COOKIE = 'orgward_csrf';
/** A password sign-in waiting for its second factor. */
export const CHALLENGE_COOKIE = 'orgward_challenge';
/** Binds OIDC login transactions to the browser that started them. */
export const SSO_BROWSER_COOKIE = 'orgward_sso';

/** The request's cookies (only well-formed pairs; the first of duplicate names wins). */
export function readCookies(req: Request): Record<string, string> {
  const header = req.headers.cookie;
  const out: Record<string, string> = {};
  if (typeof header !== 'string' || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!/^[\w.-]+$/.test(name) || name in out) continue;
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      // A malformed value is treated as absent.
    }
  }
  return out;
}

export const readCookie = (req: Request, name: string): string | undefined => readCookies(req)[name];

export interface CookieOptions {
  readonly secure: boolean;
  readonly maxAgeMs?: number;
  readonly path?: string;
}

export function setCookie(res: Response, name: string, value: string, options: CookieOptions): void {
  res.cookie(name, value, {
    httpOnly: true, sameSite: 'lax', secure: options.secure, path: options.path ?? '/',
    ...(options.maxAgeMs !== undefined && { maxAge: options.maxAgeMs }),
  });
}

export function clearCookie(res: Response, name: string, options: Pick<CookieOptions, 'secure' | 'path'>): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: options.path ?? '/' });
}
