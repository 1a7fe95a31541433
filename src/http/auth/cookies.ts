/**
 * Cookie reading and writing for the browser flows. Every cookie is HttpOnly and SameSite=Lax
 * (sent on top-level navigations such as an OIDC redirect back to us, never on cross-site
 * subrequests or form posts), and Secure when the service runs behind https. Secure cookies carry
 * the `__Host-` prefix (RFC 6265bis 4.1.3.2): the browser then accepts them only from this exact
 * host over https with Path=/ and no Domain, so a sibling subdomain or a plain-http page cannot
 * plant a session, CSRF token or login-binding cookie of its choosing. The one cross-site cookie
 * is the SAML login binding, which the IdP's form post must carry: SameSite=None, and only when
 * Secure (browsers refuse SameSite=None otherwise).
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
/** Binds SAML requests to the browser that was sent to the IdP (checked at the ACS). */
export const SAML_BROWSER_COOKIE = 'orgward_saml';

/** The app setting that says whether cookies are Secure (set once by createApp). */
export const SECURE_COOKIES_SETTING = 'orgward secure cookies';

/** The name a cookie goes by: `__Host-` prefixed when Secure. */
export const cookieName = (name: string, secure: boolean): string => (secure ? `__Host-${name}` : name);

/** Whether the app sets `__Host-` cookies (behind https). */
export const secureFor = (req: Request): boolean => (req.app as { get?: (key: string) => unknown } | undefined)?.get?.(SECURE_COOKIES_SETTING) === true;

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

/**
 * The cookie `name` (unprefixed) of the request; behind https only its `__Host-` form counts, so an
 * unprefixed cookie planted by a subdomain is ignored. `secure` defaults to the app's setting.
 */
export const readCookie = (req: Request, name: string, secure = secureFor(req)): string | undefined => readCookies(req)[cookieName(name, secure)];

export interface CookieOptions {
  readonly secure: boolean;
  readonly maxAgeMs?: number;
  /** Ignored when Secure: a `__Host-` cookie must have Path=/. */
  readonly path?: string;
  /** 'none' only for a cookie a cross-site form post must carry; applies only when Secure. */
  readonly sameSite?: 'lax' | 'none';
}

const attributes = (options: Pick<CookieOptions, 'secure' | 'path' | 'sameSite'>) => ({
  httpOnly: true, secure: options.secure, path: options.secure ? '/' : options.path ?? '/',
  sameSite: options.sameSite === 'none' && options.secure ? 'none' as const : 'lax' as const,
});

export function setCookie(res: Response, name: string, value: string, options: CookieOptions): void {
  res.cookie(cookieName(name, options.secure), value, {
    ...attributes(options), ...(options.maxAgeMs !== undefined && { maxAge: options.maxAgeMs }),
  });
}

export function clearCookie(res: Response, name: string, options: Pick<CookieOptions, 'secure' | 'path' | 'sameSite'>): void {
  res.clearCookie(cookieName(name, options.secure), attributes(options));
}
