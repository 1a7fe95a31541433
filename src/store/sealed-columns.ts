/**
 * Every column that holds a secret sealed with the secret key (security/encryption.ts), so key
 * rotation can re-encrypt them all. A new `*_encrypted` column must be listed here: a test
 * compares this list with the schema.
 */
import type { Knex } from 'knex';

export interface SealedColumn {
  readonly table: string;
  /** The table's primary key column. */
  readonly key: string;
  readonly column: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'second_factors', key: 'user_sid', column: 'secret_encrypted' },
  { table: 'sign_in_challenges', key: 'id_hash', column: 'secret_encrypted' },
  { table: 'sign_in_challenges', key: 'id_hash', column: 'recovery_codes_encrypted' },
  { table: 'sso_connections', key: 'id', column: 'sp_private_key_encrypted' },
  { table: 'sso_connections', key: 'id', column: 'client_secret_encrypted' },
  { table: 'sso_oidc_transactions', key: 'state_hash', column: 'code_verifier_encrypted' },
  { table: 'webhook_endpoints', key: 'id', column: 'secret_encrypted' },
  { table: 'webhook_endpoints', key: 'id', column: 'previous_secret_encrypted' },
  { table: 'oidc_signing_keys', key: 'kid', column: 'jwk_encrypted' },
];

export function sealedColumnStore(db: Knex | Knex.Transaction) {
  return {
    /** The columns holding sealed secrets. */
    async columns(): Promise<readonly SealedColumn[]> { return SEALED_COLUMNS; },
    /** The sealed values of one column, locked until the transaction ends. */
    async lockValues(c: SealedColumn): Promise<{ key: string; sealed: string }[]> {
      const rows = await db(c.table).select({ key: c.key, sealed: c.column }).whereNotNull(c.column).orderBy(c.key).forUpdate() as { key: string; sealed: string }[];
      return rows.map((r) => ({ key: String(r.key), sealed: r.sealed }));
    },
    async replaceValue(c: SealedColumn, key: string, sealed: string): Promise<void> {
      await db(c.table).where(c.key, key).update({ [c.column]: sealed });
    },
    /** `table.column` of every column named `*_encrypted` in the schema (to check SEALED_COLUMNS is complete). */
    async encryptedColumnsInSchema(): Promise<string[]> {
      const rows = await db('information_schema.columns').select('table_name', 'column_name')
        .where('table_schema', db.raw('current_schema()')).where('column_name', 'like', '%\\_encrypted') as { table_name: string; column_name: string }[];
      return rows.map((r) => `${r.table_name}.${r.column_name}`).sort();
    },
  };
}
