/**
 * Lifecycle events (issue 13): every change's audit entry (L1) is an event, written in the change's
 * transaction by the audit_log trigger (the outbox). The sequencer gives committed events their
 * feed positions, their types (rules/event-types.ts) and their webhook deliveries. Feeds:
 * product-wide for the operator (every organization), per organization for its Owner,
 * Administrators and API clients (view_audit, O3; another organization is 404).
 */
import { DomainError } from '../errors.js';
import { eventTypeOf, isEventTypeFilter } from '../rules/event-types.js';
import { decideOperatorOnly } from '../rules/operator.js';
import type { EventRecord } from '../store/events.js';
import type { Actor } from '../types.js';
import { authorize, fail } from './context.js';
import type { ServiceDeps } from './index.js';

export type { EventRecord } from '../store/events.js';

/** Largest feed page. */
export const MAX_EVENT_PAGE = 1000;
const SEQUENCE_BATCH = 2000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface EventPage {
  readonly events: EventRecord[];
  /** The cursor to pass as `after` next time: the last position read (the same when none was new). */
  readonly next: string;
}

export function createEventsService(deps: Pick<ServiceDeps, 'store' | 'clock' | 'events'>) {
  const { store, clock } = deps;
  const retentionDays = deps.events?.retentionDays ?? 30;

  /** Sequences every committed event now; returns how many. */
  async function sequence(): Promise<number> {
    let total = 0;
    for (let i = 0; i < 50; i += 1) {
      const n = await store.transaction((repos) => repos.events.sequenceBatch(eventTypeOf, SEQUENCE_BATCH, clock.now()));
      total += n;
      if (n < SEQUENCE_BATCH) break;
    }
    return total;
  }

  function checkedFilter(after: string | undefined, types: readonly string[] | undefined): void {
    if (after !== undefined && !/^\d{1,18}$/.test(after)) throw new DomainError('invalid_input', '"after" is a cursor from a previous page (its "next"); leave it out to read from the oldest event kept.');
    for (const t of types ?? []) {
      if (!isEventTypeFilter(t)) throw new DomainError('invalid_input', `"${t}" is not an event type: use one such as user.suspended, or user.* for a family.`);
    }
  }

  return {
    sequence,

    /** {@link sequence} when a committed event waits (a cheap probe otherwise: the worker's idle poll). */
    async sequenceIfWaiting(): Promise<number> {
      return (await store.read.events.hasUnsequenced()) ? sequence() : 0;
    },

    /**
     * One feed page after `after`. The operator reads every organization's events (optionally one
     * organization's); an organization's callers read theirs through `orgSid`.
     */
    async feed(actor: Actor, input: { orgSid?: string | undefined; scope: 'product' | 'organization'; after?: string | undefined; types?: readonly string[] | undefined; limit: number }): Promise<EventPage> {
      if (input.scope === 'product') {
        const gate = decideOperatorOnly(actor.kind, 'read every organization\'s events (use /Organizations/{sid}/Events for your own)');
        if (gate.kind === 'reject') fail(gate);
      } else {
        await authorize(store.read, actor, input.orgSid!, 'view_audit');
      }
      checkedFilter(input.after, input.types);
      const limit = Math.min(Math.max(1, input.limit), MAX_EVENT_PAGE);
      // Read what has committed by now: sequence first (cheap when nothing waits).
      if (await store.read.events.hasUnsequenced()) await sequence();
      const events = await store.read.events.list({ after: input.after, orgSid: input.orgSid, types: input.types, limit });
      return { events, next: events.length > 0 ? events[events.length - 1]!.position : (input.after ?? '0') };
    },

    /** Retention: drops events older than the configured days (default 30). */
    async sweep(): Promise<number> {
      return store.transaction((repos) => repos.events.sweep(new Date(clock.now().getTime() - retentionDays * DAY_MS)));
    },
  };
}

export type EventsService = ReturnType<typeof createEventsService>;
