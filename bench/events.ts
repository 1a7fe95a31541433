/**
 * Benchmark: lifecycle events from change to delivered webhook (issue 13 target: ≥ 1,000 events/s,
 * p99 latency < 1 s at that rate). One product-wide webhook to a real HTTP receiver on loopback;
 * 16 writers commit changes (each a transaction writing one audit entry, so one event through the
 * trigger) at up to BENCH_RATE (default 1,000) per second for BENCH_SECONDS (default 10); the event
 * worker runs as in the server (polling every 100 ms). Latency: from the event's time (the change's
 * transaction) to the receiver getting the signed delivery. Throughput: events delivered per second
 * from the first change to the last delivery. Beside them, the yardstick of the same run (the
 * database alone: primary-key SELECTs at 16 clients) and the process CPU per event.
 *
 *   node --import tsx bench/events.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/events.ts    # in a scratch database, dropped after
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookSender } from '../src/adapters/webhook-target.js';
import { createEventWorker } from '../src/jobs/event-worker.js';
import { silentLogger } from '../src/logger.js';
import { fmt, percentile, startBench, yardstick } from './bench-kit.js';

const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 60);
const RATE = Math.min(Number(process.env.BENCH_RATE ?? 1000), 20_000);
const WRITERS = 16;

async function main(): Promise<void> {
  const bench = await startBench({ allowPrivateTargets: true });
  const latencies: number[] = [];
  let lastReceipt = 0;
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { type: string; time: string };
      if (body.type === 'organization.updated') { lastReceipt = Date.now(); latencies.push(lastReceipt - Date.parse(body.time)); }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const sender = createWebhookSender({ allowPrivate: true });
  const worker = createEventWorker({ events: bench.services.events, delivery: bench.services.webhookDelivery, sender, logger: silentLogger });
  try {
    const { services, store } = bench;
    const { orgSid } = await services.organizations.create({ kind: 'operator' }, { name: 'Bench', ownerEmail: 'owner@bench.example' });
    await services.webhooks.add({ kind: 'operator' }, null, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, types: ['organization.updated'] });
    worker.start();
    const total = RATE * SECONDS;
    let written = 0;
    const cpu = process.cpuUsage();
    const started = Date.now();
    await Promise.all(Array.from({ length: WRITERS }, async () => {
      while (written < total) {
        const i = (written += 1);
        // Paced: the i-th change is not written before its time at RATE per second.
        const due = started + (i * 1000) / RATE;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        await store.transaction((repos) => repos.audit.append({ orgSid, actor: 'operator', action: 'organization.renamed', target: `c${i}`, before: null, after: null }));
      }
    }));
    const writeSeconds = (Date.now() - started) / 1000;
    const deadline = Date.now() + 120_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const used = process.cpuUsage(cpu);
    const seconds = (lastReceipt - started) / 1000;
    latencies.sort((x, y) => x - y);
    const db16 = await yardstick(bench.db, WRITERS, 3000);
    const line = (ok: boolean, what: string, figure: string, target: string) => console.log(`${ok ? 'ok  ' : 'MISS'} ${what.padEnd(44)} ${figure.padEnd(36)} ${target}`);
    console.log(`database: ${bench.kind}; ${fmt(total)} changes offered at ${fmt(RATE)}/s by ${WRITERS} writers (written in ${fmt(writeSeconds, 1)} s)`);
    line(latencies.length === total, 'delivered', `${fmt(latencies.length)} of ${fmt(total)}`, 'none lost');
    line(latencies.length / seconds >= 1000, 'change to delivered webhook', `${fmt(latencies.length / seconds)} events/s`, 'target >= 1,000 events/s');
    line(percentile(latencies, 99) < 1000, 'latency p50 / p99', `${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 99))} ms`, 'target p99 < 1,000 ms');
    line(true, '  database alone, same run (PK SELECT, 16)', `${fmt(db16)} queries/s`, '(yardstick)');
    console.log(`CPU per event (writers, worker, sender and receiver in one process): ${fmt((used.user + used.system) / Math.max(1, latencies.length))} µs`);
  } finally {
    await worker.stop();
    sender.close();
    receiver.close();
    await bench.close();
  }
}

await main();
