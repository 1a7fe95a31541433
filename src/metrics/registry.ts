/**
 * Orgward's Prometheus metrics (issue 12), one registry per process, served by the metrics
 * listener (metrics/server.ts), never on the public port. Counting happens where an outcome is
 * known (the HTTP layer, the sweeper); gauges that describe stored state (outbox, job queues,
 * database pool) are read at scrape time through probes, so no hot path pays for them.
 * The rules and services never see this module.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a person signed in (or tried to): the first factor, the second, or an IdP. */
export type SignInMethod = 'password' | 'totp' | 'recovery_code' | 'saml' | 'oidc';

export interface QueueStats { depth: number; oldestAgeSeconds: number; failed: number }

/** A queue of background work (user imports today; webhook deliveries can register theirs). */
export interface QueueProbe {
  /** Jobs waiting or running, the age in seconds of the oldest (0 when none), and how many failed for good. */
  (): Promise<QueueStats>;
}

export interface Metrics {
  readonly registry: Registry;
  /** One HTTP request: `route` is the template (`/Organizations/:sid`), never the raw path. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** One SCIM operation: resource (Users, Groups, Bulk, …) and op (list, get, create, replace, patch, delete, search). */
  scimOperation(resource: string, op: string, status: number): void;
  /** A sign-in step and its outcome: `success` or the refusal's stable code. */
  signIn(method: SignInMethod, outcome: string): void;
  /** A SAML or OIDC response refused, by Orgward's stable reason code. */
  ssoRejection(protocol: 'saml' | 'oidc', code: string): void;
  /** A database statement that failed (knex's query-error event). */
  queryError(): void;
  /** Rows the sweeper removed from one table. */
  sweeperRemoved(table: string, rows: number): void;
  /** One sweeper run: swept, skipped (another instance holds the lease) or failed. */
  sweeperRun(outcome: 'swept' | 'skipped' | 'failed', seconds: number): void;
  /** Where the database pool gauges read from. */
  observePool(probe: () => { inUse: number; waiting: number }): void;
  /** Where the outbox gauges read from. */
  observeOutbox(probe: () => Promise<{ depth: number; oldestAgeSeconds: number }>): void;
  /** Adds a background queue's gauges (depth, oldest age) under its name. */
  registerQueue(name: string, probe: QueueProbe): void;
}

// Latency buckets from 5 ms (a session lookup) to 10 s (a large bulk request).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A registry with Orgward's series; `process: true` adds Node's process metrics (the server does). */
export function createMetrics(options: { process?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.process) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const http = new Histogram({
    name: 'orgward_http_request_duration_seconds', help: 'HTTP requests by route template, method and status, with their latency.',
    labelNames: ['route', 'method', 'status'], buckets: LATENCY_BUCKETS, registers,
  });
  const scim = new Counter({ name: 'orgward_scim_operations_total', help: 'SCIM operations by resource, operation and status.', labelNames: ['resource', 'op', 'status'], registers });
  const signIns = new Counter({ name: 'orgward_sign_ins_total', help: 'Sign-in steps by method and outcome (success or the refusal code).', labelNames: ['method', 'outcome'], registers });
  const ssoRejections = new Counter({ name: 'orgward_sso_rejections_total', help: 'SAML and OIDC responses refused, by reason code.', labelNames: ['protocol', 'code'], registers });
  const queryErrors = new Counter({ name: 'orgward_db_query_errors_total', help: 'Database statements that failed.', registers });
  const swept = new Counter({ name: 'orgward_sweeper_removed_total', help: 'Rows the sweeper removed, by table.', labelNames: ['table'], registers });
  const sweeps = new Histogram({
    name: 'orgward_sweeper_run_duration_seconds', help: 'Sweeper runs by outcome (swept, skipped, failed) and their duration.',
    labelNames: ['outcome'], buckets: [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60], registers,
  });

  let pool: (() => { inUse: number; waiting: number }) | undefined;
  new Gauge({ name: 'orgward_db_pool_in_use', help: 'Database connections in use.', registers, collect() { if (pool) this.set(pool().inUse); } });
  new Gauge({ name: 'orgward_db_pool_waiting', help: 'Requests waiting for a database connection.', registers, collect() { if (pool) this.set(pool().waiting); } });

  // Scrape-time reads of stored state: one query per scrape, shared by the depth and age gauges.
  const cached = <T>(read: () => Promise<T>) => {
    let pending: Promise<T | undefined> | undefined;
    return () => (pending ??= read().catch(() => undefined).finally(() => { setImmediate(() => { pending = undefined; }); }));
  };
  let outbox: (() => Promise<{ depth: number; oldestAgeSeconds: number } | undefined>) | undefined;
  new Gauge({ name: 'orgward_mail_outbox_depth', help: 'Messages waiting in the mail outbox.', registers,
    async collect() { const v = await outbox?.(); if (v) this.set(v.depth); } });
  new Gauge({ name: 'orgward_mail_outbox_oldest_age_seconds', help: 'Age of the oldest message waiting in the mail outbox (0 when none).', registers,
    async collect() { const v = await outbox?.(); if (v) this.set(v.oldestAgeSeconds); } });

  const queues = new Map<string, () => Promise<QueueStats | undefined>>();
  new Gauge({ name: 'orgward_job_queue_depth', help: 'Background jobs waiting or running, by queue.', labelNames: ['queue'], registers,
    async collect() { for (const [name, probe] of queues) { const v = await probe(); if (v) this.set({ queue: name }, v.depth); } } });
  new Gauge({ name: 'orgward_job_queue_oldest_age_seconds', help: 'Age of the oldest waiting or running job, by queue (0 when none).', labelNames: ['queue'], registers,
    async collect() { for (const [name, probe] of queues) { const v = await probe(); if (v) this.set({ queue: name }, v.oldestAgeSeconds); } } });
  // Failed jobs are kept (their report says why), so a count of them only grows: alert on its increase.
  new Gauge({ name: 'orgward_job_queue_failed', help: 'Background jobs that failed for good, by queue (alert on an increase).', labelNames: ['queue'], registers,
    async collect() { for (const [name, probe] of queues) { const v = await probe(); if (v) this.set({ queue: name }, v.failed); } } });

  return {
    registry,
    httpRequest: (route, method, status, seconds) => http.observe({ route, method, status: String(status) }, seconds),
    scimOperation: (resource, op, status) => scim.inc({ resource, op, status: String(status) }),
    signIn: (method, outcome) => signIns.inc({ method, outcome }),
    ssoRejection: (protocol, code) => ssoRejections.inc({ protocol, code }),
    queryError: () => queryErrors.inc(),
    sweeperRemoved: (table, rows) => { if (rows > 0) swept.inc({ table }, rows); },
    sweeperRun: (outcome, seconds) => sweeps.observe({ outcome }, seconds),
    observePool: (probe) => { pool = probe; },
    observeOutbox: (probe) => { outbox = cached(probe); },
    registerQueue: (name, probe) => { queues.set(name, cached(probe)); },
  };
}
