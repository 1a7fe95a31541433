/**
 * Graceful shutdown on SIGTERM: stop accepting, finish in-flight requests, close the pool, exit 0.
 * On PostgreSQL the database is reached through a loopback proxy that slows it down, so a request
 * is honestly still in flight when the signal arrives. The embedded PGlite answers in
 * microseconds, so there the test checks that requests are answered until the signal and the
 * process then exits 0 promptly.
 */
import net from 'node:net';
import { cliDatabase, type CliDatabase } from '../cli/run-cli.js';
import { startServer, stopServer, type ServerProcess } from './server-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const SLOW = 120000;
const onPostgres = Boolean(process.env.DATABASE_URL);

/** Resolves true when a TCP connection to `port` is refused. */
const refused = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(false); });
  socket.once('error', () => resolve(true));
});

let db: CliDatabase;
let proxy: TcpProxy | undefined;
let server: ServerProcess | undefined;
beforeAll(async () => { db = await cliDatabase(); }, SLOW);
afterAll(async () => {
  if (server && server.child.exitCode === null) await stopServer(server, 'SIGKILL');
  await proxy?.close();
  await db.close();
}, SLOW);

(onPostgres ? it : it.skip)('PostgreSQL: a request in flight at SIGTERM is answered 200, new connections are refused, then the process exits 0', async () => {
  const target = new URL(db.testDb!.url!);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  server = await startServer({ ...db.env, DATABASE_URL: proxy.urlFor(db.testDb!.url!) });
  proxy.delay(400);

  const events: string[] = [];
  const inFlight = fetch(`${server.url}/healthz`).then(async (res) => {
    events.push('answered');
    return { status: res.status, body: await res.json() as unknown };
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const exited = server.exited.then((r) => { events.push('exited'); return r; });
  server.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await refused(server.port)).toBe(true);

  expect(await inFlight).toEqual({ status: 200, body: { status: 'ok' } });
  expect(await exited).toEqual({ code: 0, signal: null });
  expect(events).toEqual(['answered', 'exited']);
  expect(server.logs()).toMatch(/"msg":"draining","signal":"SIGTERM"[\s\S]*"msg":"stopped"/);
}, SLOW);

(onPostgres ? it.skip : it)('embedded PGlite: requests are answered until SIGTERM, then the process exits 0 promptly and frees the port', async () => {
  server = await startServer(db.env);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await fetch(`${server.url}/healthz`)).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  const stopped = await stopServer(server);
  expect(stopped).toMatchObject({ code: 0, signal: null });
  expect(stopped.ms).toBeLessThan(5000);
  expect(await refused(server.port)).toBe(true);
  expect(server.logs()).toMatch(/"msg":"draining","signal":"SIGTERM"[\s\S]*"msg":"stopped"/);
}, SLOW);
