/** Starting an SSO login from our side (sign-in or test), whichever the connection's protocol. */
import type { Request, Response } from 'express';
import { DomainError, isDomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import { LOGIN_TTL_MS } from '../../services/sso-login.js';
import type { SsoPurpose } from '../../services/sso-types.js';
import { newToken } from '../../security/tokens.js';
import { readCookie, SAML_BROWSER_COOKIE, setCookie, SSO_BROWSER_COOKIE } from '../auth/cookies.js';
import { beginOidc } from './oidc.js';
import { beginSaml } from './saml.js';

/** What starts a login: the connection, why, and (test sign-ins only) the Owner it may link (S6). */
export interface LoginStart {
  readonly connectionId: string;
  readonly protocol: 'saml' | 'oidc';
  readonly purpose: SsoPurpose;
  readonly secureCookies: boolean;
  readonly linkUserSid?: string | null;
}

/**
 * The URL to send the browser to. The browser gets (or keeps) the cookie that binds the login to
 * it: the response or callback is accepted only from the browser that was sent to the IdP. An IdP
 * that cannot be reached (OIDC discovery) is `sso_unavailable`, with the cause logged.
 */
export async function beginSso(services: Services, req: Request, res: Response, login: LoginStart): Promise<string> {
  try {
    return await begin(services, req, res, login);
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw new DomainError('sso_unavailable', "Your organization's identity provider cannot be reached right now. Try again in a moment.", { cause: error });
  }
}

async function begin(services: Services, req: Request, res: Response, login: LoginStart): Promise<string> {
  const linkUserSid = login.linkUserSid ?? null;
  // SAML comes back as a cross-site form post, which carries only a SameSite=None cookie.
  const name = login.protocol === 'saml' ? SAML_BROWSER_COOKIE : SSO_BROWSER_COOKIE;
  const existing = readCookie(req, name, login.secureCookies);
  const browserToken = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : newToken();
  setCookie(res, name, browserToken, {
    secure: login.secureCookies, path: '/sso', maxAgeMs: LOGIN_TTL_MS, sameSite: login.protocol === 'saml' ? 'none' : 'lax',
  });
  if (login.protocol === 'saml') return beginSaml(services, login.connectionId, login.purpose, browserToken, linkUserSid);
  return beginOidc(services, login.connectionId, login.purpose, browserToken, linkUserSid);
}
