/**
 * Bearer secrets (SCIM tokens, reset links, invitations, session ids): 256 random bits, shown once,
 * stored only as a SHA-256 digest. A fast hash is right here because the input has full entropy.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
