/**
 * The sweeper (issue 12): removes expired sessions, one-time tokens, SAML request and replay-cache
 * rows, login state, sent mail, spent OAuth payloads, idempotency results and back-off counters
 * (store/sweeper.ts SWEEP_TARGETS), and audit entries past their organization's retention (L1).
 * Under the same lease it runs the housekeeping checks it is given (jobs/housekeeping-checks.ts:
 * IdP certificates about to expire, issue 13), each at most once per its interval.
 *
 * Any instance runs one; one at a time sweeps. The lock is a lease row (`sweeper_leases`) taken
 * with one INSERT … ON CONFLICT statement rather than a PostgreSQL session advisory lock: an
 * advisory lock lives on one connection, which the run would have to hold from the pool for its
 * whole length, and the embedded database's pool is that one connection, so every request would
 * wait behind the sweep. The lease works alike on both databases, and a lease whose holder died
 * runs out by itself (after the run's time bound plus a margin).
 *
 * A run is bounded in rows and time, and takes one batch per table in turn, so a million expired
 * sessions cannot starve the other tables; what is left waits for the next run. Tests drive
 * `runOnce()` with a manual clock.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/registry.js';
import { auditCutoff } from '../rules/retention.js';
import { SWEEP_TARGETS, type SweeperStore, type SweepTarget } from '../store/sweeper.js';

export const SWEEPER_LEASE = 'sweeper';

export interface SweeperSettings {
  /** Between runs; 0 turns the background runs off (runOnce still works). */
  readonly intervalMs: number;
  /** Most rows one run removes. */
  readonly maxRows: number;
  /** Most time one run takes (a batch started before it ends is finished). */
  readonly maxMs: number;
  /** Rows per DELETE statement. */
  readonly batchSize: number;
}

export const DEFAULT_SWEEPER_SETTINGS: SweeperSettings = { intervalMs: 60_000, maxRows: 100_000, maxMs: 10_000, batchSize: 1000 };

/** Periodic work beside the sweep, under its lease: run when at least `everyMs` passed since its last run here. */
export interface HousekeepingCheck {
  readonly label: string;
  readonly everyMs: number;
  /** Does the work; returns how many things it did (reported per label). */
  run(): Promise<number>;
}

/**
 * What one run did: `swept` with rows removed per table and the checks that ran (what each did),
 * or `skipped` (another instance holds the lease).
 */
export type SweepResult =
  | { readonly outcome: 'swept'; readonly removed: Readonly<Record<string, number>>; readonly complete: boolean; readonly ms: number; readonly checked: Readonly<Record<string, number>> }
  | { readonly outcome: 'skipped' };

export interface Sweeper {
  readonly holder: string;
  runOnce(): Promise<SweepResult>;
  start(): void;
  stop(): Promise<void>;
}

export interface SweeperDeps {
  readonly store: SweeperStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly settings?: Partial<SweeperSettings>;
  readonly holder?: string;
  readonly checks?: readonly HousekeepingCheck[];
}

type Task = { label: string; batch: (limit: number) => Promise<number> };

export function createSweeper(deps: SweeperDeps): Sweeper {
  const settings = { ...DEFAULT_SWEEPER_SETTINGS, ...deps.settings };
  const holder = deps.holder ?? `sweeper-${randomUUID()}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  // When each check last ran in this process (by the injected clock).
  const lastChecked = new Map<string, number>();

  const runOnce = async (): Promise<SweepResult> => {
    const started = performance.now();
    const now = deps.clock.now();
    // The lease outlives the run's bound by a margin; an instance that dies mid-run blocks at most that long.
    const leaseUntil = new Date(now.getTime() + settings.maxMs * 2 + 60_000);
    if (!(await deps.store.takeLease(SWEEPER_LEASE, holder, now, leaseUntil))) {
      deps.metrics?.sweeperRun('skipped', (performance.now() - started) / 1000);
      return { outcome: 'skipped' };
    }
    try {
      const tasks: Task[] = SWEEP_TARGETS.map((target: SweepTarget) => ({ label: target.table, batch: (limit) => deps.store.deleteBatch(target, now, limit) }));
      for (const { orgSid, days } of await deps.store.auditRetentions()) {
        const before = auditCutoff(now, days);
        if (before) tasks.push({ label: 'audit_log', batch: (limit) => deps.store.deleteAuditBatch(orgSid, before, limit) });
      }
      const removed: Record<string, number> = {};
      let total = 0;
      let open = tasks;
      const withinBounds = () => total < settings.maxRows && performance.now() - started < settings.maxMs && !stopped;
      while (open.length > 0 && withinBounds()) {
        const next: Task[] = [];
        for (const task of open) {
          if (!withinBounds()) { next.push(task); continue; }
          const limit = Math.min(settings.batchSize, settings.maxRows - total);
          const n = await task.batch(limit);
          total += n;
          if (n > 0) {
            removed[task.label] = (removed[task.label] ?? 0) + n;
            deps.metrics?.sweeperRemoved(task.label, n);
          }
          if (n >= limit) next.push(task);
        }
        open = next;
      }
      const checked: Record<string, number> = {};
      for (const check of deps.checks ?? []) {
        const last = lastChecked.get(check.label);
        if (stopped || (last !== undefined && now.getTime() - last < check.everyMs)) continue;
        lastChecked.set(check.label, now.getTime());
        // A failing check is retried at its next interval; it neither fails the sweep nor holds back the other checks.
        checked[check.label] = await check.run().catch((error: unknown) => { deps.logger.warn('housekeeping check failed', { check: check.label, error }); return 0; });
      }
      const ms = performance.now() - started;
      deps.metrics?.sweeperRun('swept', ms / 1000);
      if (total > 0) deps.logger.info('sweeper removed expired rows', { removed, complete: open.length === 0, ms: Math.round(ms) });
      return { outcome: 'swept', removed, complete: open.length === 0, ms, checked };
    } catch (error) {
      deps.metrics?.sweeperRun('failed', (performance.now() - started) / 1000);
      throw error;
    } finally {
      await deps.store.releaseLease(SWEEPER_LEASE, holder, deps.clock.now()).catch(() => undefined);
    }
  };

  const tick = () => {
    running ??= runOnce()
      .catch((error: unknown) => deps.logger.warn('sweeper: run failed; will retry', { error }))
      .finally(() => { running = undefined; });
  };

  return {
    holder,
    runOnce,
    start() {
      if (settings.intervalMs <= 0) return;
      timer = setInterval(tick, settings.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
