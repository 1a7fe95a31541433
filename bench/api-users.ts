/**
 * Benchmark: the Organizations API's user list (issue 10 target: a page of 50 with search, at
 * 100,000 users in one organization: p99 under 30 ms at 1 client; 2,000 pages/s at 16 clients).
 * Seeds 100,000 members in one organization (plus 20,000 in another) with set-based SQL, starts
 * the real server in a process of its own (bench/scim-server.ts: the runtime and app as
 * production runs them) and asks it, with a read-only API client's bearer token, over keep-alive
 * loopback HTTP, for the first page of 50 of a random search (a first-name prefix: email matches;
 * a last-name prefix: display-name matches; a longer prefix: few matches). Each figure comes with
 * the CPU per page of the server process, of PostgreSQL and of this (client) process, and the
 * machine's busy share. The yardstick of the same run: the same query through the store
 * (users.searchMembers on a pool in this process: PostgreSQL and the driver, no HTTP).
 * Bounded: BENCH_REQUESTS (default 2000) sequential requests, BENCH_SECONDS (default 10) of load.
 *
 *   node --import tsx bench/api-users.ts      # PostgreSQL at BENCH_DATABASE_URL (default local), a scratch database dropped after
 */
import { createStore } from '../src/store/index.js';
import { createDb } from '../src/store/db.js';
import { client, createBenchDatabase, percentile, startServer } from './scim-support.js';
import { benchServices } from './bench-kit.js';
import { cpuSample, cpuSince, type CpuPerCall } from './cpu.js';
import { randomSearch, seedMembers } from './members.js';

const USERS = Math.min(Number(process.env.BENCH_USERS ?? 100_000), 1_000_000);
const REQUESTS = Math.min(Number(process.env.BENCH_REQUESTS ?? 2000), 50_000);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 60);
const CLIENTS = 16;
const PAGE = 50;

const ms = (n: number) => n.toFixed(2);
const cpuText = (c: CpuPerCall, server: boolean) => `CPU per call: ${server ? `server ${ms(c.serverMs)} ms, ` : ''}PostgreSQL ${ms(c.postgresMs)} ms, `
  + `${server ? 'client' : 'this process'} ${ms(c.selfMs)} ms; machine ${(c.busyShare * 100).toFixed(0)}% busy`;

async function main(): Promise<void> {
  const bench = await createBenchDatabase('users');
  const database = new URL(bench.url).pathname.slice(1);
  const db = createDb({ databaseUrl: bench.url, dataDir: 'unused', poolMax: CLIENTS + 2 });
  const store = createStore(db);
  try {
    // Seed: set-based inserts, one statement per table and organization.
    const seedStarted = performance.now();
    const { orgSid, ownerSid } = await seedMembers(db, store, USERS);
    await db.raw('VACUUM ANALYZE users');
    await db.raw('VACUUM ANALYZE memberships');
    const seedMs = performance.now() - seedStarted;

    const { services, mailer } = benchServices(store, 'http://127.0.0.1');
    const apiClient = await services.apiClients.create({ kind: 'user', userSid: ownerSid }, orgSid, { role: 'read-only' });
    mailer.close();

    const server = await startServer(bench.url);
    try {
      const tokenRes = await fetch(`http://127.0.0.1:${server.port}/v1/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: apiClient.clientId, client_secret: apiClient.clientSecret }),
      });
      if (tokenRes.status !== 200) throw new Error(`token: ${tokenRes.status} ${await tokenRes.text()}`);
      const { access_token: token } = (await tokenRes.json()) as { access_token: string };

      const call = client(server.port, token, `/Organizations/${orgSid}`);
      let emptyPages = 0;
      const page = async (search: string) => {
        const reply = await call('GET', `/Users?PageSize=${PAGE}&Search=${encodeURIComponent(search)}`);
        if (reply.status !== 200) throw new Error(`users: ${reply.status} ${reply.body.slice(0, 300)}`);
        // The page's size without parsing it all (the client's CPU is not what is measured).
        if (!reply.body.includes('"user_sid"')) emptyPages += 1;
      };
      const query = (search: string) => store.read.users.searchMembers(orgSid, { prefix: search, limit: PAGE });

      /** p50/p99 of `n` sequential calls, bounded by time. */
      const sequential = async (fn: (s: string) => Promise<unknown>, n: number, pid?: number) => {
        const times: number[] = [];
        const before = cpuSample(database, pid);
        const started = performance.now();
        for (let i = 0; i < n && performance.now() - started < SECONDS * 3000; i++) {
          const search = randomSearch();
          const t = performance.now();
          await fn(search);
          times.push(performance.now() - t);
        }
        return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99), cpu: cpuSince(database, before, times.length, pid) };
      };
      /** Calls per second with `CLIENTS` concurrent callers for `SECONDS`. */
      const concurrent = async (fn: (s: string) => Promise<unknown>, pid?: number) => {
        let done = 0;
        const before = cpuSample(database, pid);
        const started = performance.now();
        await Promise.all(Array.from({ length: CLIENTS }, async () => {
          while (performance.now() - started < SECONDS * 1000) {
            await fn(randomSearch());
            done += 1;
          }
        }));
        return { rate: done / ((performance.now() - started) / 1000), cpu: cpuSince(database, before, done, pid) };
      };

      // Warm-up as long as a measurement: the JIT and PostgreSQL's per-connection caches settle.
      await concurrent(page);
      await concurrent(query);
      const httpOne = await sequential(page, REQUESTS, server.pid);
      const httpMany = await concurrent(page, server.pid);
      const sqlOne = await sequential(query, REQUESTS);
      const sqlMany = await concurrent(query);

      process.stdout.write([
        `Organizations API user list benchmark (PostgreSQL, node ${process.version}, server in its own process)`,
        `  seeded ${USERS} members in one organization (+ ${Math.floor(USERS / 5)} in another) in ${(seedMs / 1000).toFixed(1)} s`,
        `  page of ${PAGE} with a random prefix search (first page), read-only API client bearer token, keep-alive HTTP:`,
        `    1 client:   HTTP p50 ${ms(httpOne.p50)} ms, p99 ${ms(httpOne.p99)} ms (${httpOne.n} requests)`
          + ` | same query through the store: p50 ${ms(sqlOne.p50)} ms, p99 ${ms(sqlOne.p99)} ms`,
        `      HTTP ${cpuText(httpOne.cpu, true)}`,
        `      store ${cpuText(sqlOne.cpu, false)}`,
        `    ${CLIENTS} clients: HTTP ${httpMany.rate.toFixed(0)} pages/s | same query through the store: ${sqlMany.rate.toFixed(0)} queries/s (${SECONDS} s each)`,
        `      HTTP ${cpuText(httpMany.cpu, true)}`,
        `      store ${cpuText(sqlMany.cpu, false)}`,
        `  server RSS max ${server.maxRssMb().toFixed(0)} MB; ${emptyPages} HTTP pages had no match`,
      ].join('\n') + '\n');
    } finally {
      await server.stop();
    }
  } finally {
    await db.destroy();
    if (process.env.BENCH_KEEP === '1') {
      process.stdout.write(`  kept the scratch database ${bench.url} (BENCH_KEEP=1)\n`);
      await bench.db.destroy();
      process.exit(0); // the admin connection that would drop it stays idle otherwise
    }
    await bench.drop();
  }
}

await main();
