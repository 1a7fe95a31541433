/**
 * Rate limits shared by every instance: rate-limiter-flexible's PostgreSQL store over our knex
 * instance (`storeType: 'knex'`), in the `rate_limits` table the migrations create
 * (`tableCreated: true`, so the library never runs DDL). The same code serves PGlite: the library
 * sends `{ text, values }` query objects, which node-postgres understands and PGlite does not, so
 * the connection is handed over with a `query` that passes text and values separately.
 */
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { rethrowDbError } from './db-errors.js';

export const RATE_LIMITS = 'rate_limits';

/** How many requests a key may make per period, and how long it is then refused. */
export interface RateLimitPolicy {
  readonly points: number;
  readonly durationSeconds: number;
  /** Refused for this long once over the limit (default: the rest of the period). */
  readonly blockSeconds?: number;
}

/** The answer of a limiter: go ahead, or wait `retryAfterMs`. */
export type RateLimitResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /** Counts one request of `key`. */
  consume(key: string): Promise<RateLimitResult>;
}

interface QueryResult { rows: unknown[]; rowCount?: number | null; affectedRows?: number }
interface RawConnection { query(text: string, values?: unknown[]): Promise<QueryResult> }
interface KnexInternals { client: { acquireConnection(): Promise<RawConnection>; releaseConnection(c: RawConnection): Promise<unknown> } }

/** A knex-shaped client whose connections accept rate-limiter-flexible's query objects. */
function knexForLimiter(db: Knex): unknown {
  const client = (db as unknown as KnexInternals).client;
  const wrapped = new WeakMap<object, RawConnection>();
  return {
    client: {
      async acquireConnection() {
        const raw = await client.acquireConnection();
        const connection = {
          async query(q: { text: string; values?: unknown[] }) {
            const r = await raw.query(q.text, q.values ?? []);
            // PGlite reports affectedRows (0 for a SELECT) where node-postgres reports rowCount.
            const rowCount = typeof r.rowCount === 'number' ? r.rowCount : Math.max(r.rows.length, r.affectedRows ?? 0);
            return { ...r, rows: r.rows, rowCount };
          },
        };
        wrapped.set(connection, raw);
        return connection;
      },
      releaseConnection(connection: object) {
        const raw = wrapped.get(connection);
        return raw ? client.releaseConnection(raw) : Promise.resolve();
      },
    },
  };
}

/** A limiter named `name` (the key prefix) with `policy`, stored in the database. */
export function createRateLimiter(db: Knex, name: string, policy: RateLimitPolicy): RateLimiter {
  const limiter = new RateLimiterPostgres({
    storeClient: knexForLimiter(db),
    storeType: 'knex',
    tableName: RATE_LIMITS,
    tableCreated: true,
    // The library deletes rows expired an hour ago every 5 minutes (an unref'd timer).
    clearExpiredByTimeout: true,
    keyPrefix: name,
    points: policy.points,
    duration: policy.durationSeconds,
    blockDuration: policy.blockSeconds ?? 0,
  });
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { ok: true };
      } catch (error) {
        if (error instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1000, error.msBeforeNext) };
        return rethrowDbError(error);
      }
    },
  };
}
