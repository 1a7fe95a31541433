import type { Knex } from 'knex';

export const MAIL_OUTBOX = 'mail_outbox';

/** After this many failed deliveries a message is given up (and its body dropped). */
export const MAX_DELIVERY_ATTEMPTS = 10;

/** `bodyText` is '' once the message was sent or given up: its links must not outlive delivery. */
export interface OutboxMessage { id: string; recipient: string; subject: string; bodyText: string; createdAt: Date; sentAt: Date | null }

interface OutboxRow { id: string; recipient: string; subject: string; body_text: string | null; created_at: Date; sent_at: Date | null }

/**
 * Mail is written to the outbox in the same transaction as the change it reports, then delivered
 * after commit: a rolled-back change never sends mail, a committed one always has its message.
 * Delivery leases messages (`claimed_until`) instead of holding row locks while SMTP talks, so no
 * transaction stays open during a slow delivery.
 */
export function mailOutboxStore(db: Knex | Knex.Transaction) {
  const map = (r: OutboxRow): OutboxMessage =>
    ({ id: r.id, recipient: r.recipient, subject: r.subject, bodyText: r.body_text ?? '', createdAt: r.created_at, sentAt: r.sent_at });
  return {
    async enqueue(m: { recipient: string; subject: string; bodyText: string }): Promise<string> {
      const [row] = await db(MAIL_OUTBOX).insert({ recipient: m.recipient, subject: m.subject, body_text: m.bodyText }).returning('id');
      return (row as { id: string }).id;
    },
    /**
     * Leases up to `limit` unsent messages until `until` and returns them. Call it in its own
     * short transaction: SKIP LOCKED lets several instances lease disjoint batches, and the lease
     * (not a lock) keeps others off a message while it is being sent after commit. A lease that
     * ran out (the sender crashed) makes the message available again: delivery is at least once.
     */
    async lease(limit: number, now: Date, until: Date): Promise<OutboxMessage[]> {
      const rows = await db(MAIL_OUTBOX).whereNull('sent_at').where('attempts', '<', MAX_DELIVERY_ATTEMPTS)
        .where((q) => { void q.whereNull('claimed_until').orWhere('claimed_until', '<', now); })
        .orderBy('created_at').limit(limit).forUpdate().skipLocked() as OutboxRow[];
      if (rows.length > 0) await db(MAIL_OUTBOX).whereIn('id', rows.map((r) => r.id)).update({ claimed_until: until });
      return rows.map(map);
    },
    /** Marks a message sent; unless `keepBody` (development, where the outbox is the mailbox) its body is dropped. */
    async markSent(id: string, at: Date, options: { keepBody?: boolean } = {}): Promise<void> {
      await db(MAIL_OUTBOX).where({ id }).update({
        sent_at: at, attempts: db.raw('attempts + 1'), last_error: null, claimed_until: null,
        ...(options.keepBody ? {} : { body_text: null }),
      });
    },
    /** Records a failed delivery and frees the message for a later round; the last attempt drops the body. */
    async markFailed(id: string, error: string): Promise<void> {
      await db(MAIL_OUTBOX).where({ id }).update({
        attempts: db.raw('attempts + 1'), last_error: error.slice(0, 500), claimed_until: null,
        body_text: db.raw('CASE WHEN attempts + 1 >= ? THEN NULL ELSE body_text END', [MAX_DELIVERY_ATTEMPTS]),
      });
    },
    async listTo(recipient: string): Promise<OutboxMessage[]> {
      return (await db(MAIL_OUTBOX).whereRaw('lower(recipient) = lower(?)', [recipient]).orderBy('created_at') as OutboxRow[]).map(map);
    },
  };
}
