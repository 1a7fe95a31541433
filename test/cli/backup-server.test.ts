/**
 * `orgward backup` while the server runs on the embedded database: the server holds DATA_DIR's
 * lock, so the CLI hands the command to it (control socket) and the server writes the backup from
 * its own connection, in one snapshot, and keeps serving. Restore and move-to-postgres write a
 * database no server may use: a server refuses to run them. Real server and CLI processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDb } from '../../src/store/db.js';
import { startServer, stopServer } from '../process/server-process.js';
import { cliDatabase, cliJson, type CliDatabase } from './run-cli.js';
import { tableContents } from './backup-support.js';

const SLOW = 240000;
const onPostgres = Boolean(process.env.DATABASE_URL);

(onPostgres ? describe.skip : describe)('backup while the server runs on the embedded database', () => {
  let db: CliDatabase;
  beforeAll(async () => { db = await cliDatabase(); }, SLOW);
  afterAll(async () => { await db.close(); }, SLOW);

  it('the server writes the backup for the CLI and keeps serving; restore and move are refused while it runs; the backup restores what was there', async () => {
    const first = (await cliJson(['org', 'create', '--name', 'Before the server', '--owner', 'owner@before.example'], db.env)).orgSid as string;
    const file = path.join(db.dataDir, 'live.backup.gz');
    const server = await startServer(db.env);
    let second: string;
    try {
      expect(Number(fs.readFileSync(path.join(db.dataDir, 'orgward.lock'), 'utf8'))).toBe(server.child.pid);
      second = (await cliJson(['org', 'create', '--name', 'While serving', '--owner', 'owner@serving.example'], db.env)).orgSid as string;
      const out = await cliJson(['backup', '--out', file], db.env);
      expect(out).toMatchObject({ file, bytes: fs.statSync(file).size });
      expect(out.tables).toMatchObject({ organizations: 2, users: 2, memberships: 2 });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      const restore = await cliJson(['restore', file], db.env, 1);
      expect(restore.error.code).toBe('server_running');
      expect(restore.error.message).toMatch(/Stop the server/);
      const move = await cliJson(['move-to-postgres', '--to', 'postgres://nobody@127.0.0.1:1/none'], db.env, 1);
      expect(move.error.code).toBe('server_running');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await stopServer(server)).toMatchObject({ code: 0 });
    }

    const restoredDir = path.join(db.dataDir, 'restored');
    fs.mkdirSync(restoredDir);
    fs.copyFileSync(path.join(db.dataDir, 'secret.key'), path.join(restoredDir, 'secret.key'));
    const restored = await cliJson(['restore', file], { ...db.env, DATA_DIR: restoredDir });
    expect(restored.restored).toMatchObject({ organizations: 2 });
    const [live, copy] = [createDb({ databaseUrl: undefined, dataDir: db.dataDir }), createDb({ databaseUrl: undefined, dataDir: restoredDir })];
    try {
      const expected = await tableContents(live);
      expect(expected.organizations!.join()).toContain(first);
      expect(expected.organizations!.join()).toContain(second!);
      expect(await tableContents(copy)).toEqual(expected);
    } finally {
      await live.destroy();
      await copy.destroy();
    }
    // The restored DATA_DIR serves: the CLI opens it with the key that was copied in.
    expect((await cliJson(['org', 'show', '--org', second!], { ...db.env, DATA_DIR: restoredDir })).name).toBe('While serving');
  }, SLOW);
});
