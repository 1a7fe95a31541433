/**
 * What the metrics listener reads from the database at scrape time (metrics/registry.ts probes):
 * the connection pool, the mail outbox backlog and background queues. Cheap: each is one index
 * read (mail_outbox_unsent, user_import_jobs_open, webhook_deliveries_pending).
 */
import type { Knex } from 'knex';

interface TarnPool { numUsed(): number; numPendingAcquires(): number }

/** The knex pool's connections in use and requests waiting for one. */
export function poolStats(db: Knex): { inUse: number; waiting: number } {
  const pool = (db.client as { pool?: TarnPool }).pool;
  return pool ? { inUse: pool.numUsed(), waiting: pool.numPendingAcquires() } : { inUse: 0, waiting: 0 };
}

/** Calls `onError` for every statement that fails. */
export function onQueryError(db: Knex, onError: () => void): void {
  db.on('query-error', onError);
}

const backlog = async (query: Knex.QueryBuilder, now: Date): Promise<{ depth: number; oldestAgeSeconds: number }> => {
  const row = await query.first(query.client.raw('count(*)::int AS depth'), query.client.raw('min(created_at) AS oldest')) as { depth: number; oldest: Date | null };
  return { depth: row.depth, oldestAgeSeconds: row.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0 };
};

/** Messages waiting in the outbox and the age of the oldest. */
export const outboxBacklog = (db: Knex, now: Date) => backlog(db('mail_outbox').whereNull('sent_at'), now);

/** Bulk user imports queued or running, the age of the oldest, and how many failed. */
export async function userImportBacklog(db: Knex, now: Date): Promise<{ depth: number; oldestAgeSeconds: number; failed: number }> {
  const open = await backlog(db('user_import_jobs').whereIn('status', ['queued', 'running']), now);
  const [failed] = await db('user_import_jobs').where({ status: 'failed' }).count<{ count: string }[]>('* as count');
  return { ...open, failed: Number(failed!.count) };
}

/** Webhook deliveries waiting (pending), the age of the oldest, and how many were given up (failed). */
export async function webhookDeliveryBacklog(db: Knex, now: Date): Promise<{ depth: number; oldestAgeSeconds: number; failed: number }> {
  const open = await backlog(db('webhook_deliveries').where({ status: 'pending' }), now);
  const [failed] = await db('webhook_deliveries').where({ status: 'failed' }).count<{ count: string }[]>('* as count');
  return { ...open, failed: Number(failed!.count) };
}
