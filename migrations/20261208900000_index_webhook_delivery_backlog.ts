/**
 * The metrics listener reads the webhook delivery queue at every scrape (metrics/registry.ts
 * queues): the pending backlog is served by webhook_deliveries_pending; failed deliveries get
 * their own partial index so counting them never scans the delivery log. PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (created_at) WHERE status = 'failed'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS webhook_deliveries_failed');
}
