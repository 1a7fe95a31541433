/**
 * Idempotency-Key records (issue 10): per caller and key, the request's digest and the first
 * response. The row is inserted before the mutation runs, in the mutation's own transaction
 * scope of the caller, so two instances racing on one key see the primary key conflict.
 */
import type { Knex } from 'knex';
import { rawQuery } from './scim-sql.js';

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly status: number | null;
  readonly response: unknown;
}

export function idempotencyKeyStore(db: Knex | Knex.Transaction) {
  const raw = rawQuery(db);
  return {
    /** Claims the key; false when it was claimed before (by this or another instance). */
    async claim(caller: string, key: string, requestHash: string): Promise<boolean> {
      const rows = (await raw('INSERT INTO idempotency_keys (caller, key, request_hash) VALUES (?, ?, ?) ON CONFLICT (caller, key) DO NOTHING RETURNING key',
        [caller, key, requestHash])).rows as unknown[];
      return rows.length > 0;
    },

    async get(caller: string, key: string): Promise<IdempotencyRecord | undefined> {
      const row = (await raw('SELECT request_hash, status, response FROM idempotency_keys WHERE caller = ? AND key = ?', [caller, key])).rows[0] as
        { request_hash: string; status: number | null; response: unknown } | undefined;
      return row && { requestHash: row.request_hash, status: row.status, response: row.response };
    },

    async complete(caller: string, key: string, status: number, response: unknown): Promise<void> {
      await raw('UPDATE idempotency_keys SET status = ?, response = ? WHERE caller = ? AND key = ?', [status, JSON.stringify(response), caller, key]);
    },

    /** Frees a key whose mutation failed, so the client may retry with it. */
    async release(caller: string, key: string): Promise<void> {
      await raw('DELETE FROM idempotency_keys WHERE caller = ? AND key = ? AND status IS NULL', [caller, key]);
    },
  };
}
