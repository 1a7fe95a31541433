/**
 * The real server process serves Prometheus metrics on METRICS_HOST:METRICS_PORT only: the
 * metrics port answers GET /metrics with Orgward's and the process's series, the public port
 * answers 404 for the same path.
 */
import net from 'node:net';
import { cliDatabase, type CliDatabase } from '../cli/run-cli.js';
import { startServer, stopServer } from './server-process.js';

const SLOW = 180000;
let db: CliDatabase;
beforeAll(async () => { db = await cliDatabase(); }, SLOW);
afterAll(async () => { await db.close(); });

/** A port nobody listens on right now (the system picks it). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(`metrics listener (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  it('serves /metrics on METRICS_PORT and never on the public port', async () => {
    const metricsPort = await freePort();
    const server = await startServer({ ...db.env, METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const publicMetrics = await fetch(`${server.url}/metrics`);
      expect(publicMetrics.status).toBe(404);
      expect(await publicMetrics.text()).not.toContain('orgward_');

      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toMatch(/^orgward_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} [1-9]/m);
      expect(text).toMatch(/^orgward_http_request_duration_seconds_count\{route="\(unmatched\)",method="GET",status="404"\} 1$/m);
      expect(text).toMatch(/^orgward_mail_outbox_depth \d+$/m);
      expect(text).toMatch(/^orgward_job_queue_depth\{queue="user_import"\} 0$/m);
      expect(text).toMatch(/^orgward_db_pool_in_use \d+$/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
      expect(server.logs()).toContain('"msg":"metrics listening"');
    } finally {
      expect(await stopServer(server)).toMatchObject({ code: 0 });
    }
  }, SLOW);
});
