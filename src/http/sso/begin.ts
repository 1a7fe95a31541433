/** Starting an SSO login from our side (sign-in or test), whichever the connection's protocol. */
import type { Request, Response } from 'express';
import { DomainError, isDomainError } from '../../errors.js';
import type { Services } from '../../services/index.js';
import { LOGIN_TTL_MS } from '../../services/sso-login.js';
import type { SsoPurpose } from '../../services/sso-types.js';
import { newToken } from '../../security/tokens.js';
import { readCookie, setCookie, SSO_BROWSER_COOKIE } from '../auth/cookies.js';
import { beginOidc } from './oidc.js';
import { beginSaml } from './saml.js';

/**
 * The URL to send the browser to. For OIDC, the browser gets (or keeps) its binding cookie. An IdP
 * that cannot be reached (OIDC discovery) is `sso_unavailable`, with the cause logged.
 */
export async function beginSso(services: Services, req: Request, res: Response, login: { connectionId: string; protocol: 'saml' | 'oidc'; purpose: SsoPurpose; secureCookies: boolean }): Promise<string> {
  try {
    return await begin(services, req, res, login);
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw new DomainError('sso_unavailable', "Your organization's identity provider cannot be reached right now. Try again in a moment.", { cause: error });
  }
}

async function begin(services: Services, req: Request, res: Response, login: { connectionId: string; protocol: 'saml' | 'oidc'; purpose: SsoPurpose; secureCookies: boolean }): Promise<string> {
  if (login.protocol === 'saml') return beginSaml(services, login.connectionId, login.purpose);
  const existing = readCookie(req, SSO_BROWSER_COOKIE);
  const browserToken = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : newToken();
  setCookie(res, SSO_BROWSER_COOKIE, browserToken, { secure: login.secureCookies, path: '/sso', maxAgeMs: LOGIN_TTL_MS });
  return beginOidc(services, login.connectionId, login.purpose, browserToken);
}
