/**
 * The Orgward server for the SCIM benchmarks, in its own process (so its RSS is measured alone):
 * the real runtime and app over the benchmark database, listening on 127.0.0.1, port 0.
 * Tells the parent its port over IPC; exits when the parent disconnects.
 */
import { constants as perf, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';
import { createApp } from '../src/app.js';
import { createAppServer } from '../src/http/server.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createRuntime } from '../src/runtime.js';
import { tuneGarbageCollector } from '../src/gc-tuning.js';

// As serve() in src/main.ts does, so that the benchmark measures the memory of production.
tuneGarbageCollector();

const config = loadConfig({
  ...process.env,
  PORT: '0',
  BASE_URL: 'http://127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  DB_POOL_MAX: process.env.DB_POOL_MAX ?? '16',
  // A scratch benchmark database: any fixed key will do (SECRET_KEY is required with DATABASE_URL).
  ...(!process.env.SECRET_KEY && !process.env.SECRET_KEYS && { SECRET_KEY: 'b'.repeat(64) }),
});
const logger = createLogger(config.logLevel);
const runtime = await createRuntime(config, logger);
await runtime.migrate();
const app = createApp({ services: runtime.services, health: runtime.health, logger, baseUrl: config.baseUrl, secureCookies: false });
// The server as serve() makes it: requests built with the app's prototypes (src/http/server.ts).
const { server, serve } = createAppServer({ keepAliveTimeout: 30_000 });
serve(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
// BENCH_MEM_REPORT=1: where the RSS goes (V8 heap spaces against the rest), sampled every 50 ms, printed at exit.
const peak: Record<string, number> = {};
const memTimer = process.env.BENCH_MEM_REPORT ? setInterval(() => {
  const sample: Record<string, number> = { ...process.memoryUsage() };
  for (const s of v8.getHeapSpaceStatistics()) sample[s.space_name] = s.space_size;
  for (const [k, v] of Object.entries(sample)) peak[k] = Math.max(peak[k] ?? 0, v);
}, 50) : undefined;
// …and the time spent in GC pauses, by kind (scavenges against full collections).
const gcMs: Record<string, { count: number; ms: number }> = {};
const gcKinds: Record<number, string> = {
  [perf.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [perf.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [perf.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking', [perf.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
const gcObserver = process.env.BENCH_MEM_REPORT ? new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = gcKinds[entry.detail?.kind ?? 0] ?? 'other';
    const sum = (gcMs[kind] ??= { count: 0, ms: 0 });
    sum.count++;
    sum.ms += entry.duration;
  }
}) : undefined;
gcObserver?.observe({ entryTypes: ['gc'] });
process.on('disconnect', () => {
  if (memTimer) {
    clearInterval(memTimer);
    gcObserver?.disconnect();
    console.error(`server GC pauses: ${Object.entries(gcMs).map(([k, v]) => `${k} ${v.count} × = ${v.ms.toFixed(0)} ms`).join(', ')}`);
    console.error(`server memory peaks (MB): ${Object.entries(peak).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)}`).join(', ')}`);
    // With BENCH_NODE_ARGS=--expose-gc: what is still live at the end (a cache), against garbage not yet collected.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      const m = process.memoryUsage();
      console.error(`server after a full GC (MB): rss ${(m.rss / 1048576).toFixed(1)}, heapUsed ${(m.heapUsed / 1048576).toFixed(1)}, heapTotal ${(m.heapTotal / 1048576).toFixed(1)}`);
      if (process.env.BENCH_HEAP_SNAPSHOT) console.error(`heap snapshot: ${v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT)}`);
    }
  }
  server.close();
  server.closeAllConnections();
  void runtime.close().finally(() => process.exit(0));
});
