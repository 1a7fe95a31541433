/**
 * V8's garbage collector, tuned for a server whose objects live for one request: two flags, set
 * from code by `serve()` (and the benchmarks' servers), each left alone when the operator passes it
 * to node.
 *
 * Set from code, not in a start script, because `--heap-growing-percent` is not allowed in
 * NODE_OPTIONS, and a flag in `npm start` would miss `node dist/src/main.js` and `orgward serve`.
 * V8 reads both flags as it goes (the growth limit at each GC, pretenuring at each scavenge), so
 * setting them at start-up takes effect at once.
 *
 * **Heap growth** (`--heap-growing-percent=30`). By default V8 allows a small heap to grow to up to
 * 4x its live size before a full collection. Under SCIM load this process keeps ~33 MB live
 * (modules, the app, the pool) and nothing else: no cache grows with the number of users (a full
 * GC at the end of bench/scim-idp.ts leaves 33 MB at 1,000 users as at 4,000). Objects of requests
 * in flight survive two scavenges at 16 clients and are promoted, so the old generation filled
 * with garbage up to ~136 MB before V8 collected it, and the process's RSS peaked at 224-240 MB.
 * With the factor 1.3 the old generation stays near 45 MB and RSS under 150 MB, for a full GC of a
 * ~40 MB heap about every 10 MB promoted (bench/README.md has the figures; SCIM CPU per request did
 * not measurably change).
 *
 * **No allocation-site pretenuring** (`--no-allocation-site-pretenuring`). When most objects from
 * one allocation site survive a scavenge (as a burst of concurrent requests makes them), V8 starts
 * allocating that site's objects directly in the old generation. Here those are objects of one
 * request, such as the timer the pg driver arms for each query's `query_timeout`: each such object
 * dies with its request, but from the old generation it keeps what it points to (the query, its
 * rows, the request's closures) alive through every scavenge until the next full GC. Measured on
 * the check API at 1 client: 8.5 KB promoted per request with pretenuring, 2.4 KB without, and
 * scavenges of 4-6 ms, the tail of its latency, became rarer and shorter (bench/README.md).
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;

export function tuneGarbageCollector(execArgv: readonly string[] = process.execArgv): void {
  const given = (flag: string) => execArgv.some((arg) => new RegExp(`^--(?:no-)?${flag.replace(/-/g, '[-_]')}\\b`).test(arg));
  if (!given('heap-growing-percent')) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!given('allocation-site-pretenuring')) v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
