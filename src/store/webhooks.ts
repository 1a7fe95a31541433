/**
 * Webhook endpoints, their delivery queues and the delivery log (issue 13). Each endpoint's queue
 * is delivered in event order by one instance at a time: an instance leases the endpoint (claimed
 * FOR UPDATE SKIP LOCKED, so instances never wait on each other), sends its pending deliveries
 * in order, and records the outcome; the lease of an instance that died expires and another
 * instance sends the same deliveries again (at least once, same webhook-id).
 */
import type { Knex } from 'knex';
import { mapEvent, type EventRecord } from './events.js';

export const WEBHOOK_ENDPOINTS = 'webhook_endpoints';

export interface WebhookEndpointRecord {
  /** 'WH' + 32 hex. */
  readonly id: string;
  /** null: product-wide. */
  readonly orgSid: string | null;
  readonly url: string;
  readonly types: readonly string[];
  readonly secretSealed: string;
  readonly previousSecretSealed: string | null;
  readonly previousSecretExpiresAt: Date | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface PendingDelivery {
  readonly id: string;
  readonly eventPosition: string;
  readonly eventSid: string;
  readonly attempts: number;
  readonly createdAt: Date;
}

/** A pending delivery with its event (undefined once the event is past retention). */
export interface QueuedDelivery extends PendingDelivery {
  readonly event: EventRecord | undefined;
}

export interface DeliveryLogEntry {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

/** One attempt's outcome, as the worker reports it. */
export interface AttemptOutcome {
  readonly deliveryId: string;
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  /** delivered; failed for good (window over); retry at; or 410 (disables the endpoint). */
  readonly result: { kind: 'delivered' } | { kind: 'give_up' } | { kind: 'retry'; at: Date } | { kind: 'disable_endpoint' };
}

const mapEndpoint = (r: Record<string, any>): WebhookEndpointRecord => ({
  id: r.id, orgSid: r.org_sid, url: r.url, types: r.types ?? [], secretSealed: r.secret_encrypted, previousSecretSealed: r.previous_secret_encrypted,
  previousSecretExpiresAt: r.previous_secret_expires_at, enabled: r.enabled, disabledReason: r.disabled_reason, createdBy: r.created_by, createdAt: r.created_at,
});

export function webhookStore(db: Knex | Knex.Transaction) {
  return {
    async insert(e: { id: string; orgSid: string | null; url: string; types: readonly string[]; secretSealed: string; createdBy: string }): Promise<WebhookEndpointRecord> {
      const [row] = await db(WEBHOOK_ENDPOINTS).insert({ id: e.id, org_sid: e.orgSid, url: e.url, types: [...e.types], secret_encrypted: e.secretSealed, created_by: e.createdBy }).returning('*');
      return mapEndpoint(row);
    },
    /** An organization's endpoints, or the product-wide ones (orgSid null). */
    async list(orgSid: string | null): Promise<WebhookEndpointRecord[]> {
      const q = db(WEBHOOK_ENDPOINTS).orderBy(['created_at', 'id']);
      if (orgSid === null) q.whereNull('org_sid'); else q.where({ org_sid: orgSid });
      return (await q).map(mapEndpoint);
    },
    async get(id: string): Promise<WebhookEndpointRecord | undefined> {
      const row = await db(WEBHOOK_ENDPOINTS).where({ id }).first();
      return row && mapEndpoint(row);
    },
    async lock(id: string): Promise<WebhookEndpointRecord | undefined> {
      const row = await db(WEBHOOK_ENDPOINTS).where({ id }).forUpdate().first();
      return row && mapEndpoint(row);
    },
    async delete(id: string): Promise<void> {
      await db(WEBHOOK_ENDPOINTS).where({ id }).delete();
    },
    async rotateSecret(id: string, secretSealed: string, previousExpiresAt: Date): Promise<void> {
      await db.raw(`UPDATE webhook_endpoints SET previous_secret_encrypted = secret_encrypted, previous_secret_expires_at = ?, secret_encrypted = ? WHERE id = ?`, [previousExpiresAt, secretSealed, id]);
    },
    async enable(id: string, now: Date): Promise<void> {
      await db.raw(`UPDATE webhook_endpoints SET enabled = true, disabled_reason = NULL,
        next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'pending') THEN ?::timestamptz END WHERE id = ?`, [id, now, id]);
    },

    /**
     * Leases one endpoint whose queue head is due and that no live instance holds, and reads the
     * head of its queue (up to `limit` pending deliveries in event order, each with its event, or
     * without one past retention): one statement, not three, as the worker runs this once per run.
     */
    async claimHead(workerId: string, leaseMs: number, now: Date, limit: number): Promise<{ endpoint: WebhookEndpointRecord; head: QueuedDelivery[] } | undefined> {
      const rows = (await db.raw(`WITH claimed AS (
          UPDATE webhook_endpoints SET leased_by = ?, lease_expires_at = ?::timestamptz + (? * interval '1 millisecond')
           WHERE id = (SELECT id FROM webhook_endpoints
                        WHERE enabled AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                        ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING *)
        SELECT c.*, h.d_id, h.d_position::text AS d_position, h.d_event_sid, h.d_attempts, h.d_created_at,
               e.sid AS e_sid, e.type AS e_type, e.org_sid AS e_org_sid, e.created_at AS e_created_at, a.actor, a.action, a.target, a.before, a.after
          FROM claimed c
          LEFT JOIN LATERAL (
            SELECT d.id::text AS d_id, d.event_position AS d_position, d.event_sid AS d_event_sid, d.attempts AS d_attempts, d.created_at AS d_created_at
              FROM webhook_deliveries d WHERE d.endpoint_id = c.id AND d.status = 'pending' ORDER BY d.event_position LIMIT ?) h ON true
          LEFT JOIN events e ON e.position = h.d_position
          LEFT JOIN audit_log a ON a.id = e.audit_id
         ORDER BY h.d_position`, [workerId, now, leaseMs, now, now, limit])).rows as Record<string, any>[];
      if (rows.length === 0) return undefined;
      const head = rows.filter((r) => r.d_id !== null).map((r): QueuedDelivery => ({
        id: r.d_id, eventPosition: r.d_position, eventSid: r.d_event_sid, attempts: r.d_attempts, createdAt: new Date(r.d_created_at),
        event: r.e_sid === null ? undefined : mapEvent({ ...r, sid: r.e_sid, position: r.d_position, type: r.e_type, org_sid: r.e_org_sid, created_at: r.e_created_at }),
      }));
      return { endpoint: mapEndpoint(rows[0]!), head };
    },
    /**
     * Records a run's outcomes (call in a transaction) and releases the lease, if still ours:
     * an instance whose lease expired meanwhile records nothing (the new holder sends again).
     * Returns false when the lease was lost.
     */
    async record(endpointId: string, workerId: string, outcomes: readonly AttemptOutcome[], now: Date): Promise<boolean> {
      const status = (o: AttemptOutcome) => (o.result.kind === 'delivered' ? 'delivered' : o.result.kind === 'give_up' ? 'failed' : 'pending');
      // One statement: the lease checked under the endpoint's row lock, then (only if still ours)
      // the attempts logged and the deliveries' states written. The lock comes first: the
      // statement below, in a snapshot taken after it, sees every delivery queued before it.
      const held = (await db.raw(`WITH held AS (SELECT id FROM webhook_endpoints WHERE id = ? AND leased_by = ? FOR UPDATE),
        v AS (SELECT * FROM unnest(?::bigint[], ?::text[], ?::int[], ?::text[], ?::int[]) AS t(id, status, last_status, last_error, duration_ms)),
        logged AS (INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempted_at, response_status, error, duration_ms)
          SELECT v.id, held.id, ?, v.last_status, v.last_error, v.duration_ms FROM v, held),
        written AS (UPDATE webhook_deliveries d SET status = v.status, attempts = d.attempts + 1, last_status = v.last_status, last_error = v.last_error,
            delivered_at = CASE WHEN v.status = 'delivered' THEN ?::timestamptz END
          FROM v, held WHERE d.id = v.id)
        SELECT 1 FROM held`,
      [endpointId, workerId, outcomes.map((o) => o.deliveryId), outcomes.map(status), outcomes.map((o) => o.responseStatus), outcomes.map((o) => o.error),
        outcomes.map((o) => Math.round(o.durationMs)), now, now] as unknown as Knex.RawBinding[])).rows.length > 0;
      if (!held) return false;
      const last = outcomes[outcomes.length - 1];
      if (last?.result.kind === 'disable_endpoint') {
        await db.raw(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'The endpoint answered 410 Gone.', next_attempt_at = NULL, leased_by = NULL, lease_expires_at = NULL WHERE id = ?`, [endpointId]);
        return true;
      }
      // The head waits until its retry time; otherwise the next pending one is due now.
      const nextAt = last?.result.kind === 'retry' ? last.result.at : null;
      await db.raw(`UPDATE webhook_endpoints SET leased_by = NULL, lease_expires_at = NULL,
          next_attempt_at = CASE WHEN ?::timestamptz IS NOT NULL THEN ?::timestamptz
                                 WHEN EXISTS (SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'pending') THEN ?::timestamptz END
        WHERE id = ?`, [nextAt, nextAt, endpointId, now, endpointId]);
      return true;
    },
    /** Extends a lease we still hold (a long run). */
    async renew(endpointId: string, workerId: string, until: Date): Promise<boolean> {
      const r = await db.raw('UPDATE webhook_endpoints SET lease_expires_at = ? WHERE id = ? AND leased_by = ?', [until, endpointId, workerId]);
      return Number(r.rowCount ?? r.affectedRows ?? 0) > 0;
    },
    /** The delivery log, newest first. */
    async deliveries(endpointId: string, limit: number): Promise<DeliveryLogEntry[]> {
      const rows = (await db.raw(`SELECT id::text AS id, event_sid, status, attempts, last_status, last_error, created_at, delivered_at FROM webhook_deliveries
        WHERE endpoint_id = ? ORDER BY event_position DESC LIMIT ?`, [endpointId, limit])).rows as Record<string, any>[];
      return rows.map((r) => ({ deliveryId: r.id, eventId: r.event_sid, status: r.status, attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at }));
    },
    /** Replay: the delivery of `eventSid` to the endpoint goes back in the queue (a fresh retry window). */
    async replay(endpointId: string, eventSid: string, now: Date): Promise<boolean> {
      const r = await db.raw(`UPDATE webhook_deliveries SET status = 'pending', created_at = ? WHERE endpoint_id = ? AND event_sid = ?`, [now, endpointId, eventSid]);
      if (Number(r.rowCount ?? r.affectedRows ?? 0) === 0) return false;
      await db.raw('UPDATE webhook_endpoints SET next_attempt_at = COALESCE(next_attempt_at, ?) WHERE id = ? AND enabled', [now, endpointId]);
      return true;
    },
  };
}
