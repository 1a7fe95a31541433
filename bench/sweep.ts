/**
 * Benchmark: the sweeper (jobs/sweeper.ts) removes BENCH_SESSIONS (default 1,000,000) expired
 * sessions while sign-ins run, and sign-ins do not wait behind it (issue 12: p99 sign-in latency
 * during the sweep within 2x of without).
 *
 * The sign-in measured is the part of every sign-in that meets the sweep: a session is issued
 * (an INSERT into `sessions`, in a transaction, as the second-factor step does) and then validated
 * (the lookup every signed-in request makes). BENCH_CLIENTS (default 4) run it back to back. The
 * yardstick is the same loop in the same run, over the same table with the expired rows present,
 * while no sweep runs. Prints p50/p99 of both, the sweep's rate, and the process CPU per sign-in.
 *
 *   DATABASE_URL=postgres://... node --import tsx bench/sweep.ts    # scratch database, dropped after
 *   BENCH_SESSIONS=200000 node --import tsx bench/sweep.ts          # embedded PGlite
 */
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/clock.js';
import { createSweeper } from '../src/jobs/sweeper.js';
import { silentLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/registry.js';
import type { Db } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { sweeperStore } from '../src/store/sweeper.js';
import { createSessionService } from '../src/services/sessions.js';
import { openScratchDatabase } from './bench-kit.js';

const SESSIONS = Math.min(Number(process.env.BENCH_SESSIONS ?? 1_000_000), 5_000_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const BASELINE_MS = Number(process.env.BENCH_BASELINE_MS ?? 15_000);
const USER = `US${'b'.repeat(32)}`;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const scratch = await openScratchDatabase(10);
  try {
    await run(scratch.db, scratch.databaseUrl ? 'PostgreSQL' : 'PGlite (embedded)');
  } finally {
    await scratch.drop();
  }
}

async function run(db: Db, database: string): Promise<void> {
  await db('users').insert({ sid: USER, email: 'bench@sweep.test' });
  const seeded = performance.now();
  // Set-based seeding (not measured): expired a day ago, as after a day of traffic nobody kept.
  // In chunks: one statement of a million rows can outlast the statement timeout on a busy machine.
  for (let from = 1; from <= SESSIONS; from += 100_000) {
    await db.raw(`INSERT INTO sessions (id_hash, user_sid, method, created_at, last_seen_at, expires_at)
      SELECT md5(i::text) || md5((i + 1)::text), ?, 'password', now() - interval '2 days', now() - interval '2 days', now() - interval '1 day'
      FROM generate_series(?::int, ?::int) AS i`, [USER, from, Math.min(SESSIONS, from + 99_999)]);
  }
  await db.raw('ANALYZE sessions');
  console.log(`${database}: seeded ${SESSIONS.toLocaleString('en-US')} expired sessions in ${fmt((performance.now() - seeded) / 1000)} s`);

  const store = createStore(db);
  const sessions = createSessionService({ store, clock: systemClock });

  /** One sign-in: a session issued in a transaction, then validated by its token. */
  const signIn = async () => {
    const issued = await store.transaction((repos) => sessions.issue(repos, { userSid: USER, method: 'password', passwordChangedAt: null }));
    if (!(await sessions.resolve(issued.token))) throw new Error('the session just issued did not validate');
  };

  /** Runs sign-ins on CLIENTS clients until `until()` says stop; latencies in ms and CPU per sign-in. */
  const load = async (until: () => boolean) => {
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (!until()) {
        const t = performance.now();
        await signIn();
        latencies.push(performance.now() - t);
      }
    }));
    const used = process.cpuUsage(cpu);
    return { latencies: latencies.sort((a, b) => a - b), cpuMsPerSignIn: (used.user + used.system) / 1000 / Math.max(1, latencies.length) };
  };

  // Warm-up (JIT, connection caches), then the yardstick: the same loop with no sweep running.
  const warm = performance.now() + 3000;
  await load(() => performance.now() > warm);
  const baseEnd = performance.now() + BASELINE_MS;
  const baseline = await load(() => performance.now() > baseEnd);

  const metrics = createMetrics();
  const sweeper = createSweeper({ store: sweeperStore(db), clock: systemClock, logger: silentLogger, metrics });
  let removed = 0;
  let runs = 0;
  let sweeping = true;
  const sweepStarted = performance.now();
  const sweep = (async () => {
    try {
      for (;;) {
        const result = await sweeper.runOnce();
        runs += 1;
        if (result.outcome === 'swept') removed += result.removed.sessions ?? 0;
        if (result.outcome === 'swept' && result.complete) break;
      }
    } finally {
      sweeping = false;
    }
  })();
  const during = await load(() => !sweeping);
  await sweep;
  const sweepMs = performance.now() - sweepStarted;
  const left = Number((await db('sessions').where('expires_at', '<', new Date()).count<{ count: string }[]>('* as count'))[0]!.count);

  const p = (r: typeof baseline) => ({ p50: pct(r.latencies, 0.5), p99: pct(r.latencies, 0.99), n: r.latencies.length });
  const b = p(baseline);
  const d = p(during);
  const ratio = d.p99 / b.p99;
  console.log(`sweep: ${removed.toLocaleString('en-US')} expired sessions removed in ${fmt(sweepMs / 1000)} s `
    + `(${Math.round(removed / (sweepMs / 1000)).toLocaleString('en-US')} rows/s, ${runs} runs of at most 100,000 rows / 10 s), ${left} left`);
  console.log(`sign-in (issue + validate a session), ${CLIENTS} clients:`);
  console.log(`  without sweep  p50 ${fmt(b.p50, 2)} ms  p99 ${fmt(b.p99, 2)} ms  (${b.n} sign-ins, ${fmt(baseline.cpuMsPerSignIn, 2)} ms CPU each)`);
  console.log(`  during sweep   p50 ${fmt(d.p50, 2)} ms  p99 ${fmt(d.p99, 2)} ms  (${d.n} sign-ins, ${fmt(during.cpuMsPerSignIn, 2)} ms CPU each, the sweep's own included)`);
  console.log(`${ratio <= 2 ? 'ok  ' : 'MISS'} p99 during / without: ${fmt(ratio, 2)}x  target ≤ 2x`);
}

await main();
