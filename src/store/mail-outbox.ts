import type { Knex } from 'knex';

export const MAIL_OUTBOX = 'mail_outbox';

export interface OutboxMessage { id: string; recipient: string; subject: string; bodyText: string; createdAt: Date; sentAt: Date | null }

/**
 * Mail is written to the outbox in the same transaction as the change it reports, then delivered
 * after commit: a rolled-back change never sends mail, a committed one always has its message.
 */
export function mailOutboxStore(db: Knex | Knex.Transaction) {
  const map = (r: { id: string; recipient: string; subject: string; body_text: string; created_at: Date; sent_at: Date | null }): OutboxMessage =>
    ({ id: r.id, recipient: r.recipient, subject: r.subject, bodyText: r.body_text, createdAt: r.created_at, sentAt: r.sent_at });
  return {
    async enqueue(m: { recipient: string; subject: string; bodyText: string }): Promise<string> {
      const [row] = await db(MAIL_OUTBOX).insert({ recipient: m.recipient, subject: m.subject, body_text: m.bodyText }).returning('id');
      return (row as { id: string }).id;
    },
    /** Claims unsent messages for delivery; SKIP LOCKED lets several instances drain one outbox. */
    async claimUnsent(limit: number): Promise<OutboxMessage[]> {
      const rows = await db(MAIL_OUTBOX).whereNull('sent_at').where('attempts', '<', 10).orderBy('created_at').limit(limit).forUpdate().skipLocked();
      return rows.map(map);
    },
    async markSent(id: string, at: Date): Promise<void> {
      await db(MAIL_OUTBOX).where({ id }).update({ sent_at: at, attempts: db.raw('attempts + 1'), last_error: null });
    },
    async markFailed(id: string, error: string): Promise<void> {
      await db(MAIL_OUTBOX).where({ id }).update({ attempts: db.raw('attempts + 1'), last_error: error.slice(0, 500) });
    },
    async listTo(recipient: string): Promise<OutboxMessage[]> {
      return (await db(MAIL_OUTBOX).whereRaw('lower(recipient) = lower(?)', [recipient]).orderBy('created_at')).map(map);
    },
  };
}
