/**
 * Lifecycle events (issue 13): the outbox rows the audit_log trigger writes, their sequencing
 * into a position order that never lets a cursor skip a late commit, the feeds, and retention.
 */
import type { Knex } from 'knex';

/** Any constant: the advisory lock that lets one sequencer run at a time across all instances. */
const SEQUENCER_LOCK = 7_130_013;

/** An event as the feeds and webhooks show it. */
export interface EventRecord {
  /** 'EV' + 32 hex. */
  readonly id: string;
  readonly position: string;
  readonly type: string;
  readonly time: Date;
  readonly organization: string;
  /** Who: a user SID, api:<client id>, scim:<token id>, operator or system (as in the audit log). */
  readonly actor: string;
  readonly data: { readonly action: string; readonly target: string | null; readonly before: unknown; readonly after: unknown };
}

export interface EventFilter {
  readonly after?: string | undefined;
  readonly orgSid?: string | undefined;
  readonly types?: readonly string[] | undefined;
  readonly limit: number;
}

const SELECT = `SELECT e.sid, e.position::text AS position, e.type, e.org_sid, e.created_at, a.actor, a.action, a.target, a.before, a.after
  FROM events e JOIN audit_log a ON a.id = e.audit_id`;

export const mapEvent = (r: Record<string, any>): EventRecord => ({
  id: r.sid, position: String(r.position), type: r.type, time: new Date(r.created_at), organization: r.org_sid, actor: r.actor,
  data: { action: r.action, target: r.target ?? null, before: r.before ?? null, after: r.after ?? null },
});

// The SQL form of matchesEventTypes (rules/event-types.ts): exact, or `prefix.*`.
export const TYPE_MATCH_SQL = (typeExpr: string, filtersExpr: string) =>
  `(cardinality(${filtersExpr}) = 0 OR EXISTS (SELECT 1 FROM unnest(${filtersExpr}) f WHERE f = ${typeExpr} OR (right(f, 2) = '.*' AND left(${typeExpr}, length(f) - 1) = left(f, -1))))`;

export function eventStore(db: Knex | Knex.Transaction) {
  return {
    /**
     * Gives committed, unsequenced events their positions (in audit id order) and their types, and
     * queues a delivery for every endpoint that wants each one. Runs in the caller's transaction,
     * under an advisory lock held to its commit: positions become visible in increasing order, so
     * a reader past position P never misses an event sequenced later (it gets a position above P).
     * Returns how many events it sequenced.
     */
    async sequenceBatch(typeOf: (action: string) => string, limit: number, now: Date): Promise<number> {
      await db.raw('SELECT pg_advisory_xact_lock(?)', [SEQUENCER_LOCK]);
      const pending = (await db.raw(`SELECT e.audit_id::text AS audit_id, a.action FROM events e JOIN audit_log a ON a.id = e.audit_id
        WHERE e.position IS NULL ORDER BY e.audit_id LIMIT ?`, [limit])).rows as { audit_id: string; action: string }[];
      if (pending.length === 0) return 0;
      // One statement after the lock and the read (a round trip costs more than the work here):
      // positions taken from the sequence in one step, the events updated, a delivery queued for
      // every endpoint that wants each event, and those endpoints' queue heads set.
      await db.raw(`WITH taken AS (SELECT setval('event_positions', nextval('event_positions') + ? - 1) AS last),
        v AS (SELECT t.audit_id, t.type, taken.last - ? + t.n AS position
                FROM unnest(?::bigint[], ?::text[]) WITH ORDINALITY AS t(audit_id, type, n), taken),
        sequenced AS (UPDATE events e SET position = v.position, type = v.type FROM v WHERE e.audit_id = v.audit_id
          RETURNING e.position, e.sid, e.org_sid, e.type),
        queued AS (INSERT INTO webhook_deliveries (endpoint_id, event_position, event_sid, created_at)
          SELECT w.id, s.position, s.sid, ?::timestamptz FROM sequenced s
            JOIN webhook_endpoints w ON w.enabled AND (w.org_sid IS NULL OR w.org_sid = s.org_sid) AND ${TYPE_MATCH_SQL('s.type', 'w.types')}
          ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING
          RETURNING endpoint_id)
        -- A backing-off endpoint keeps its time: the new delivery waits behind the failing one (order).
        UPDATE webhook_endpoints SET next_attempt_at = COALESCE(next_attempt_at, ?) WHERE id IN (SELECT endpoint_id FROM queued)`,
      [pending.length, pending.length, pending.map((p) => p.audit_id), pending.map((p) => typeOf(p.action)), now, now]);
      return pending.length;
    },

    /** True when some committed event waits for its position (a cheap partial-index probe). */
    async hasUnsequenced(): Promise<boolean> {
      return (await db.raw('SELECT 1 FROM events WHERE position IS NULL LIMIT 1')).rows.length > 0;
    },

    /** A feed page: events after position `after`, oldest first. */
    async list(filter: EventFilter): Promise<EventRecord[]> {
      const where: string[] = ['e.position > ?'];
      const bindings: unknown[] = [filter.after ?? '0'];
      if (filter.orgSid !== undefined) { where.push('e.org_sid = ?'); bindings.push(filter.orgSid); }
      if (filter.types !== undefined && filter.types.length > 0) { where.push(TYPE_MATCH_SQL('e.type', '?::text[]')); bindings.push([...filter.types], [...filter.types]); }
      const rows = (await db.raw(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY e.position LIMIT ?`, [...bindings, filter.limit] as Knex.RawBinding[])).rows;
      return (rows as Record<string, any>[]).map(mapEvent);
    },

    /** Retention: drops sequenced events (and finished deliveries) older than `before`. */
    async sweep(before: Date): Promise<number> {
      await db.raw(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?`, [before]);
      const deleted = await db.raw('DELETE FROM events WHERE created_at < ? AND position IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_position = events.position AND d.status = \'pending\')', [before]);
      return Number(deleted.rowCount ?? deleted.affectedRows ?? 0);
    },
  };
}
