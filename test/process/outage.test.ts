/**
 * Database outage. On PostgreSQL a TCP proxy on loopback stands between the app and the server
 * (the shared server itself is never stopped): cutting the proxy is the database going away.
 * Requests then fail fast with 503 / database_unavailable, nothing is reported as stored that was
 * not, the process survives, and it serves again as soon as the proxy is back.
 * The embedded PGlite has no server to lose; its failure mode is a second process opening the same
 * data directory, which is refused (data_dir_locked) while the first keeps serving (a CLI command
 * is handed to the running server instead).
 */
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { isDomainError } from '../../src/errors.js';
import { cliDatabase, cliJson, type CliDatabase } from '../cli/run-cli.js';
import { startServer, stopServer, type ServerProcess } from './server-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const SLOW = 120000;
const onPostgres = Boolean(process.env.DATABASE_URL);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

const health = (server: ServerProcess) => fetch(`${server.url}/healthz`).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe().catch((error: unknown) => error as T);
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

(onPostgres ? describe : describe.skip)('database outage on PostgreSQL (through a loopback proxy)', () => {
  let db: CliDatabase;
  let proxy: TcpProxy;
  let env: Record<string, string>;
  let server: ServerProcess;
  let runtime: Runtime;

  beforeAll(async () => {
    db = await cliDatabase();
    const target = new URL(db.testDb!.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    env = { ...db.env, DATABASE_URL: proxy.urlFor(db.testDb!.url!) };
    server = await startServer(env);
    runtime = await createRuntime(loadConfig({ DATABASE_URL: env.DATABASE_URL, SECRET_KEY: env.SECRET_KEY, LOG_LEVEL: 'silent' }), silentLogger);
  }, SLOW);
  afterAll(async () => {
    await runtime?.close().catch(() => undefined);
    if (server) await stopServer(server);
    await proxy?.close();
    await db?.close();
  }, SLOW);

  it('answers 503 fast while the database is gone, stores nothing, survives, and serves again once it is back', async () => {
    expect((await health(server)).status).toBe(200);
    await runtime.services.organizations.create({ kind: 'operator' }, { name: 'Before', ownerEmail: 'owner@before.example' });

    await proxy.cut();

    // /healthz: 503 within the configured database timeout (DB_TIMEOUT_MS, 3 s), every time.
    for (let i = 0; i < 3; i++) {
      const { value, ms } = await timed(() => health(server));
      expect(value).toEqual({ status: 503, body: { status: 'unavailable', reason: 'The database is unavailable; try again shortly.' } });
      expect(ms).toBeLessThan(4000);
    }

    // A write through the services: database_unavailable, fast, never success.
    const write = await timed(() => runtime.services.organizations.create({ kind: 'operator' }, { name: 'Lost', ownerEmail: 'owner@lost.example' }).then(
      () => 'stored', (error: unknown) => error));
    expect(isDomainError(write.value) && write.value.code).toBe('database_unavailable');
    expect(write.ms).toBeLessThan(4000);

    // A write through the CLI: the same error under the --json contract, exit 1.
    const cli = await timed(() => cliJson(['org', 'create', '--name', 'Lost too', '--owner', 'owner@lost-too.example'], env, 1));
    expect(cli.value).toEqual({ error: { code: 'database_unavailable', message: 'The database is unavailable; try again shortly.' } });

    // The server process is still there.
    expect(server.child.exitCode).toBeNull();

    await proxy.restore();
    const back = await eventually(() => health(server), (r) => r.status === 200, 10000);
    expect(back).toEqual({ status: 200, body: { status: 'ok' } });

    // Nothing that failed was stored; writes work again on the same runtime (its pool recovered).
    const names = (await db.testDb!.db('organizations').select('name')).map((r: { name: string }) => r.name).sort();
    expect(names).toEqual(['Before']);
    const after = await runtime.services.organizations.create({ kind: 'operator' }, { name: 'After', ownerEmail: 'owner@after.example' });
    expect(after.orgSid).toMatch(/^OR[0-9a-f]{32}$/);
  }, SLOW);

  it('starts while the database is unreachable: listens, answers 503, and becomes ready once it is back', async () => {
    await proxy.cut();
    const late = await startServer(env, { until: 'listening' });
    try {
      expect(await health(late)).toEqual({ status: 503, body: { status: 'unavailable', reason: 'Orgward is starting: the database is not reachable or not migrated yet.' } });
      const other = await fetch(`${late.url}/api/v1/me`);
      expect(other.status).toBe(503);
      expect(await other.json()).toEqual({ error: { code: 'database_unavailable', message: expect.any(String) } });
      expect(late.child.exitCode).toBeNull();

      await proxy.restore();
      expect(await eventually(() => health(late), (r) => r.status === 200, 20000)).toEqual({ status: 200, body: { status: 'ok' } });
      expect(late.logs()).toContain('"msg":"database unreachable; retrying"');
      expect(late.logs()).toContain('"msg":"ready"');
    } finally {
      await stopServer(late);
    }
  }, SLOW);
});

(onPostgres ? describe.skip : describe)('embedded database (PGlite): no server to lose; a second process over the same DATA_DIR is refused', () => {
  let db: CliDatabase;
  beforeAll(async () => { db = await cliDatabase(); }, SLOW);
  afterAll(async () => { await db.close(); }, SLOW);

  it('refuses a second server with data_dir_locked while the server runs (the CLI is served by it), keeps serving, and lets the CLI in once the server stopped', async () => {
    const server = await startServer(db.env);
    try {
      // The CLI does not open the database: the server runs its command (test/process/cli-forwarding.test.ts).
      const served = await cliJson(['org', 'show', '--org', `OR${'0'.repeat(32)}`], db.env, 1);
      expect(served.error.code).toBe('not_found');
      // A second server is refused, and exits instead of serving a corrupt copy.
      await expect(startServer(db.env)).rejects.toThrow(/exited with 1[\s\S]*is in use by process/);
      expect((await health(server)).status).toBe(200);
    } finally {
      expect(await stopServer(server)).toMatchObject({ code: 0 });
    }
    const missing = await cliJson(['org', 'show', '--org', `OR${'0'.repeat(32)}`], db.env, 1);
    expect(missing.error.code).toBe('not_found');
  }, SLOW);
});
