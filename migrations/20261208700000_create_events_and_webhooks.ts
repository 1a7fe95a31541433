/**
 * Issue 13: lifecycle events (a transactional outbox fed by the audit log) and webhooks.
 * - events: one row per audit_log row, written by a trigger in the transaction of the change
 *   (L1 already records every change, from services and raw SQL alike, so no path is missed).
 *   `position` is assigned after commit by the sequencer (one at a time under an advisory lock),
 *   so positions grow in the order events become visible: a cursor over positions never skips an
 *   event whose transaction committed late (audit ids are taken in one order and committed in
 *   another). `type` is set by the sequencer from the pure mapping in src/rules/event-types.ts.
 * - webhook_endpoints: product-wide (org_sid null) or one organization's; the signing secret sealed
 *   with the secret key; the head of each endpoint's queue (next_attempt_at) and the lease of the
 *   instance delivering it, so each endpoint is delivered in order by one instance at a time.
 * - webhook_deliveries: one per (endpoint, event), written by the sequencer in its transaction.
 * - webhook_attempts: the delivery log (response status or error of every try).
 * - role_assignments_user: the check API reads a user's assignments across organizations.
 * Runs on PostgreSQL and PGlite.
 */
import type { Knex } from 'knex';

const statements: readonly string[] = [
  `
    CREATE INDEX role_assignments_user ON role_assignments (user_sid);`,
  `
    CREATE SEQUENCE event_positions;`,
  `
    CREATE TABLE events (
      audit_id bigint PRIMARY KEY REFERENCES audit_log(id) ON DELETE CASCADE,
      -- the event id ('EV' + 32 hex): webhook-id of every delivery of it
      sid text NOT NULL CONSTRAINT events_sid_unique UNIQUE,
      org_sid text NOT NULL,
      -- null until the sequencer has seen the committed row
      position bigint CONSTRAINT events_position_unique UNIQUE,
      type text,
      created_at timestamptz NOT NULL DEFAULT now()
    );`,
  `
    CREATE INDEX events_unsequenced ON events (audit_id) WHERE position IS NULL;`,
  `
    CREATE INDEX events_org_position ON events (org_sid, position) WHERE position IS NOT NULL;`,
  `
    CREATE INDEX events_created ON events (created_at);`,
  `
    CREATE FUNCTION audit_log_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO events (audit_id, sid, org_sid, created_at)
        VALUES (NEW.id, 'EV' || replace(gen_random_uuid()::text, '-', ''), NEW.org_sid, NEW.created_at);
      RETURN NULL;
    END $$;`,
  `
    -- The outbox: every audit entry (L1) is an event, written in the same transaction.
    CREATE TRIGGER audit_log_event AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_event();`,
  `
    CREATE TABLE webhook_endpoints (
      id text PRIMARY KEY,
      -- null: product-wide (every organization's events)
      org_sid text REFERENCES organizations(sid),
      url text NOT NULL,
      -- event types to send; empty: all
      types text[] NOT NULL DEFAULT '{}',
      secret_encrypted text NOT NULL,
      -- during a rotation the former secret signs too, until previous_secret_expires_at
      previous_secret_encrypted text,
      previous_secret_expires_at timestamptz,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- when the head of the queue may be tried; null when nothing waits
      next_attempt_at timestamptz,
      leased_by text,
      lease_expires_at timestamptz
    );`,
  `
    CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_sid, created_at);`,
  `
    CREATE INDEX webhook_endpoints_due ON webhook_endpoints (next_attempt_at) WHERE enabled AND next_attempt_at IS NOT NULL;`,
  `
    CREATE TABLE webhook_deliveries (
      id bigserial PRIMARY KEY,
      endpoint_id text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      event_position bigint NOT NULL,
      event_sid text NOT NULL,
      status text NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_status integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_position)
    );`,
  `
    CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, event_position) WHERE status = 'pending';`,
  `
    CREATE TABLE webhook_attempts (
      id bigserial PRIMARY KEY,
      delivery_id bigint NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
      endpoint_id text NOT NULL,
      attempted_at timestamptz NOT NULL DEFAULT now(),
      response_status integer,
      error text,
      duration_ms integer NOT NULL
    );`,
  `
    CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE webhook_attempts, webhook_deliveries, webhook_endpoints');
  await knex.raw('DROP TRIGGER audit_log_event ON audit_log');
  await knex.raw('DROP FUNCTION audit_log_event()');
  await knex.raw('DROP TABLE events');
  await knex.raw('DROP SEQUENCE event_positions');
  await knex.raw('DROP INDEX role_assignments_user');
}
