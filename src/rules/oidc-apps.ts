/**
 * Registering a product app as an OpenID Connect client (issue 13). Redirect URIs are compared
 * exactly by the provider, so they are kept exactly as given once they pass these checks: an
 * absolute https URL (http only on a loopback host, for development, RFC 8252 §7.3), no fragment
 * (RFC 6749 §3.1.2), no user name or password. The back-channel logout URI follows the same rules
 * (OpenID Connect Back-Channel Logout 1.0 §2.2).
 *
 * Rules: S7 (an app signs people in only through Orgward's own sign-in, so registering one grants
 * no way around SSO enforcement); issue 13 (apps are registered by the operator, first-party).
 */
import type { Rejection } from './decision.js';
import { reject } from './decision.js';

export const MAX_REDIRECT_URIS = 20;

export interface AppRegistration {
  readonly kind: 'register';
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly public: boolean;
  readonly backchannelLogoutUri: string | null;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function uriProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return `The ${what} must be an absolute URL (at most 2,000 characters).`;
  let url: URL;
  try { url = new URL(value); } catch { return `The ${what} ${value} is not an absolute URL.`; }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    return `The ${what} ${value} must use https (http only on localhost, 127.0.0.1 or [::1]).`;
  }
  if (url.hash !== '' || value.includes('#')) return `The ${what} ${value} must not have a fragment (#…).`;
  if (url.username !== '' || url.password !== '') return `The ${what} ${value} must not carry a user name or password.`;
  return undefined;
}

/** Checks an app registration; the values it returns are stored as they are. */
export function decideAppRegistration(input: { name?: unknown; redirectUris?: unknown; public?: unknown; backchannelLogoutUri?: unknown }): AppRegistration | Rejection<'invalid_input'> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > 200) return reject('invalid_input', 'An app needs a name of 1 to 200 characters (--name; name over the API).');
  const uris = input.redirectUris;
  if (!Array.isArray(uris) || uris.length === 0) return reject('invalid_input', 'An app needs at least one redirect URI (--redirect-uri; redirect_uris over the API).');
  if (uris.length > MAX_REDIRECT_URIS) return reject('invalid_input', `An app has at most ${MAX_REDIRECT_URIS} redirect URIs.`);
  for (const uri of uris) {
    const problem = uriProblem(uri, 'redirect URI');
    if (problem) return reject('invalid_input', problem);
  }
  let backchannelLogoutUri: string | null = null;
  if (input.backchannelLogoutUri !== undefined && input.backchannelLogoutUri !== null) {
    const problem = uriProblem(input.backchannelLogoutUri, 'back-channel logout URI');
    if (problem) return reject('invalid_input', problem);
    backchannelLogoutUri = input.backchannelLogoutUri as string;
  }
  return { kind: 'register', name, redirectUris: [...new Set(uris as string[])], public: input.public === true, backchannelLogoutUri };
}
