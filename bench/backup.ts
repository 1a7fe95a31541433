/**
 * Benchmark: backup, restore and move-to-postgres throughput (rows/s) at BENCH_USERS users
 * (default 100,000), with PostgreSQL's own tools on the same rows in the same run as the yardstick.
 *
 * Seeds an embedded database (a scratch DATA_DIR) set-based: 100 organizations, the users with a
 * membership, a session and an audit entry each (4 rows per user). Then, in this process (no CLI
 * start-up in the figures), timing each step and this process's CPU:
 *   1. backup of the embedded database to a file (what `orgward backup` does, also in a server)
 *   2. restore of that file into an empty PostgreSQL database
 *   3. move-to-postgres: the embedded database straight into another empty PostgreSQL database
 *   4. backup of the PostgreSQL copy (the same rows, now on PostgreSQL)
 * and the yardstick: `pg_dump -Fc` of that PostgreSQL copy, `pg_restore` of its dump into an empty
 * database, and `COPY … TO STDOUT` of every table (psql, to /dev/null).
 *
 *   node --import tsx bench/backup.ts                    # BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres
 *   BENCH_USERS=20000 node --import tsx bench/backup.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { createDb, migrateLatest, type Db } from '../src/store/db.js';
import { backupDatabase } from '../src/store/backup/backup.js';
import { restoreBackup } from '../src/store/backup/restore.js';
import { moveToPostgres } from '../src/store/backup/move.js';

const USERS = Math.min(Number(process.env.BENCH_USERS ?? 100_000), 2_000_000);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const KEY = randomBytes(32);

const urlOf = (name: string) => { const u = new URL(SERVER); u.pathname = `/${name}`; return u.toString(); };

async function seed(db: Db): Promise<number> {
  await db.transaction(async (trx) => {
    await trx.raw(`INSERT INTO organizations (sid, name) SELECT 'OR' || lpad(to_hex(o), 32, '0'), 'Org ' || o FROM generate_series(1, 100) AS o`);
    await trx.raw(`INSERT INTO users (sid, email, display_name, password_hash) SELECT 'US' || lpad(to_hex(u), 32, '0'), 'user' || u || '@org' || (u % 100 + 1) || '.example', 'User ' || u, '$scrypt$bench' FROM generate_series(1, ?) AS u`, [USERS]);
    await trx.raw(`INSERT INTO memberships (user_sid, org_sid, role) SELECT 'US' || lpad(to_hex(u), 32, '0'), 'OR' || lpad(to_hex(u % 100 + 1), 32, '0'), CASE WHEN u <= 100 THEN 'owner' ELSE 'standard' END FROM generate_series(1, ?) AS u`, [USERS]);
    await trx.raw(`INSERT INTO sessions (id_hash, user_sid, method, expires_at) SELECT md5(u::text) || md5((u + 1)::text), 'US' || lpad(to_hex(u), 32, '0'), 'password', now() + interval '12 hours' FROM generate_series(1, ?) AS u`, [USERS]);
    await trx.raw(`INSERT INTO audit_log (org_sid, actor, action, target, after) SELECT 'OR' || lpad(to_hex(u % 100 + 1), 32, '0'), 'operator', 'user.created', 'US' || lpad(to_hex(u), 32, '0'), jsonb_build_object('email', 'user' || u || '@example') FROM generate_series(1, ?) AS u`, [USERS]);
  });
  const rows = (await db.raw(`SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM users) + (SELECT count(*) FROM memberships)
    + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM roles) AS n`)).rows[0].n as string;
  return Number(rows);
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
function line(label: string, rows: number, t: { seconds: number; cpu?: number }, extra = ''): void {
  const cpu = t.cpu === undefined ? '' : `, this process ${t.cpu.toFixed(1)} s CPU`;
  console.log(`${label.padEnd(46)} ${fmt(rows / t.seconds).padStart(9)} rows/s   (${t.seconds.toFixed(1)} s${cpu})${extra}`);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'orgward-bench-backup-'));
  const dataDir = path.join(work, 'data');
  const scratch = ['restore', 'move', 'pgrestore'].map((s) => `orgward_bench_${s}_${randomBytes(3).toString('hex')}`);
  const admin = knexFactory({ client: 'pg', connection: SERVER, pool: { min: 0, max: 1 } });
  for (const name of scratch) await admin.raw(`CREATE DATABASE ${name}`);
  try {
    const source = createDb({ databaseUrl: undefined, dataDir });
    let rows: number;
    try {
      await migrateLatest(source);
      const seeded = await timed(() => seed(source));
      rows = seeded.value;
      console.log(`seeded ${fmt(USERS)} users, ${fmt(rows)} rows in the embedded database in ${seeded.seconds.toFixed(1)} s (not measured below)`);
      const file = path.join(work, 'embedded.backup.gz');
      const backup = await timed(() => backupDatabase(source, file, { database: 'embedded', primaryKey: KEY, overwrite: false }));
      line('orgward backup, embedded database', rows, backup, `, ${(backup.value.bytes / 1e6).toFixed(1)} MB`);
      const restore = await timed(() => restoreBackup(file, { databaseUrl: urlOf(scratch[0]!), dataDir: 'unused', secretKeys: [KEY] }));
      line('orgward restore into PostgreSQL', rows, restore);
      const move = await timed(() => moveToPostgres(source, urlOf(scratch[1]!)));
      line('orgward move-to-postgres', rows, move);
    } finally {
      await source.destroy();
    }
    const copy = createDb({ databaseUrl: urlOf(scratch[0]!), dataDir: 'unused' });
    try {
      const pgBackup = await timed(() => backupDatabase(copy, path.join(work, 'pg.backup.gz'), { database: 'postgresql', primaryKey: KEY, overwrite: false }));
      line('orgward backup, PostgreSQL', rows, pgBackup, `, ${(pgBackup.value.bytes / 1e6).toFixed(1)} MB`);
    } finally {
      await copy.destroy();
    }
    console.log('yardstick, same rows, same run:');
    const dump = path.join(work, 'pg.dump');
    const pgDump = await timed(() => execFileSync('pg_dump', ['-Fc', '-f', dump, '-d', urlOf(scratch[0]!)]));
    line('  pg_dump -Fc', rows, pgDump, `, ${(fs.statSync(dump).size / 1e6).toFixed(1)} MB`);
    const pgRestore = await timed(() => execFileSync('pg_restore', ['-d', urlOf(scratch[2]!), '--single-transaction', dump]));
    line('  pg_restore --single-transaction (with indexes)', rows, pgRestore);
    const tables = ['organizations', 'users', 'memberships', 'sessions', 'audit_log', 'roles'];
    const copyOut = await timed(() => { for (const t of tables) execFileSync('psql', ['-q', '-d', urlOf(scratch[0]!), '-c', `\\copy ${t} TO '/dev/null'`]); });
    line('  COPY … TO STDOUT (psql, uncompressed)', rows, copyOut);
  } finally {
    for (const name of scratch) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
