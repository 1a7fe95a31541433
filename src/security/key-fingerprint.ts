/**
 * A short, one-way name for a secret key (HKDF-SHA256 with its own label, 16 bytes): a backup
 * records the fingerprint of the key that sealed its secrets, so a restore can tell the operator
 * that the target is configured with another key before loading anything. It reveals nothing of
 * the key (HKDF is one-way) and no other key derived from it.
 */
import { hkdfSync } from 'node:crypto';

export const keyFingerprint = (key: Buffer): string =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'orgward key fingerprint v1', 16)).toString('hex');
