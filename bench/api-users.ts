/**
 * Benchmark: the Organizations API's user list (issue 10 target: a page of 50 with search, at
 * 100,000 users in one organization: p99 under 30 ms at 1 client; 2,000 pages/s at 16 clients).
 * Seeds 100,000 members in one organization (plus 20,000 in another) with set-based SQL, then asks
 * the real HTTP server, with a bearer token, for the first page of 50 of a random search (a
 * first-name prefix: email matches; a last-name prefix: display-name matches; a longer prefix:
 * few matches). Beside each HTTP figure, the same query through the store (PostgreSQL's own rate
 * with the driver, no HTTP) in the same run. Bounded: BENCH_REQUESTS (default 2000) sequential
 * requests, BENCH_SECONDS (default 10) of concurrent load.
 *
 *   node --import tsx bench/api-users.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/api-users.ts    # in a scratch database, dropped after
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
const REQUESTS = Math.min(Number(process.env.BENCH_REQUESTS ?? 2000), 50_000);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 60);
const CLIENTS = 16;
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

  const client = await services.apiClients.create({ kind: 'user', userSid: ownerSid }, orgSid, { role: 'read-only' });
  const tokenRes = await fetch(`${baseUrl}/v1/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };

  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let emptyPages = 0;
  const page = (search: string) => new Promise<void>((resolve, reject) => {
    const req = http.request(`${baseUrl}/Organizations/${orgSid}/Users?PageSize=${PAGE}&Search=${encodeURIComponent(search)}`, {
      agent, headers: { authorization: `Bearer ${token}` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`users: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        if ((JSON.parse(Buffer.concat(chunks).toString()) as { content: unknown[] }).content.length === 0) emptyPages += 1;
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
  const query = (search: string) => store.read.users.searchMembers(orgSid, { prefix: search, limit: PAGE });

  /** p50/p99 of `n` sequential calls, bounded by time. */
  const sequential = async (fn: (s: string) => Promise<unknown>, n: number) => {
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < n && performance.now() - started < SECONDS * 3000; i++) {
      const search = randomSearch();
      const t = performance.now();
      await fn(search);
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99) };
  };
  /** Calls per second with `CLIENTS` concurrent callers for `SECONDS`. */
  const concurrent = async (fn: (s: string) => Promise<unknown>) => {
    let done = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (performance.now() - started < SECONDS * 1000) {
        await fn(randomSearch());
        done += 1;
      }
    }));
    return done / ((performance.now() - started) / 1000);
  };

  for (let i = 0; i < 100; i++) { await page(randomSearch()); await query(randomSearch()); } // warm-up
  const httpOne = await sequential(page, REQUESTS);
  const httpMany = await concurrent(page);
  const sqlOne = await sequential(query, REQUESTS);
  const sqlMany = await concurrent(query);

  process.stdout.write([
    `Organizations API user list benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version})`,
    `  seeded ${USERS} members in one organization (+ ${Math.floor(USERS / 5)} in another) in ${(seedMs / 1000).toFixed(1)} s`,
    `  page of ${PAGE} with a random prefix search (first page), read-only API client bearer token:`,
    `    1 client:   HTTP p50 ${ms(httpOne.p50)} ms, p99 ${ms(httpOne.p99)} ms (${httpOne.n} requests)`
      + ` | same query through the store: p50 ${ms(sqlOne.p50)} ms, p99 ${ms(sqlOne.p99)} ms`,
    `    ${CLIENTS} clients: HTTP ${httpMany.toFixed(0)} pages/s | same query through the store: ${sqlMany.toFixed(0)} queries/s (${SECONDS} s each)`,
    `  (${emptyPages} HTTP pages had no match)`,
  ].join('\n') + '\n');

  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  mailer.close();
  await db.destroy();
  if (admin && process.env.BENCH_KEEP === '1') process.stdout.write(`  kept the scratch database ${scratch} (BENCH_KEEP=1)\n`);
  else if (admin) {
    await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.destroy();
  }
}

await main();
