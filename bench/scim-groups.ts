/**
 * Group membership at scale: member additions per second in PATCHes of 100 (16 clients, one group
 * each; target ≥ 5,000/s), and the cost of adding or removing one member in a 100,000-member group
 * against a 10-member group (target: within 2x; never loading all members).
 * Run: node --import tsx bench/scim-groups.ts [bigGroupSize]
 */
import { client, createBenchDatabase, createBenchOrg, expectStatus, fmt, load, percentile, seedUsers, startServer } from './scim-support.js';

const BIG = Number(process.argv[2] ?? 100_000);
const DOMAIN = 'groups.bench.example';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const add = (sids: readonly string[]) => ({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: sids.map((value) => ({ value })) }] });
const remove = (sid: string) => ({ schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${sid}"]` }] });

export async function benchGroups(): Promise<Record<string, number>> {
  const database = await createBenchDatabase('groups');
  try {
    const org = await createBenchOrg(database.db, DOMAIN);
    const batchUsers = 32_000;
    const users = await seedUsers(database.db, org.orgSid, DOMAIN, BIG + batchUsers + 1000);
    const server = await startServer(database.url);
    try {
      const call = client(server.port, org.token);
      const create = async (displayName: string) => {
        const r = await call('POST', '/Groups', { schemas: [GROUP], displayName });
        expectStatus(r, 201, 'create group');
        return (JSON.parse(r.body) as { id: string }).id;
      };

      // Additions in PATCHes of 100: 16 clients, each on a group of its own.
      const groups = await Promise.all(Array.from({ length: 16 }, (_, i) => create(`Batch ${i}`)));
      const pool = users.slice(BIG, BIG + batchUsers);
      await load(16, 16, async (i) => expectStatus(await call('PATCH', `/Groups/${groups[i]}`, add(pool.slice(i * 10, i * 10 + 10))), 204, 'warm-up'));
      const patches = (batchUsers - 160) / 100;
      const run = await load(16, patches, async (i) => {
        const slice = pool.slice(160 + i * 100, 160 + i * 100 + 100);
        expectStatus(await call('PATCH', `/Groups/${groups[i % 16]}`, add(slice)), 204, 'add 100');
      });
      const addsPerSecond = (patches * 100) / (run.elapsedMs / 1000);

      // One member in and out of a 100,000-member group and of a 10-member group (1 client).
      const big = await create('Big');
      const small = await create('Small');
      const t0 = Date.now();
      await load(4, BIG / 1000, async (i) => expectStatus(await call('PATCH', `/Groups/${big}`, add(users.slice(i * 1000, i * 1000 + 1000))), 204, 'fill big group'));
      console.log(`filled a ${fmt(BIG)}-member group through PATCHes of 1,000 in ${fmt((Date.now() - t0) / 1000, 1)} s`);
      expectStatus(await call('PATCH', `/Groups/${small}`, add(users.slice(0, 10))), 204, 'fill small group');
      const spare = users.slice(BIG + batchUsers, BIG + batchUsers + 1000);
      const oneByOne = async (group: string) => {
        const adds: number[] = [];
        const removes: number[] = [];
        for (let round = 0; round < 3; round++) {
          for (const sid of spare.slice(0, 200)) {
            let t = process.hrtime.bigint();
            expectStatus(await call('PATCH', `/Groups/${group}`, add([sid])), 204, 'add one');
            adds.push(Number(process.hrtime.bigint() - t) / 1e6);
            t = process.hrtime.bigint();
            expectStatus(await call('PATCH', `/Groups/${group}`, remove(sid)), 204, 'remove one');
            removes.push(Number(process.hrtime.bigint() - t) / 1e6);
          }
        }
        return { add: percentile(adds, 50), remove: percentile(removes, 50), add99: percentile(adds, 99) };
      };
      await oneByOne(small);
      const smallCost = await oneByOne(small);
      const bigCost = await oneByOne(big);
      const check = JSON.parse((await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Big"')}&excludedAttributes=members`)).body) as { totalResults: number };
      if (check.totalResults !== 1) throw new Error('big group not found');
      const rss = server.maxRssMb();
      console.log(`member additions, PATCHes of 100, 16 clients: ${fmt(addsPerSecond)} members/s (p99 PATCH ${fmt(percentile(run.latencies, 99), 1)} ms)`);
      console.log(`one member into a ${fmt(BIG)}-member group: p50 add ${fmt(bigCost.add, 2)} ms, remove ${fmt(bigCost.remove, 2)} ms (p99 add ${fmt(bigCost.add99, 2)} ms)`);
      console.log(`one member into a 10-member group: p50 add ${fmt(smallCost.add, 2)} ms, remove ${fmt(smallCost.remove, 2)} ms (p99 add ${fmt(smallCost.add99, 2)} ms)`);
      console.log(`ratio big/small: add ${fmt(bigCost.add / smallCost.add, 2)}x, remove ${fmt(bigCost.remove / smallCost.remove, 2)}x`);
      console.log(`server RSS max: ${fmt(rss, 1)} MB`);
      return { addsPerSecond, addRatio: bigCost.add / smallCost.add, removeRatio: bigCost.remove / smallCost.remove, rssMb: rss };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchGroups();
