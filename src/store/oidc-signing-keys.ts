/** The OpenID provider's signing keys, sealed with the secret key (security/encryption.ts). */
import type { Knex } from 'knex';

export const OIDC_SIGNING_KEYS = 'oidc_signing_keys';

interface KeyRow { kid: string; jwk_encrypted: string; created_at: Date; retired_at: Date | null; publish_until: Date | null }

export interface SigningKeyRecord {
  readonly kid: string;
  readonly jwkEncrypted: string;
  readonly createdAt: Date;
  readonly retiredAt: Date | null;
  readonly publishUntil: Date | null;
}

const mapRow = (r: KeyRow): SigningKeyRecord => ({ kid: r.kid, jwkEncrypted: r.jwk_encrypted, createdAt: r.created_at, retiredAt: r.retired_at, publishUntil: r.publish_until });

export function oidcSigningKeyStore(db: Knex | Knex.Transaction) {
  return {
    /** Keys still published at `now`: the signing one (never retired) and retired ones not yet past publish_until. */
    async published(now: Date): Promise<SigningKeyRecord[]> {
      return (await db<KeyRow>(OIDC_SIGNING_KEYS).whereNull('retired_at').orWhere('publish_until', '>', now)
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'kid', order: 'desc' }])).map(mapRow);
    },
    /** Serialises key creation and rotation across instances (transaction-scoped advisory lock). */
    async lockKeys(): Promise<void> {
      await db.raw('SELECT pg_advisory_xact_lock(hashtext(?))', ['orgward oidc signing keys']);
    },
    async insert(k: { kid: string; jwkEncrypted: string; now: Date }): Promise<void> {
      await db(OIDC_SIGNING_KEYS).insert({ kid: k.kid, jwk_encrypted: k.jwkEncrypted, created_at: k.now });
    },
    /** Retires every signing key but `keepKid`; they stay published until `publishUntil`. */
    async retireAllBut(keepKid: string, now: Date, publishUntil: Date): Promise<string[]> {
      const rows = await db(OIDC_SIGNING_KEYS).whereNull('retired_at').whereNot('kid', keepKid)
        .update({ retired_at: now, publish_until: publishUntil }).returning('kid') as { kid: string }[];
      return rows.map((r) => r.kid);
    },
  };
}
