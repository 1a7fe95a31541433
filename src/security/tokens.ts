/**
 * Bearer secrets (SCIM tokens, reset links, invitations, session ids): 256 random bits, shown once,
 * stored only as a SHA-256 digest. A fast hash is right here because the input has full entropy.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');

// One-shot crypto.hash: every SCIM request hashes its bearer token.
export const hashToken = (token: string): string => hash('sha256', token, 'hex');

export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
