/**
 * Reads at 100,000 users in one organization: `userName eq` lookups (the IdPs' lookup before every
 * create; target ≥ 3,000 req/s at 16 clients, p99 < 5 ms at 1 client) and pages of 100 with the
 * exact totalResults (target p99 < 50 ms at 1 client).
 * Run: node --import tsx bench/scim-lookup.ts [users]
 */
import { client, createBenchDatabase, createBenchOrg, expectStatus, fmt, load, median, percentile, rawLookupRate, seedUsers, segmented, startServer } from './scim-support.js';

const USERS = Number(process.argv[2] ?? 100_000);
const DOMAIN = 'lookup.bench.example';
const SEGMENTS = 5;

export async function benchLookup(): Promise<Record<string, number>> {
  const database = await createBenchDatabase('lookup');
  try {
    const org = await createBenchOrg(database.db, DOMAIN);
    const t0 = Date.now();
    await seedUsers(database.db, org.orgSid, DOMAIN, USERS);
    console.log(`seeded ${fmt(USERS)} users in ${fmt((Date.now() - t0) / 1000, 1)} s`);
    const server = await startServer(database.url);
    try {
      const call = client(server.port, org.token);
      const lookup = (i: number) => `/Users?filter=${encodeURIComponent(`userName eq "U${(i * 7919) % USERS + 1}@${DOMAIN}"`)}`;
      const check = (body: string) => { if (!body.includes('"totalResults":1,')) throw new Error(`lookup did not find exactly one user: ${body.slice(0, 200)}`); };
      // Warm-up as long as the measurement, not counted: the JIT and PostgreSQL's per-connection
      // caches take ~10,000 requests to settle (a 2,000-request warm-up measured 15-20% lower).
      await load(16, 30_000, async (i) => { const r = await call('GET', lookup(i + 1_000_003)); expectStatus(r, 200, 'warm-up'); check(r.body); });
      const many = await segmented(SEGMENTS, 16, 8_000, async (i) => { const r = await call('GET', lookup(i + 5)); expectStatus(r, 200, 'lookup'); check(r.body); });
      const rates = many.map((m) => 8_000 / (m.elapsedMs / 1000));
      const ones = await segmented(SEGMENTS, 1, 1_000, async (i) => { const r = await call('GET', lookup(i + 11)); expectStatus(r, 200, 'lookup'); check(r.body); });
      const p99s = ones.map((o) => percentile(o.latencies, 99));
      const oneAll = ones.flatMap((o) => o.latencies);
      const pageCall = (i: number) => call('GET', `/Users?startIndex=${((i * 104729) % (USERS - 100)) + 1}&count=100`);
      await load(1, 50, async (i) => expectStatus(await pageCall(i), 200, 'warm-up page'));
      const pages = await load(1, 400, async (i) => {
        const r = await pageCall(i + 3);
        expectStatus(r, 200, 'page');
        const body = JSON.parse(r.body) as { totalResults: number; Resources: unknown[] };
        if (body.totalResults !== USERS + 1 || body.Resources.length !== 100) throw new Error(`page: total ${body.totalResults}, ${body.Resources.length} resources`);
      });
      const rss = server.maxRssMb();
      const raw = await rawLookupRate(database.url, org.orgSid, (i) => `U${(i * 7919) % USERS + 1}@${DOMAIN}`, 16, 3000);
      console.log(`userName eq at ${fmt(USERS)} users, 16 clients: median ${fmt(median(rates))} req/s (segments of 8,000: ${rates.map((r) => fmt(r)).join(', ')}; p99 ${fmt(percentile(many.flatMap((m) => m.latencies), 99), 1)} ms)`);
      console.log(`PostgreSQL alone, same run, 16 clients: ${fmt(raw)} index lookups/s by userName from a bare pg pool`);
      console.log(`userName eq, 1 client: p50 ${fmt(percentile(oneAll, 50), 2)} ms, p99 median ${fmt(median(p99s), 2)} ms (segments of 1,000: ${p99s.map((p) => fmt(p, 2)).join(', ')}; all together ${fmt(percentile(oneAll, 99), 2)} ms)`);
      console.log(`page of 100 with exact totalResults (${fmt(USERS + 1)}), random startIndex, 1 client: p50 ${fmt(percentile(pages.latencies, 50), 1)} ms, p99 ${fmt(percentile(pages.latencies, 99), 1)} ms`);
      console.log(`server RSS max: ${fmt(rss, 1)} MB`);
      return { lookupRate: median(rates), rawLookups: raw, lookupP99One: median(p99s), pageP99: percentile(pages.latencies, 99), rssMb: rss };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLookup();
