/**
 * All SCIM benchmarks in sequence, then a summary against the targets of the SCIM issue.
 * Run: node --import tsx bench/scim-all.ts   (PostgreSQL at BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; each benchmark creates and drops its own database)
 */
import { loadavg } from 'node:os';
import { benchCreate } from './scim-create.js';
import { benchGroups } from './scim-groups.js';
import { benchLookup } from './scim-lookup.js';
import { fmt } from './scim-support.js';

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the figures below share the machine with whatever else runs)\n`);
const create = await benchCreate();
console.log('');
const lookup = await benchLookup();
console.log('');
const groups = await benchGroups();
const rss = Math.max(create.rssMb!, lookup.rssMb!, groups.rssMb!);
const rows: [string, string, string, boolean][] = [
  ['user creation, 16 clients, median segment', `${fmt(create.usersPerSecond!)} users/s`, '≥ 1,400 users/s', create.usersPerSecond! >= 1400],
  ['  PostgreSQL alone, same run', `${fmt(create.rawSingleRow!)} inserts/s, ${fmt(create.rawThreeInsertTx!)} 3-insert tx/s`, '(reference)', true],
  ['16 identical concurrent POSTs', `${create.identical201} × 201, ${create.identical409} × 409`, '1 × 201, 15 × 409', create.identical201 === 1 && create.identical409 === 15],
  ['userName eq, 100,000 users, 16 clients, median', `${fmt(lookup.lookupRate!)} req/s`, '≥ 3,000 req/s', lookup.lookupRate! >= 3000],
  ['  PostgreSQL alone, same run', `${fmt(lookup.rawLookups!)} lookups/s (bare pg pool)`, '(reference)', true],
  ['userName eq, 1 client, p99 (median segment)', `${fmt(lookup.lookupP99One!, 2)} ms`, '< 5 ms', lookup.lookupP99One! < 5],
  ['page of 100 with exact total, 1 client, p99', `${fmt(lookup.pageP99!, 1)} ms`, '< 50 ms', lookup.pageP99! < 50],
  ['member additions, PATCHes of 100', `${fmt(groups.addsPerSecond!)} members/s`, '≥ 5,000/s', groups.addsPerSecond! >= 5000],
  ['one member, 100,000 vs 10 members', `add ${fmt(groups.addRatio!, 2)}x, remove ${fmt(groups.removeRatio!, 2)}x`, '≤ 2x', groups.addRatio! <= 2 && groups.removeRatio! <= 2],
  ['server RSS max', `${fmt(rss, 1)} MB`, '< 200 MB', rss < 200],
];
console.log('\nSummary');
for (const [what, got, target, ok] of rows) console.log(`  ${ok ? 'ok  ' : 'MISS'} ${what.padEnd(48)} ${got.padEnd(40)} target ${target}`);
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
