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
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import knexFactory from 'knex';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { createMailer } from '../src/adapters/mailer.js';
import { createTxtLookup } from '../src/adapters/dns.js';
import { silentLogger } from '../src/logger.js';
import { newSid } from '../src/ids.js';
import { createDb, migrateLatest } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { createServices } from '../src/services/index.js';

const USERS = Math.min(Number(process.env.BENCH_USERS ?? 100_000), 1_000_000);
const REQUESTS = Math.min(Number(process.env.BENCH_REQUESTS ?? 200), 5_000);
const CLIENTS = 4;
const PAGE = 50;

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yvonne'];
const LAST = ['smith', 'jones', 'brown', 'lee', 'khan', 'garcia', 'muller', 'rossi', 'novak', 'sato', 'kim', 'silva', 'dubois', 'nagy', 'olsen', 'papas', 'quinn', 'reyes', 'tanaka', 'wong'];
const sqlList = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

/** A random search, as people type them: a first-name prefix, a last-name prefix, or a longer email prefix. */
function randomSearch(): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const kind = Math.random();
  if (kind < 0.4) return pick(FIRST).slice(0, 3);
  if (kind < 0.8) return pick(LAST).slice(0, 3);
  return `${pick(FIRST)}.${pick(LAST)}${1 + Math.floor(Math.random() * 99)}`;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const scratch = `orgward_bench_${randomBytes(4).toString('hex')}`;
  const admin = serverUrl ? knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } }) : undefined;
  let databaseUrl: string | undefined;
  if (admin && serverUrl) {
    await admin.raw(`CREATE DATABASE ${scratch}`);
    const u = new URL(serverUrl);
    u.pathname = `/${scratch}`;
    databaseUrl = u.toString();
  }
  const db = createDb({ databaseUrl, dataDir: 'memory://', poolMax: CLIENTS + 2 });
  await migrateLatest(db);
  const store = createStore(db);
  // Idle keep-alive sockets stay open while the store-only passes run (otherwise a reused one is reset).
  const server = http.createServer({ keepAliveTimeout: 120_000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mailer = createMailer({ smtpUrl: undefined, from: 'bench@orgward.test', store, logger: silentLogger, clock: systemClock });
  const services = createServices({ store, clock: systemClock, logger: silentLogger, mailer, dns: createTxtLookup(['127.0.0.1:1'], 100), baseUrl, secretKey: Buffer.alloc(32, 1) });
  server.on('request', createApp({ services, logger: silentLogger, baseUrl, secureCookies: false, health: async () => undefined }));

  // Seed: set-based inserts, one statement per table and organization.
  const seedStarted = performance.now();
  const orgSid = newSid('OR');
  const otherSid = newSid('OR');
  const ownerSid = newSid('US');
  await store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Bench' });
    await repos.organizations.insert({ sid: otherSid, name: 'Other' });
    await repos.users.insert({ sid: ownerSid, email: 'owner@bench-users.test' });
    await repos.users.join(ownerSid, orgSid, 'owner');
    await repos.users.insert({ sid: newSid('US'), email: 'owner@other-users.test' }).then((u) => repos.users.join(u.sid, otherSid, 'owner'));
  });
  const seed = async (org: string, tag: string, count: number) => {
    await db.raw(`
      INSERT INTO users (sid, email, display_name, status)
      SELECT 'US' || md5(? || g), f || '.' || l || g || '@' || ? || '.test',
             initcap(l) || ' ' || initcap(f), CASE WHEN g % 50 = 0 THEN 'suspended' ELSE 'active' END
      FROM generate_series(1, ?) g,
           LATERAL (SELECT (${sqlList(FIRST)})[1 + g % ${FIRST.length}] AS f, (${sqlList(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] AS l) n`, [tag, tag, count]);
    await db.raw(`
      INSERT INTO memberships (user_sid, org_sid, role)
      SELECT 'US' || md5(? || g), ?, CASE WHEN g % 40 = 0 THEN 'admin' ELSE 'standard' END FROM generate_series(1, ?) g`, [tag, org, count]);
  };
  await seed(orgSid, 'bench', USERS);
  await seed(otherSid, 'other', Math.floor(USERS / 5));
  await db.raw('ANALYZE users');
  await db.raw('ANALYZE memberships');
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
    `Admin Center pages benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version})`,
    `  seeded ${USERS} members in one organization (+ ${Math.floor(USERS / 5)} in another) in ${(seedMs / 1000).toFixed(1)} s; ${REQUESTS} sequential requests per page, signed in as the Owner`,
    ...lines,
    `    yardstick: the prefix search through the store alone   p50 ${ms(percentile(storeTimes, 50))} ms, p99 ${ms(percentile(storeTimes, 99))} ms`,
  ].join('\n') + '\n');

  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  mailer.close();
  await db.destroy();
  if (admin) {
    await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.destroy();
  }
}

await main();
