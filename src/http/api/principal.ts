/**
 * Who calls an Organizations API route: an API client or an operator client (bearer token from
 * POST /v1/token), or the signed-in console user (session cookie; writes need the CSRF token).
 * Each principal carries the Actor the services authorise (O3, U6), so every route goes through
 * the same rules as the console and the CLI.
 */
import type { Request } from 'express';
import { DomainError } from '../../errors.js';
import { sameDigest } from '../../security/tokens.js';
import type { Actor, Role } from '../../types.js';
import { CSRF_COOKIE, readCookie } from '../auth/cookies.js';
import type { ApiClientRole } from '../../rules/api-clients.js';

export type Principal =
  | { readonly kind: 'api-client'; readonly clientId: string; readonly orgSid: string; readonly role: ApiClientRole; readonly actor: Actor }
  | { readonly kind: 'operator'; readonly clientId: string; readonly orgSid: null; readonly role: 'operator'; readonly actor: Actor }
  | { readonly kind: 'session'; readonly userSid: string; readonly orgSid: string | null; readonly role: Role | null; readonly actor: Actor };

/** Verifies a bearer token and returns its principal, or throws `unauthenticated`. */
export type BearerVerifier = (token: string, requestId: string) => Promise<Principal>;

const BEARER = /^Bearer\s+([\x21-\x7e]{1,4096})$/i;

/**
 * The caller of a request. A bearer token wins over a session cookie (an API call from a browser
 * extension carries both); a session write needs the CSRF double-submit header `X-CSRF-Token`
 * matching the CSRF cookie, and a present Origin must be ours.
 */
export function principalResolver(verifyBearer: BearerVerifier, baseUrl: string) {
  const ours = new URL(baseUrl).origin;
  return async (req: Request, write: boolean): Promise<Principal> => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = BEARER.exec(header);
      if (!match) throw new DomainError('unauthenticated', 'Send "Authorization: Bearer <access token>"; get a token from POST /v1/token with your API client ID and secret.');
      return verifyBearer(match[1]!, req.id);
    }
    const signedIn = req.signedIn;
    if (!signedIn) throw new DomainError('unauthenticated', 'Authenticate with a bearer token from POST /v1/token, or sign in to the console.');
    if (write) {
      const origin = req.get('origin');
      const cookie = readCookie(req, CSRF_COOKIE);
      const given = req.get('x-csrf-token');
      if ((origin !== undefined && origin !== ours) || !cookie || !given || !sameDigest(given, cookie)) {
        throw new DomainError('forbidden', 'This change did not carry the console\'s CSRF token. Reload the page and try again.');
      }
    }
    return {
      kind: 'session', userSid: signedIn.userSid, orgSid: signedIn.orgSid, role: signedIn.role,
      actor: { kind: 'user', userSid: signedIn.userSid, requestId: req.id },
    };
  };
}
