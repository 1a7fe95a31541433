/**
 * The mail outbox is delivered outside any transaction: a message is leased (`claimed_until`) in a
 * short transaction, sent over SMTP with no row lock held, then marked sent. Once sent, its body
 * (which carries live reset, invitation, merge and import links) is dropped: only recipient,
 * subject and timestamps stay. Bodies of messages already sent are dropped here too.
 */
import type { Knex } from 'knex';

// One statement per entry: PGlite runs raw queries as prepared statements, which take one command each.
const statements: readonly string[] = [
  `ALTER TABLE mail_outbox ALTER COLUMN body_text DROP NOT NULL`,
  `ALTER TABLE mail_outbox ADD COLUMN claimed_until timestamptz`,
  `UPDATE mail_outbox SET body_text = NULL WHERE sent_at IS NOT NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of statements) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE mail_outbox DROP COLUMN claimed_until`);
  await knex.raw(`UPDATE mail_outbox SET body_text = '' WHERE body_text IS NULL`);
  await knex.raw(`ALTER TABLE mail_outbox ALTER COLUMN body_text SET NOT NULL`);
}
