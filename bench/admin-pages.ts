/**
 * Benchmark: Admin Center pages at 100,000 users in one organization (issue 11: every page under
 * 200 ms). Seeds 100,000 members (plus 20,000 in another organization) with set-based SQL, signs
 * the Owner in with a real session cookie, and asks the real HTTP server for each main page
 * (Overview with its counts, Users first page, a prefix search, the next page by keyset, one
 * user, Accounts, Domains, Audit log) BENCH_REQUESTS times each (default 200), sequentially: p50
 * and p99 of each, and the server's CPU per request (process CPU time / requests: client and
 * server share the process, so this is an upper bound). Yardstick in the same run: the same
 * user search through the store alone (PostgreSQL and the driver, no HTTP, no template).
 *
 *   node --import tsx bench/admin-pages.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/admin-pages.ts    # in a scratch database, dropped after
 */
import http from 'node:http';
import { percentile, startBench } from './bench-kit.js';
import { randomSearch, seedMembers } from './members.js';

const USERS = Math.min(Number(process.env.BENCH_USERS ?? 100_000), 1_000_000);
const REQUESTS = Math.min(Number(process.env.BENCH_REQUESTS ?? 200), 5_000);
const CLIENTS = 4;
const PAGE = 50;

const ms = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  // Idle keep-alive sockets stay open while the store-only passes run (otherwise a reused one is reset).
  const bench = await startBench({ poolMax: CLIENTS + 2, keepAliveTimeout: 120_000 });
  const { db, store, services, url: baseUrl } = bench;

  // Seed: set-based inserts, one statement per table and organization.
  const seedStarted = performance.now();
  const { orgSid, ownerSid } = await seedMembers(db, store, USERS);
  // A live database's autovacuum has vacuumed these tables after such an insert (its insert
  // threshold, PostgreSQL 13+): without it every count and index-only scan visits the heap too.
  await db.raw('VACUUM (ANALYZE) users, memberships');
  const seedMs = performance.now() - seedStarted;

  const session = await store.transaction((repos) => services.sessions.issue(repos, { userSid: ownerSid, method: 'password', passwordChangedAt: null }));
  const cookie = `orgward_session=${session.token}`;
  const someone = (await store.read.users.searchMembers(orgSid, { prefix: 'carol', limit: 1 })).members[0]!.sid;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) => new Promise<string>((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { agent, headers: { cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
  const firstUsers = await get('/admin/users');
  const nextPath = /<a href="([^"]+)" rel="next">/.exec(firstUsers)![1]!.replace(/&amp;/g, '&');
  const pages: [string, () => string][] = [
    ['Overview (counts over 100,000 users)', () => '/admin'],
    ['Users, first page', () => '/admin/users'],
    ['Users, random prefix search', () => `/admin/users?q=${encodeURIComponent(randomSearch())}`],
    ['Users, a next page (keyset)', () => nextPath],
    ['One user', () => `/admin/users/${someone}`],
    ['Accounts', () => '/admin/accounts'],
    ['Domains', () => '/admin/domains'],
    ['Audit log', () => '/admin/audit'],
  ];
  for (const [, path] of pages) for (let i = 0; i < 20; i++) await get(path()); // warm-up
  const lines: string[] = [];
  for (const [label, path] of pages) {
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      await get(path());
      times.push(performance.now() - t);
    }
    const used = process.cpuUsage(cpu);
    times.sort((x, y) => x - y);
    const p99 = percentile(times, 99);
    lines.push(`    ${p99 < 200 ? 'ok  ' : 'SLOW'} ${label.padEnd(40)} p50 ${ms(percentile(times, 50)).padStart(7)} ms, p99 ${ms(p99).padStart(7)} ms, CPU ${ms((used.user + used.system) / 1000 / REQUESTS)} ms/request   target p99 < 200 ms`);
  }
  const storeTimes: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    await store.read.users.searchMembers(orgSid, { prefix: randomSearch(), limit: PAGE });
    storeTimes.push(performance.now() - t);
  }
  storeTimes.sort((x, y) => x - y);

  process.stdout.write([
    `Admin Center pages benchmark (${bench.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version})`,
    `  seeded ${USERS} members in one organization (+ ${Math.floor(USERS / 5)} in another) in ${(seedMs / 1000).toFixed(1)} s; ${REQUESTS} sequential requests per page, signed in as the Owner`,
    ...lines,
    `    yardstick: the prefix search through the store alone   p50 ${ms(percentile(storeTimes, 50))} ms, p99 ${ms(percentile(storeTimes, 99))} ms`,
  ].join('\n') + '\n');

  agent.destroy();
  await bench.close();
}

await main();
