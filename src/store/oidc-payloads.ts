/**
 * oidc-provider's shared state (its adapter interface, lib/adapters/memory_adapter.js), one row per
 * (model, id), so that every instance sees the same grants, codes and replay records.
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';

export type OidcPayload = Record<string, unknown>;

export function oidcPayloadStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  return {
    async upsert(model: string, id: string, payload: OidcPayload, expiresAt: Date | null): Promise<void> {
      await raw(`INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
          uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
      [model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt]);
    },

    /** The live payload (not expired), with `consumed` set when it was consumed. */
    async find(model: string, column: 'id' | 'uid' | 'user_code', value: string, now: Date): Promise<OidcPayload | undefined> {
      const row = (await raw(`SELECT payload, consumed_at FROM oidc_payloads WHERE model = ? AND ${column} = ? AND (expires_at IS NULL OR expires_at > ?)`,
        [model, value, now])).rows[0] as { payload: OidcPayload; consumed_at: Date | null } | undefined;
      if (!row) return undefined;
      return { ...row.payload, ...(row.consumed_at && { consumed: Math.floor(row.consumed_at.getTime() / 1000) }) };
    },

    /**
     * Marks the row consumed; false when it already was (or is gone): another request used it
     * first, between the provider's read and this write (two exchanges of one code, two refreshes
     * with one refresh token).
     */
    async consume(model: string, id: string, at: Date): Promise<boolean> {
      const result = await raw('UPDATE oidc_payloads SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL RETURNING id', [at, model, id]);
      return result.rows.length > 0;
    },

    async destroy(model: string, id: string): Promise<void> {
      await raw('DELETE FROM oidc_payloads WHERE model = ? AND id = ?', [model, id]);
    },

    async revokeByGrantId(grantId: string): Promise<void> {
      await raw('DELETE FROM oidc_payloads WHERE grant_id = ?', [grantId]);
    },

    /** Everything the provider keeps of one client (a deleted app). */
    async destroyOfClient(clientId: string): Promise<void> {
      await raw(`DELETE FROM oidc_payloads WHERE payload->>'clientId' = ?`, [clientId]);
    },

    /** The sign-in methods (amr) recorded for a grant: its codes and refresh tokens carry them. */
    async amrOfGrant(grantId: string): Promise<string[] | undefined> {
      const row = (await raw(`SELECT payload->'amr' AS amr FROM oidc_payloads WHERE grant_id = ? AND model IN ('RefreshToken', 'AuthorizationCode')
        AND jsonb_typeof(payload->'amr') = 'array' LIMIT 1`, [grantId])).rows[0] as { amr: string[] } | undefined;
      return row?.amr;
    },
  };
}
