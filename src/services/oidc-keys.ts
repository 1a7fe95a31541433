/**
 * The OpenID provider's signing keys (RS256, the algorithm every relying party supports, OpenID
 * Connect Core §15.1). Kept in the database, sealed with the secret key, so every instance signs
 * with the same key and publishes the same JWKS. `rotate` makes a new key the signing one; the
 * keys it replaces stay published until every token they signed has expired.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { decideOperatorOnly } from '../rules/operator.js';
import { decryptSecret, encryptSecret } from '../security/encryption.js';
import type { Repos } from '../store/index.js';
import type { Actor } from '../types.js';
import { fail } from './context.js';
import type { ServiceDeps } from './index.js';

/** The longest a token signed by the provider lives (ID tokens; logout tokens are shorter). */
export const ID_TOKEN_TTL_SECONDS = 3600;
/** A retired key stays published this long: its last ID token expires, plus clock leeway. */
export const RETIRED_KEY_PUBLISHED_MS = (ID_TOKEN_TTL_SECONDS + 300) * 1000;

export type PrivateJwk = Record<string, unknown> & { kid: string };

/** The published keys, the signing key first. */
export interface SigningKeys {
  readonly keys: readonly PrivateJwk[];
  /** Changes whenever the set changes (the provider is rebuilt then). */
  readonly fingerprint: string;
}

function newKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(12).toString('base64url');
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

export function createOidcKeysService(deps: ServiceDeps) {
  const { store, clock, secretKey } = deps;

  async function insertKey(repos: Repos): Promise<PrivateJwk> {
    const jwk = newKey();
    await repos.oidcSigningKeys.insert({ kid: jwk.kid, jwkEncrypted: encryptSecret(secretKey, JSON.stringify(jwk)), now: clock.now() });
    return jwk;
  }

  return {
    /** The published keys; the first start (on any instance) creates the first one. */
    async published(): Promise<SigningKeys> {
      let rows = await store.read.oidcSigningKeys.published(clock.now());
      if (!rows.some((r) => r.retiredAt === null)) {
        rows = await store.transaction(async (repos) => {
          await repos.oidcSigningKeys.lockKeys();
          // Another instance may have made it while this one waited for the lock.
          if (!(await repos.oidcSigningKeys.published(clock.now())).some((r) => r.retiredAt === null)) await insertKey(repos);
          return repos.oidcSigningKeys.published(clock.now());
        });
      }
      const ordered = [...rows.filter((r) => r.retiredAt === null), ...rows.filter((r) => r.retiredAt !== null)];
      return { keys: ordered.map((r) => JSON.parse(decryptSecret(secretKey, r.jwkEncrypted)) as PrivateJwk), fingerprint: ordered.map((r) => r.kid).join(',') };
    },

    /** `orgward oidc rotate-keys`: a new signing key; the former ones stay published until their tokens expire. */
    async rotate(actor: Actor): Promise<{ kid: string; retired: string[]; retiredPublishedUntil: Date }> {
      const d = decideOperatorOnly(actor.kind, 'rotate the signing keys (orgward oidc rotate-keys)');
      if (d.kind === 'reject') fail(d);
      return store.transaction(async (repos) => {
        await repos.oidcSigningKeys.lockKeys();
        const jwk = await insertKey(repos);
        const until = new Date(clock.now().getTime() + RETIRED_KEY_PUBLISHED_MS);
        const retired = await repos.oidcSigningKeys.retireAllBut(jwk.kid, clock.now(), until);
        return { kid: jwk.kid, retired, retiredPublishedUntil: until };
      });
    },
  };
}

export type OidcKeysService = ReturnType<typeof createOidcKeysService>;
