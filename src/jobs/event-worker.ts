/**
 * The background worker of lifecycle events (issue 13), one per instance (server, or the embedded
 * database's only process): sequences committed events, delivers due webhook endpoints (several
 * at once, each endpoint in order, leased so two instances never send one endpoint's queue
 * together) and drops events past retention hourly. Polls every `pollMs`; `runOnce()` lets tests
 * drive it without timers. `stop()` finishes the runs in flight; `halt()` stops as a crash would
 * (nothing more recorded: the leases expire and another instance resends).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { WebhookSender } from '../adapters/webhook-target.js';
import type { EventsService } from '../services/events.js';
import type { createWebhookDelivery } from '../services/webhook-delivery.js';
import { createPollLoop } from './poll-loop.js';

export const EVENT_POLL_MS = 100;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

export interface EventWorker {
  readonly workerId: string;
  /** One round: sequence, then deliver every due endpoint; returns how many endpoint runs happened. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  halt(): Promise<void>;
}

export function createEventWorker(deps: {
  events: EventsService; delivery: ReturnType<typeof createWebhookDelivery>; sender: WebhookSender; logger: Logger;
  pollMs?: number; leaseMs?: number; concurrency?: number; workerId?: string;
}): EventWorker {
  const workerId = deps.workerId ?? `events-${randomUUID()}`;
  const halting = new AbortController();
  let lastSweep = 0;
  const options = { workerId, sender: deps.sender, leaseMs: deps.leaseMs ?? 30_000, halt: halting.signal };
  const concurrency = deps.concurrency ?? 4;

  const runOnce = async (): Promise<number> => {
    if (loop.stopped) return 0;
    await deps.events.sequenceIfWaiting();
    let runs = 0;
    let lanes = 0;
    // Up to `concurrency` endpoints at once; each lane takes due endpoints until none is left.
    // A lane that found one opens another (up to the limit), so idle it is one claim query per
    // poll, and one endpoint's queue costs one claim that finds nothing per run, not one per lane.
    const lane = async (): Promise<void> => {
      lanes += 1;
      const opened: Promise<void>[] = [];
      let failure: { error: unknown } | undefined;
      try {
        while (!loop.stopped && (await deps.delivery.runOnce(options))) {
          runs += 1;
          if (lanes < concurrency) opened.push(lane());
        }
      } catch (error) {
        failure = { error };
      }
      lanes -= 1;
      // The lanes this one opened finish first (none is left unawaited); then the first failure fails the round.
      const failed = (await Promise.allSettled(opened)).find((r) => r.status === 'rejected');
      if (failure) throw failure.error;
      if (failed) throw failed.reason;
    };
    await lane();
    if (Date.now() - lastSweep > SWEEP_EVERY_MS) {
      lastSweep = Date.now();
      await deps.events.sweep();
    }
    return runs;
  };

  const loop = createPollLoop({ round: async () => (await runOnce()) > 0, intervalMs: deps.pollMs ?? EVENT_POLL_MS, logger: deps.logger, name: 'event worker' });

  return {
    workerId,
    runOnce,
    start: () => loop.start(),
    stop: () => loop.stop(),
    async halt() {
      halting.abort();
      await loop.stop();
    },
  };
}
