/** A real HTTP webhook receiver on loopback for the webhook tests: records each request, answers as told. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** The next answers (status, headers), in order; 200 once they run out. */
  answers: { status: number; headers?: Record<string, string> }[];
  /** While set, requests are held unanswered until release() (a receiver mid-delivery). */
  hold: boolean;
  release(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const held: (() => void)[] = [];
  const receiver: Receiver = {
    url: '', received: [], answers: [], hold: false,
    release() { for (const fn of held.splice(0)) fn(); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        receiver.received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
        const next = receiver.answers.shift() ?? { status: 200 };
        res.writeHead(next.status, next.headers ?? {}).end();
      };
      if (receiver.hold) held.push(answer); else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** Polls `condition` (driving `step` between tries) until true, at most `tries` times. */
export async function until(condition: () => boolean | Promise<boolean>, step: () => Promise<unknown>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    if (await condition()) return;
    await step();
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}

/** Resolves once `condition` holds (checked every 20 ms: real time, for work in other threads or processes); fails after `withinMs`. */
export async function eventually(condition: () => boolean, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
