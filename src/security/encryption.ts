/**
 * Secrets at rest (OIDC client secrets, SAML SP keys, TOTP seeds): AES-256-GCM with a random
 * 96-bit nonce. A keyring supports rotation: the primary key seals, every key of the ring opens
 * (GCM's tag tells which key fits), and `orgward secrets reencrypt` moves old values to the primary.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** The keys that open sealed secrets; `primary` is the one that seals new ones. */
export interface Keyring {
  readonly primary: Buffer;
  /** Every key, primary first. */
  readonly keys: readonly Buffer[];
}

/** One key, or a keyring during a rotation. */
export type SecretKey = Buffer | Keyring;

/** A keyring from keys in order of preference: the first seals, all open. */
export function keyring(keys: readonly Buffer[]): Keyring {
  if (keys.length === 0) throw new Error('a keyring needs at least one key');
  for (const key of keys) if (key.length !== 32) throw new Error('secret keys are 32 bytes');
  return Object.freeze({ primary: keys[0]!, keys: Object.freeze([...keys]) });
}

const ringOf = (key: SecretKey): Keyring => (Buffer.isBuffer(key) ? keyring([key]) : key);

/** The key that seals new secrets; keys derived from it (token signing) follow a rotation at restart. */
export const primaryKey = (key: SecretKey): Buffer => ringOf(key).primary;

export function encryptSecret(key: SecretKey, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ringOf(key).primary, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** Opens `sealed` with whichever key of the ring sealed it; throws when none does. */
export function decryptSecret(key: SecretKey, sealed: string): string {
  return openSealed(ringOf(key), sealed).plaintext;
}

/** Opens `sealed` and says whether the primary key sealed it (else it needs re-encrypting). */
export function openSealed(ring: Keyring, sealed: string): { plaintext: string; sealedWithPrimary: boolean } {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('unrecognised sealed secret');
  for (const [index, candidate] of ring.keys.entries()) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', candidate, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      return { plaintext, sealedWithPrimary: index === 0 };
    } catch {
      // Wrong key: GCM's authentication failed; try the next one.
    }
  }
  throw new Error('a secret at rest was sealed with none of the configured keys (SECRET_KEY / SECRET_KEYS)');
}
