/**
 * How far V8 lets the old generation grow past what was live after the last full GC.
 *
 * By default V8 allows a small heap to grow to up to 4x its live size before a full collection.
 * Under SCIM load this process keeps ~33 MB live (modules, the app, the pool) and nothing else: no
 * cache grows with the number of users (a full GC at the end of bench/scim-idp.ts leaves 33 MB at
 * 1,000 users as at 4,000). Objects of requests in flight survive two scavenges at 16 clients and
 * are promoted, so the old generation filled with garbage up to ~136 MB before V8 collected it, and
 * the process's RSS peaked at 224-240 MB. With the factor 1.3 the old generation stays near 45 MB
 * and RSS under 150 MB, for a full GC of a ~40 MB heap about every 10 MB promoted (bench/README.md
 * has the figures; SCIM CPU per request did not measurably change).
 *
 * Set from code, not in a start script, because `--heap-growing-percent` is not allowed in
 * NODE_OPTIONS, and a flag in `npm start` would miss `node dist/src/main.js` and `orgward serve`.
 * V8 reads this flag each time it sets the next old-generation limit, so setting it at run time
 * takes effect at the next GC. An operator who passes `--heap-growing-percent=N` to node keeps N.
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
