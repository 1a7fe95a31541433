/**
 * Benchmark: lifecycle events from change to delivered webhook (issue 13 target: ≥ 1,000 events/s,
 * p99 latency < 1 s at that rate), to one product-wide webhook.
 *
 * This process holds what an Orgward server holds: the writers (16 of them commit changes, each a
 * transaction writing one audit entry, so one event through the trigger), the event worker as the
 * server runs it (on PostgreSQL in a thread of its own, jobs/event-worker-thread.ts, started and
 * ready before the live phase's clock starts), and the webhook sender. The receiver (the
 * product's back end) runs in a process of its own (bench/webhook-receiver.ts) and verifies every
 * delivery with `standardwebhooks`.
 *
 * 1. Live: changes at up to BENCH_RATE (default 1,000) per second for BENCH_SECONDS (default 10),
 *    worker running. Throughput: distinct events received per second from the first receipt to
 *    the last (the offered rate when the worker keeps pace, less when it falls behind). Latency:
 *    from the event's time (its change's transaction) to the receipt.
 * 2. Backlog: with the worker stopped, BENCH_BACKLOG (default 5,000) changes are committed; then a
 *    worker starts; from the first receipt to the last is one endpoint's delivery capacity (what
 *    the worker, the sender and the receiver can do in order, without the writers beside them).
 *
 * BENCH_SECONDS=0 or BENCH_BACKLOG=0 skips a phase; BENCH_CPU_PROF=DIR writes a CPU profile of
 * this process's main thread for each phase (live.cpuprofile, backlog.cpuprofile). Each phase
 * prints the CPU per event of this process (the server's share, all threads), of the receiver and
 * of PostgreSQL (the backends of the scratch database), the machine's busy share and the load
 * average, beside the yardstick of the same run (the database alone: PK SELECTs at 16 clients).
 *
 *   node --import tsx bench/events.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/events.ts    # in a scratch database, dropped after
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebhookSender } from '../src/adapters/webhook-target.js';
import { createEventWorker } from '../src/jobs/event-worker.js';
import { createEventWorkerThread } from '../src/jobs/event-worker-thread.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { BENCH_SECRET_KEY, fmt, percentile, startBench, yardstick, type Bench } from './bench-kit.js';
import { cpuSample, cpuSince } from './cpu.js';
import type { ReceiverReport } from './webhook-receiver.js';

/** The event worker in this process or in its thread. */
interface BackgroundWorker { start(): void | Promise<void>; stop(): Promise<void> }

const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 60);
const RATE = Math.min(Number(process.env.BENCH_RATE ?? 1000), 20_000);
const BACKLOG = Math.min(Number(process.env.BENCH_BACKLOG ?? 5000), 100_000);
const WRITERS = 16;

/** The receiver process and its IPC answers. */
async function startReceiver() {
  const child: ChildProcess = fork(fileURLToPath(new URL('./webhook-receiver.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(key: string) => new Promise<T>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => { if (key in m) { child.off('message', onMessage); resolve(m[key] as T); } };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the receiver exited (${code})`)));
  });
  const port = await next<number>('port');
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}/hook`,
    setSecret: (secret: string) => child.send({ secret }),
    /** Starts a count of `n` distinct events; resolves when all arrived or after `timeoutMs`. */
    expect(n: number, timeoutMs: number): Promise<void> {
      const done = next('done');
      child.send({ expect: n });
      return Promise.race([done.then(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    },
    report: () => { const r = next<ReceiverReport>('report'); child.send({ report: true }); return r; },
    stop: () => child.disconnect(),
  };
}

/** `total` changes by 16 writers, the i-th not before `started + i / rate` (no pacing when rate is Infinity). */
async function writeChanges(bench: Bench, orgSid: string, total: number, rate: number, started: number): Promise<void> {
  let written = 0;
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    while (written < total) {
      const i = (written += 1);
      const due = started + (i * 1000) / rate;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      await bench.store.transaction((repos) => repos.audit.append({ orgSid, actor: 'operator', action: 'organization.renamed', target: `c${i}`, before: null, after: null }));
    }
  }));
}

const line = (ok: boolean, what: string, figure: string, target: string) => console.log(`${ok ? 'ok  ' : 'MISS'} ${what.padEnd(44)} ${figure.padEnd(38)} ${target}`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

interface Run {
  readonly bench: Bench;
  readonly receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The scratch database's name ('' on PGlite). */
  readonly database: string;
  readonly orgSid: string;
  newWorker(): BackgroundWorker;
}

/** What one phase cost per event: this process (the server), the receiver, PostgreSQL; profiled with BENCH_CPU_PROF. */
async function measured(run: Run, phase: string, count: number, work: () => Promise<void>): Promise<{ report: ReceiverReport; perEvent: string }> {
  const { receiver, database, bench } = run;
  const arrived = receiver.expect(count, 120_000 + SECONDS * 1000);
  const receiverBefore = (await receiver.report()).cpuMicros;
  const profiler = process.env.BENCH_CPU_PROF ? new Session() : undefined;
  if (profiler) { profiler.connect(); await profiler.post('Profiler.enable'); await profiler.post('Profiler.start'); }
  const before = cpuSample(database, receiver.pid);
  await work();
  await arrived;
  const report = await receiver.report();
  const cpu = cpuSince(database, before, report.distinct, receiver.pid);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(path.join(process.env.BENCH_CPU_PROF!, `${phase}.cpuprofile`), JSON.stringify(profile));
    profiler.disconnect();
  }
  const perEvent = `server process ${fmt(cpu.selfMs * 1000)} µs, receiver ${fmt((report.cpuMicros - receiverBefore) / Math.max(1, report.distinct))} µs, `
    + `PostgreSQL ${bench.kind === 'postgresql' ? `${fmt(cpu.postgresMs * 1000)} µs` : '(in the server process)'}; machine ${fmt(cpu.busyShare * 100)} % busy; load average ${load()}`;
  return { report, perEvent };
}

const deliveredLine = (r: ReceiverReport, total: number) => line(r.distinct === total && r.rejected === 0, 'delivered, verified by the receiver',
  `${fmt(r.distinct)} of ${fmt(total)} (${fmt(r.received - r.distinct)} again, ${fmt(r.rejected)} refused)`, 'none lost');

/** 1. Live: changes at RATE per second while the worker runs. */
async function live(run: Run): Promise<void> {
  const total = RATE * SECONDS;
  const worker = run.newWorker();
  const boot = process.cpuUsage();
  await worker.start();
  const booted = process.cpuUsage(boot);
  console.log(`   the worker's start: ${fmt((booted.user + booted.system) / 1000)} ms of CPU (${run.bench.databaseUrl ? 'its thread: modules, pool' : 'in process'})`);
  const started = Date.now();
  let writeSeconds = 0;
  const { report: r, perEvent } = await measured(run, 'live', total, async () => {
    await writeChanges(run.bench, run.orgSid, total, RATE, Date.now());
    writeSeconds = (Date.now() - started) / 1000;
  });
  await worker.stop();
  const latencies = [...r.latencies].sort((x, y) => x - y);
  // Deliveries per second from the first receipt to the last: at most the offered rate, and below
  // it when the worker falls behind (then the last receipts come late and the latency grows).
  const rate = r.distinct / ((r.lastReceipt - r.firstReceipt) / 1000);
  console.log(`1. live: ${fmt(total)} changes offered at ${fmt(RATE)}/s by ${WRITERS} writers (written in ${fmt(writeSeconds, 1)} s: ${fmt(total / writeSeconds)}/s)`);
  deliveredLine(r, total);
  line(rate >= 1000, 'change to delivered webhook', `${fmt(rate)} events/s`, 'target >= 1,000 events/s');
  line(percentile(latencies, 99) < 1000, 'latency p50 / p99', `${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 99))} ms`, 'target p99 < 1,000 ms');
  console.log(`   CPU per event: ${perEvent}`);
  console.log(`   ${await runsLine(run)}`);
}

/** How the deliveries went out: the worker's runs (one lease and one record each) and deliveries per run. */
async function runsLine(run: Run): Promise<string> {
  const row = (await run.bench.db.raw(`SELECT count(DISTINCT attempted_at)::int AS runs, count(*)::int AS attempts FROM webhook_attempts`)).rows[0] as { runs: number; attempts: number };
  await run.bench.db.raw('TRUNCATE webhook_attempts');
  return `${fmt(row.runs)} runs of the worker, ${fmt(row.attempts / Math.max(1, row.runs), 1)} deliveries per run`;
}

/** 2. Backlog: BACKLOG changes committed with no worker running, then one worker drains them. */
async function backlog(run: Run): Promise<void> {
  // The changes alone (no worker running): what the writers cost of the live phase's figures.
  const writesBefore = cpuSample(run.database);
  const writesStarted = Date.now();
  await writeChanges(run.bench, run.orgSid, BACKLOG, Infinity, writesStarted);
  const writeRate = BACKLOG / ((Date.now() - writesStarted) / 1000);
  const writes = cpuSince(run.database, writesBefore, BACKLOG);
  const worker = run.newWorker();
  const started = Date.now();
  const { report: r, perEvent } = await measured(run, 'backlog', BACKLOG, async () => worker.start());
  await worker.stop();
  console.log(`2. backlog: ${fmt(BACKLOG)} changes committed by ${WRITERS} unpaced writers with no worker running (${fmt(writeRate)} changes/s; CPU per change: `
    + `server process ${fmt(writes.selfMs * 1000)} µs, PostgreSQL ${run.bench.kind === 'postgresql' ? `${fmt(writes.postgresMs * 1000)} µs` : '(in process)'}), then the worker started`);
  deliveredLine(r, BACKLOG);
  line(true, 'one endpoint\'s delivery capacity', `${fmt(r.distinct / ((r.lastReceipt - r.firstReceipt) / 1000))} events/s`, '(first to last receipt)');
  console.log(`   from the worker's start to the first receipt: ${fmt(r.firstReceipt - started)} ms (its start and the first sequencing)`);
  console.log(`   CPU per event: ${perEvent}`);
  console.log(`   ${await runsLine(run)}`);
}

async function main(): Promise<void> {
  const bench = await startBench({ allowPrivateTargets: true });
  const receiver = await startReceiver();
  const sender = createWebhookSender({ allowPrivate: true });
  const workers: BackgroundWorker[] = [];
  try {
    const { services } = bench;
    const { orgSid } = await services.organizations.create({ kind: 'operator' }, { name: 'Bench', ownerEmail: 'owner@bench.example' });
    const { secret } = await services.webhooks.add({ kind: 'operator' }, null, { url: receiver.url, types: ['organization.updated'] });
    receiver.setSecret(secret);
    const run: Run = {
      bench, receiver, orgSid,
      database: bench.databaseUrl ? new URL(bench.databaseUrl).pathname.slice(1) : '',
      // As serve() runs it: on PostgreSQL in its own thread, else in this one.
      newWorker() {
        const w = bench.databaseUrl
          ? createEventWorkerThread({
            databaseUrl: bench.databaseUrl, dbTimeoutMs: 5000, secretKeys: [BENCH_SECRET_KEY], logLevel: 'warn', allowPrivateTargets: true, retentionDays: 30,
          }, createLogger('warn'))
          : createEventWorker({ events: services.events, delivery: services.webhookDelivery, sender, logger: silentLogger });
        workers.push(w);
        return w;
      },
    };
    console.log(`database: ${bench.kind}; load average at start ${load()}`);
    if (RATE * SECONDS > 0) await live(run);
    if (BACKLOG > 0) await backlog(run);
    line(true, '  database alone, same run (PK SELECT, 16)', `${fmt(await yardstick(bench.db, WRITERS, 3000))} queries/s`, '(yardstick)');
  } finally {
    for (const w of workers) await w.stop();
    sender.close();
    receiver.stop();
    await bench.close();
  }
}

await main();
