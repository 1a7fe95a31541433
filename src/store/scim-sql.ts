/**
 * Raw SQL for the SCIM stores. On PostgreSQL the statements run as named prepared statements on
 * the pool's (or the transaction's) connection: SCIM's lookups are cheap to execute but their
 * joins cost more to plan than to run (about 1 ms against 0.2 ms), and IdPs repeat the same few
 * statements thousands of times. PGlite (tests, embedded) goes through knex as usual.
 * Bindings are values, never SQL text. A `?` is a binding; `\\?` is a literal `?` (the jsonb
 * operator), as in knex.raw.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';

export type RawQuery = (sql: string, bindings?: readonly unknown[]) => Promise<{ rows: any[] }>;

// Prepared statements live per connection; their number stays bounded whatever filters clients send.
const MAX_PREPARED = 500;
const prepared = new Map<string, { name: string; text: string }>();

function statement(sql: string): { name: string | undefined; text: string } {
  const known = prepared.get(sql);
  if (known) return known;
  let n = 0;
  const text = sql.replace(/\\\?|\?/g, (found) => (found === '?' ? `$${++n}` : '?'));
  if (prepared.size >= MAX_PREPARED) return { name: undefined, text };
  const entry = { name: `scim_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`, text };
  prepared.set(sql, entry);
  return entry;
}

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
  config: { client?: unknown };
}

export const rawQuery = (db: Knex | Knex.Transaction): RawQuery => {
  const client = db.client as PoolClient;
  if (client.config.client !== 'pg') return async (sql, bindings = []) => db.raw(sql, bindings as Knex.RawBinding[]);
  return async (sql, bindings = []) => {
    const connection = await client.acquireConnection();
    try {
      if (!(connection instanceof pg.Client)) return await db.raw(sql, bindings as Knex.RawBinding[]);
      const { name, text } = statement(sql);
      return await connection.query({ ...(name && { name }), text, values: bindings as unknown[] });
    } finally {
      await client.releaseConnection(connection);
    }
  };
};
