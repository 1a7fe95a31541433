/**
 * Issue 14's scale bar: at 1,000,000 users in one organization (and 10,000 organizations of 100
 * users beside it), `userName eq` p99 at 1 client and the page p99 (100 users at a random
 * startIndex, exact totalResults) within 1.5x of the 5,000-user figures, creation (Okta's
 * create-user body, 16 clients) within 20 %; how long the fill takes and how large the database is.
 *
 * Each scale gets a database of its own, filled with set-based SQL (not measured as SCIM), then
 * vacuumed and analysed as autovacuum would leave it; the server runs in its own process
 * (bench/scim-server.ts). Per scale: 2,000 lookups at 1 client after 20,000 to warm up, 300
 * pages at 1 client, 4,000 creations at 16 clients after 1,000 to warm up, server RSS.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/scim-scale.ts [bigUsers]   # default 1,000,000
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Knex } from 'knex';
import { client, createBenchDatabase, createBenchOrg, expectStatus, fmt, load, percentile, seedUsers, startServer } from './scim-support.js';

const BIG = Math.max(10_000, Math.min(Number(process.argv[2] ?? 1_000_000), 2_000_000));
const SMALL = 5_000;
const BESIDE_ORGS = Math.min(Number(process.env.BENCH_BESIDE_ORGS ?? 10_000), 10_000);
const BESIDE_USERS = 100;
const DOMAIN = 'scale.bench.example';
const CREATE_BODY = readFileSync(new URL('../idp-fixtures/scim/okta/create-user.json', import.meta.url), 'utf8').replace(/\{\{domain\}\}/g, DOMAIN);

interface ScaleFigures {
  readonly users: number;
  readonly fillSeconds: number;
  readonly databaseMb: number;
  readonly lookupP50: number;
  readonly lookupP99: number;
  readonly pageP50: number;
  readonly pageP99: number;
  readonly createRate: number;
  readonly rssMb: number;
}

/** 10,000 organizations of 100 members each (an Owner and 99 provisioned members), 1,000 organizations per statement. */
async function seedBeside(db: Knex): Promise<void> {
  for (let from = 1; from <= BESIDE_ORGS; from += 1000) await seedBesideRange(db, from, Math.min(BESIDE_ORGS, from + 999));
}

async function seedBesideRange(db: Knex, from: number, to: number): Promise<void> {
  await db.raw(`WITH o AS (SELECT g, 'OR' || md5('beside-org-' || g) AS sid FROM generate_series(?::int, ?::int) AS g),
      oi AS (INSERT INTO organizations (sid, name) SELECT sid, 'Beside ' || g FROM o RETURNING sid),
      p AS (SELECT o.sid AS org_sid, o.g, i, 'US' || md5('beside-user-' || o.g || '-' || i) AS user_sid,
                   'm' || i || '@org' || o.g || '.beside.example' AS email
              FROM o CROSS JOIN generate_series(1, ?) AS i),
      ui AS (INSERT INTO users (sid, email, display_name, given_name, family_name)
             SELECT user_sid, email, 'Member ' || i, 'Member', 'No ' || i FROM p RETURNING sid),
      mi AS (INSERT INTO memberships (user_sid, org_sid, role)
             SELECT user_sid, org_sid, CASE WHEN i = 1 THEN 'owner' ELSE 'standard' END FROM p RETURNING user_sid)
    INSERT INTO scim_users (org_sid, user_sid, user_name, external_id, attributes)
      SELECT org_sid, user_sid, email, 'ext-' || user_sid, jsonb_build_object('emails', jsonb_build_array(jsonb_build_object('value', email, 'type', 'work', 'primary', true)))
        FROM p WHERE i > 1`, [from, to, BESIDE_USERS]);
}

async function measure(users: number, beside: boolean): Promise<ScaleFigures> {
  const database = await createBenchDatabase(`scale${users}`);
  try {
    const org = await createBenchOrg(database.db, DOMAIN);
    const started = Date.now();
    await seedUsers(database.db, org.orgSid, DOMAIN, users);
    if (beside) await seedBeside(database.db);
    await database.db.raw('VACUUM ANALYZE');
    const fillSeconds = (Date.now() - started) / 1000;
    const databaseMb = Number((await database.db.raw('SELECT pg_database_size(current_database()) AS b')).rows[0].b) / 1024 / 1024;
    const server = await startServer(database.url);
    try {
      const call = client(server.port, org.token);
      const lookup = (i: number) => `/Users?filter=${encodeURIComponent(`userName eq "U${(i * 7919) % users + 1}@${DOMAIN}"`)}`;
      const oneLookup = async (i: number) => {
        const r = await call('GET', lookup(i));
        expectStatus(r, 200, 'lookup');
        if (!r.body.includes('"totalResults":1,')) throw new Error(`lookup ${i} did not find exactly one user`);
      };
      // Warm-up as scim-lookup.ts does (the JIT and PostgreSQL's per-connection caches settle after ~10,000 requests).
      await load(16, 20_000, (i) => oneLookup(i + 1_000_003));
      const lookups = await load(1, 2_000, (i) => oneLookup(i + 7));
      const onePage = async (i: number) => {
        const r = await call('GET', `/Users?startIndex=${((i * 104_729) % (users - 100)) + 1}&count=100`);
        expectStatus(r, 200, 'page');
        const body = JSON.parse(r.body) as { totalResults: number; Resources: unknown[] };
        if (body.totalResults !== users + 1 || body.Resources.length !== 100) throw new Error(`page: total ${body.totalResults}, ${body.Resources.length} resources`);
      };
      await load(1, 30, (i) => onePage(i + 101));
      const pages = await load(1, 300, (i) => onePage(i));
      const create = async (i: number) => {
        const body = JSON.parse(CREATE_BODY.replace(/isabella\.jones@/g, `isabella.jones.${i}@`)) as Record<string, unknown>;
        body.externalId = `${String(body.externalId)}-${i}`;
        expectStatus(await call('POST', '/Users', body), 201, 'create');
      };
      await load(16, 1_000, (i) => create(i));
      const creations = await load(16, 4_000, (i) => create(i + 1_000));
      return {
        users, fillSeconds, databaseMb,
        lookupP50: percentile(lookups.latencies, 50), lookupP99: percentile(lookups.latencies, 99),
        pageP50: percentile(pages.latencies, 50), pageP99: percentile(pages.latencies, 99),
        createRate: 4_000 / (creations.elapsedMs / 1000), rssMb: server.maxRssMb(),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

function print(f: ScaleFigures, beside: boolean): void {
  console.log(`  ${fmt(f.users)} users in one organization${beside ? ` (+ ${fmt(BESIDE_ORGS)} organizations of ${BESIDE_USERS})` : ''}: `
    + `filled in ${fmt(f.fillSeconds, 1)} s, database ${fmt(f.databaseMb)} MB; userName eq at 1 client p50 ${fmt(f.lookupP50, 2)} / p99 ${fmt(f.lookupP99, 2)} ms; `
    + `page of 100 p50 ${fmt(f.pageP50, 1)} / p99 ${fmt(f.pageP99, 1)} ms; creation ${fmt(f.createRate)} users/s at 16 clients; server RSS max ${fmt(f.rssMb, 1)} MB`);
}

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const small = await measure(SMALL, false);
print(small, false);
const big = await measure(BIG, true);
print(big, true);
const verdict = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
console.log(`\nSummary (issue 14: at ${fmt(BIG)} users, lookup and page p99 within 1.5x of ${fmt(SMALL)} users, creation within 20 %)`);
console.log(`  ${verdict(big.lookupP99 <= 1.5 * small.lookupP99)} userName eq p99, 1 client   ${fmt(big.lookupP99, 2)} ms against ${fmt(small.lookupP99, 2)} ms (${fmt(big.lookupP99 / small.lookupP99, 2)}x)`);
console.log(`  ${verdict(big.pageP99 <= 1.5 * small.pageP99)} page of 100 p99, 1 client  ${fmt(big.pageP99, 1)} ms against ${fmt(small.pageP99, 1)} ms (${fmt(big.pageP99 / small.pageP99, 2)}x)`);
console.log(`  ${verdict(big.createRate >= 0.8 * small.createRate)} creation, 16 clients      ${fmt(big.createRate)} users/s against ${fmt(small.createRate)} (${fmt(100 * (big.createRate / small.createRate - 1))} %)`);
console.log(`       fill ${fmt(big.fillSeconds, 1)} s, database ${fmt(big.databaseMb)} MB; server RSS max ${fmt(Math.max(big.rssMb, small.rssMb), 1)} MB`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
