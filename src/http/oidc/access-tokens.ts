/**
 * Orgward's API access tokens: JWTs (RFC 9068) that oidc-provider signs with HS256 under a key
 * derived from the server's secret key, so every instance verifies them locally with one HMAC
 * (microseconds) and no key lookup. Why JWT plus a lookup, not a cache: the signature proves the
 * token was issued to the client; whether the client may still act (revoked, creator suspended or
 * removed, organization merged) is then one primary-key query per request (services.apiClients.
 * standing), so a revocation takes effect on the very next request on every instance, which a
 * per-process cache could not promise. Both together stay well under 0.5 ms of server CPU.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** The resource (audience) of every Organizations API token. */
export const apiAudience = (baseUrl: string): string => `${baseUrl}/Organizations`;

/** The HS256 key of access tokens, derived (HKDF) so it is not the encryption key itself. */
export const accessTokenKey = (secretKey: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'orgward api access token v1', 32));

export interface AccessTokenClaims {
  readonly clientId: string;
  readonly expiresAt: number;
}

const invalid = (why: string) => new DomainError('unauthenticated', `The access token is ${why}. Get a new one from POST /v1/token.`);

/** Verifies an access token's signature, issuer, audience and expiry; returns its client. */
export function verifyAccessToken(token: string, options: { key: Buffer; issuer: string; audience: string; nowSeconds: number }): AccessTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalid('not one of ours');
  const [head, body, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', options.key).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('not one of ours');
  let header: { alg?: unknown };
  let claims: { iss?: unknown; aud?: unknown; exp?: unknown; client_id?: unknown };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    throw invalid('malformed');
  }
  if (header.alg !== 'HS256' || claims.iss !== options.issuer) throw invalid('not one of ours');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.audience)) throw invalid('meant for another service');
  if (typeof claims.exp !== 'number' || claims.exp <= options.nowSeconds) throw invalid('expired');
  if (typeof claims.client_id !== 'string') throw invalid('malformed');
  return { clientId: claims.client_id, expiresAt: claims.exp };
}
