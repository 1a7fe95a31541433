/**
 * `npm start` on a bare machine: the server process migrates an empty database, serves /healthz,
 * stops cleanly on SIGTERM, and what was written survives restarts (embedded PGlite under DATA_DIR
 * unless DATABASE_URL is set).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliDatabase, cliJson, ROOT, SID, type CliDatabase } from '../cli/run-cli.js';
import { startServer, stopServer } from './server-process.js';

const SLOW = 180000;

let db: CliDatabase;
beforeAll(async () => { db = await cliDatabase(); }, SLOW);
afterAll(async () => { await db.close(); });

const get = (url: string) => fetch(url).then(async (res) => ({ status: res.status, body: await res.json() as unknown }));

describe(`server process (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  it('migrates an empty database, serves /healthz 200, stops on SIGTERM with exit 0, and keeps its data across restarts', async () => {
    // A data directory that does not exist yet, as on a fresh clone.
    const env = { ...db.env, DATA_DIR: path.join(db.dataDir, 'data') };

    const first = await startServer(env);
    expect(await get(`${first.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await get(`${first.url}/readyz`)).status).toBe(200);
    if (db.kind === 'pglite') {
      expect(first.logs()).toContain('"msg":"migrations applied"');
      expect(fs.existsSync(path.join(env.DATA_DIR, 'PG_VERSION'))).toBe(true);
    }
    const stopped = await stopServer(first);
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(5000);
    expect(first.logs()).toContain('"msg":"stopped"');
    // Start-up says, once, that without SMTP_URL mail links go to the log (development).
    expect(first.logs().match(/"msg":"development mail: no SMTP_URL[^"]*"/g)).toHaveLength(1);
    // The embedded database is free again for the next process.
    expect(fs.existsSync(path.join(env.DATA_DIR, 'orgward.lock'))).toBe(false);

    const created = await cliJson(['org', 'create', '--name', 'Survivors', '--owner', 'owner@survivors.example'], env);
    expect(created).toEqual({ orgSid: expect.stringMatching(SID('OR')), ownerSid: expect.stringMatching(SID('US')) });

    const second = await startServer(env);
    expect(second.logs()).not.toContain('"msg":"migrations applied"');
    expect((await get(`${second.url}/healthz`)).status).toBe(200);
    expect(await stopServer(second)).toMatchObject({ code: 0 });

    const shown = await cliJson(['org', 'show', '--org', created.orgSid as string], env);
    expect(shown).toMatchObject({ orgSid: created.orgSid, name: 'Survivors', ownerSid: created.ownerSid });
  }, SLOW);

  it('refuses to start with a clear message and exit 2 when the configuration is invalid', async () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT, env: { ...db.env, PORT: 'eighty', LOG_LEVEL: 'loud' }, encoding: 'utf8', timeout: 30000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('PORT must be an integer from 0 to 65535 (got "eighty")');
    expect(run.stderr).toContain('LOG_LEVEL must be one of');
  }, SLOW);
});
