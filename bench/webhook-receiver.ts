/**
 * The product's back end for bench/events.ts, in a process of its own (forked with an IPC channel),
 * so that the benchmark process holds only what an Orgward server holds. It receives webhooks on a
 * loopback port and verifies each one with the `standardwebhooks` package, as a real receiver
 * would; a delivery that does not verify gets a 400 (the sender then retries it). It counts
 * deliveries by webhook-id (at-least-once: a duplicate keeps its first receipt) and measures each
 * event's latency from the event's time (its change's transaction) to the receipt.
 *
 * Protocol (IPC): sends {port} when listening; takes {secret}; takes {expect}, which starts a
 * count afresh, and sends {done} once `expect` distinct events were received; takes {report} and
 * answers with the figures of the count.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceiverReport {
  readonly received: number;
  readonly distinct: number;
  readonly rejected: number;
  /** Latency of each distinct event, in ms, in receipt order. */
  readonly latencies: number[];
  readonly firstReceipt: number;
  readonly lastReceipt: number;
  /** The receiver's own CPU (user + system) since it started, in µs (not reset with a count). */
  readonly cpuMicros: number;
}

if (!process.send) throw new Error('bench/webhook-receiver.ts is forked by bench/events.ts (it reports over IPC).');
const send = process.send.bind(process);

let verifier: Webhook | undefined;
let expect = Infinity;
const seen = new Set<string>();
const latencies: number[] = [];
let received = 0;
let rejected = 0;
let firstReceipt = 0;
let lastReceipt = 0;

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    received += 1;
    let event: { type: string; time: string };
    try {
      event = verifier!.verify(Buffer.concat(chunks).toString(), req.headers as Record<string, string>) as { type: string; time: string };
    } catch {
      rejected += 1;
      res.writeHead(400).end();
      return;
    }
    const id = req.headers['webhook-id'] as string;
    if (!seen.has(id)) {
      seen.add(id);
      if (firstReceipt === 0) firstReceipt = at;
      lastReceipt = at;
      latencies.push(at - Date.parse(event.time));
      if (seen.size === expect) send({ done: true });
    }
    res.writeHead(204).end();
  });
});

process.on('message', (m: { secret?: string; expect?: number; report?: boolean }) => {
  if (m.secret !== undefined) verifier = new Webhook(m.secret);
  if (m.expect !== undefined) {
    expect = m.expect;
    seen.clear();
    latencies.length = 0;
    received = rejected = firstReceipt = lastReceipt = 0;
  }
  if (m.report) {
    const cpu = process.cpuUsage();
    const report: ReceiverReport = { received, distinct: seen.size, rejected, latencies, firstReceipt, lastReceipt, cpuMicros: cpu.user + cpu.system };
    send({ report });
  }
});
process.on('disconnect', () => { server.closeAllConnections(); server.close(); });

server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
