/**
 * SCIM user creation at 16 concurrent clients (target ≥ 1,400 users/s), next to PostgreSQL's own
 * single-row insert and three-insert transaction rates measured in the same run; and 16 identical
 * concurrent POSTs (exactly one 201). Run: node --import tsx bench/scim-create.ts [users]
 */
import { client, createBenchDatabase, createBenchOrg, expectStatus, fmt, load, median, percentile, rawPostgresRates, segmented, startServer } from './scim-support.js';

const USERS = Number(process.argv[2] ?? 7500);
const SEGMENTS = 5;
const CONCURRENCY = 16;

export async function benchCreate(): Promise<Record<string, number>> {
  const database = await createBenchDatabase('create');
  const server = await startServer(database.url);
  try {
    const org = await createBenchOrg(database.db, 'create.bench.example');
    const call = client(server.port, org.token);
    const body = (i: number) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${i}@create.bench.example`, externalId: `ext-${i}`,
      name: { givenName: 'Bench', familyName: `User ${i}` }, displayName: `Bench User ${i}`, locale: 'en-US', active: true,
      emails: [{ primary: true, value: `user${i}@create.bench.example`, type: 'work' }], password: 'placeholder', groups: [],
    });
    // Warm-up as long as the measurement, not counted: the JIT and PostgreSQL's per-connection
    // caches take several thousand requests to settle (a short warm-up measured 15-20% lower).
    await load(CONCURRENCY, USERS, async (i) => expectStatus(await call('POST', '/Users', body(1_000_000 + i)), 201, 'warm-up create'));
    const runs = await segmented(SEGMENTS, CONCURRENCY, USERS / SEGMENTS, async (i) => expectStatus(await call('POST', '/Users', body(i)), 201, 'create'));
    const rates = runs.map((r) => USERS / SEGMENTS / (r.elapsedMs / 1000));
    const latencies = runs.flatMap((r) => r.latencies);

    const same = body(9_999_999);
    const statuses = await Promise.all(Array.from({ length: 16 }, () => call('POST', '/Users', same).then((r) => r.status)));
    const created = statuses.filter((s) => s === 201).length;
    const conflicts = statuses.filter((s) => s === 409).length;

    const raw = await rawPostgresRates(database.url, CONCURRENCY, 3000);
    const rss = server.maxRssMb();
    console.log(`SCIM user creation, ${CONCURRENCY} clients, ${fmt(USERS)} users: median ${fmt(median(rates))} users/s `
      + `(segments of ${fmt(USERS / SEGMENTS)}: ${rates.map((r) => fmt(r)).join(', ')}; p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms)`);
    console.log(`PostgreSQL alone, same run, ${CONCURRENCY} clients: ${fmt(raw.singleRow)} single-row inserts/s, ${fmt(raw.threeInsertTx)} three-insert transactions/s`);
    console.log(`16 identical concurrent POSTs: ${created} × 201, ${conflicts} × 409`);
    console.log(`server RSS max: ${fmt(rss, 1)} MB`);
    return { usersPerSecond: median(rates), rawSingleRow: raw.singleRow, rawThreeInsertTx: raw.threeInsertTx, identical201: created, identical409: conflicts, rssMb: rss };
  } finally {
    await server.stop();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCreate();
