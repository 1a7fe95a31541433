/**
 * `orgward backup` and `orgward restore` as real CLI processes, on the database of this run (the
 * embedded one in a DATA_DIR, or PostgreSQL): a populated Orgward is backed up, restored into a new
 * DATA_DIR and into an empty PostgreSQL database, and every table reads back identical. Damaged,
 * truncated or altered files, a newer schema, a non-empty target and another secret key are
 * refused before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createDb } from '../../src/store/db.js';
import { migrations } from '../../migrations/index.js';
import { createTestContext } from '../support/app.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { baseEnv, CLI_SECRET_KEY, cliJson, onlyJson, runCli } from './run-cli.js';
import { ENFORCED_DOMAIN, embeddedTestDb, schemaShape, emptyPostgres, populate, POSTGRES_URL, rewriteHeader, tableContents, tableNames } from './backup-support.js';

const SLOW = 240000;
const onPostgres = Boolean(process.env.DATABASE_URL);
const withPostgres = POSTGRES_URL ? it : it.skip;

let source: TestDb & { dataDir?: string };
let sourceEnv: Record<string, string>;
let before: Record<string, string[]>;
let shape: Awaited<ReturnType<typeof schemaShape>>;
let counts: Record<string, number>;
let work: string;
let file: string;

const keyEnv = { SECRET_KEY: CLI_SECRET_KEY };
const embeddedEnv = (dataDir: string, extra: Record<string, string> = keyEnv) => ({ ...baseEnv(), DATA_DIR: dataDir, ...extra });
const postgresEnv = (url: string) => ({ ...baseEnv(), DATABASE_URL: url, ...keyEnv });

async function sourceContents(): Promise<Record<string, string[]>> {
  if (onPostgres) return tableContents(source.db);
  const db = createDb({ databaseUrl: undefined, dataDir: source.dataDir! });
  try { return await tableContents(db); } finally { await db.destroy(); }
}

async function restoreError(args: string[], env: Record<string, string>) {
  const run = await runCli(['restore', ...args, '--json'], env);
  expect(run.code).toBe(1);
  return onlyJson(run).error as { code: string; message: string };
}

beforeAll(async () => {
  source = onPostgres ? await createTestDb() : await embeddedTestDb();
  const ctx = await createTestContext({ testDb: source });
  await populate(ctx);
  await ctx.close();
  before = await tableContents(source.db);
  shape = await schemaShape(source.db);
  counts = Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, rows.length]));
  // The embedded database serves one process: the CLI opens it next.
  if (!onPostgres) await source.db.destroy();
  sourceEnv = onPostgres ? postgresEnv(source.url!) : embeddedEnv(source.dataDir!);
  work = fs.mkdtempSync(path.join(source.dataDir ?? fs.mkdtempSync('/tmp/orgward-backup-pg-'), 'work-'));
  file = path.join(work, 'orgward.backup.gz');
}, SLOW);

afterAll(async () => {
  if (onPostgres) await source.destroy();
  fs.rmSync(source.dataDir ?? path.dirname(work), { recursive: true, force: true });
}, SLOW);

describe(`backup and restore (${onPostgres ? 'PostgreSQL' : 'embedded'} database backed up)`, () => {
  it('backs up every table in one compressed file: --json names the file, the rows per table and the size; header carries the schema and a checksum per table', async () => {
    expect(Object.values(counts).filter((n) => n > 0).length).toBeGreaterThanOrEqual(20);
    const out = await cliJson(['backup', '--out', file], sourceEnv);
    expect(out).toEqual({ file, tables: counts, bytes: fs.statSync(file).size });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Nothing but the backup is left behind (the body and part files are gone).
    expect(fs.readdirSync(work)).toEqual(['orgward.backup.gz']);
    const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
    const header = JSON.parse(text.slice(0, text.indexOf('\n')));
    expect(header).toMatchObject({ format: 'orgward-backup', version: 1, schema: migrations[migrations.length - 1]!.name });
    expect(header.tables.map((t: { name: string }) => t.name).sort()).toEqual(Object.keys(counts).sort());
    for (const t of header.tables) expect(t.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Referenced tables come first: organizations before memberships, users before sessions.
    const order = header.tables.map((t: { name: string }) => t.name);
    expect(order.indexOf('organizations')).toBeLessThan(order.indexOf('memberships'));
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('sessions'));
    expect(text.endsWith('#end\n')).toBe(true);
    // An existing file is not replaced without --force.
    expect((await cliJson(['backup', '--out', file], sourceEnv, 1)).error.code).toBe('conflict');
  }, SLOW);

  it('restores into a new DATA_DIR: every table reads back identical (subaccounts and merged organizations after their parents, trigger-set timestamps as dumped)', async () => {
    const dataDir = path.join(work, 'restored-embedded');
    const out = await cliJson(['restore', file], embeddedEnv(dataDir));
    expect(out).toEqual({ restored: counts });
    const db = createDb({ databaseUrl: undefined, dataDir });
    try {
      expect(await tableContents(db)).toEqual(before);
      // Every foreign key is back (validated) and every trigger enabled again.
      expect(shape.constraints.filter((c) => c.includes(':f:'))).toHaveLength(shape.constraints.filter((c) => c.endsWith(':f:true')).length);
      expect(shape.constraints.filter((c) => c.includes(':f:')).length).toBeGreaterThan(30);
      expect(await schemaShape(db)).toEqual(shape);
      expect((await db('domains').where({ name: ENFORCED_DOMAIN }).first()).sso_enforced_at.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    } finally {
      await db.destroy();
    }
  }, SLOW);

  withPostgres('restores into an empty PostgreSQL database: every table reads back identical, sequences continue after the restored ids', async () => {
    const target = await emptyPostgres();
    try {
      const out = await cliJson(['restore', file], postgresEnv(target.url));
      expect(out).toEqual({ restored: counts });
      expect(await tableContents(target.db)).toEqual(before);
      expect(await schemaShape(target.db)).toEqual(shape);
      const { max } = await target.db('audit_log').max('id as max').first() as { max: string };
      const next = (await target.db.raw("SELECT nextval('audit_log_id_seq') AS n")).rows[0].n as string;
      expect(Number(next)).toBeGreaterThan(Number(max));
    } finally {
      await target.drop();
    }
  }, SLOW);

  it('refuses a target that holds data, and changes nothing in it', async () => {
    const error = await restoreError([file], sourceEnv);
    expect(error.code).toBe('restore_target_not_empty');
    expect(error.message).toMatch(/empty database/);
    expect(await sourceContents()).toEqual(before);
  }, SLOW);

  it('refuses a damaged, truncated or altered file and writes nothing: no DATA_DIR, no table in PostgreSQL', async () => {
    const bytes = fs.readFileSync(file);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(bytes.length * 0.6)]! ^= 0xff;
    fs.writeFileSync(path.join(work, 'damaged.gz'), damaged);
    fs.writeFileSync(path.join(work, 'truncated.gz'), bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    // Well-formed gzip, but one row changed: only the table's checksum can tell.
    const text = gunzipSync(bytes).toString('utf8');
    expect(text).toContain('"Production"');
    fs.writeFileSync(path.join(work, 'altered.gz'), gzipSync(text.replace('"Production"', '"Produktion"')));
    // Well-formed, but the last table and the end mark are missing.
    fs.writeFileSync(path.join(work, 'cut.gz'), gzipSync(text.slice(0, text.lastIndexOf('#table'))));
    for (const name of ['damaged.gz', 'truncated.gz', 'altered.gz', 'cut.gz']) {
      const dataDir = path.join(work, `never-${name}`);
      const error = await restoreError([path.join(work, name)], embeddedEnv(dataDir));
      expect({ name, code: error.code }).toEqual({ name, code: 'backup_invalid' });
      expect(error.message).toMatch(/damaged|truncated|checksum/);
      expect(fs.existsSync(dataDir)).toBe(false);
    }
    if (POSTGRES_URL) {
      const target = await emptyPostgres();
      try {
        expect((await restoreError([path.join(work, 'altered.gz')], postgresEnv(target.url))).code).toBe('backup_invalid');
        expect(await tableNames(target.db)).toEqual([]);
      } finally {
        await target.drop();
      }
    }
  }, SLOW);

  it('refuses a backup made by a newer Orgward (newer schema): upgrade Orgward first', async () => {
    const newer = path.join(work, 'newer.gz');
    rewriteHeader(file, newer, (h) => ({ ...h, schema: '29990101000000_from_the_future' }));
    const dataDir = path.join(work, 'never-newer');
    const error = await restoreError([newer], embeddedEnv(dataDir));
    expect(error.code).toBe('backup_schema_newer');
    expect(error.message).toMatch(/29990101000000_from_the_future.*upgrade Orgward first/);
    expect(fs.existsSync(dataDir)).toBe(false);
  }, SLOW);

  it('refuses a target with another secret key (the sealed secrets would not open): says to carry secret.key or SECRET_KEY over', async () => {
    const noKey = path.join(work, 'never-no-key');
    const missing = await restoreError([file], embeddedEnv(noKey, {}));
    expect(missing.code).toBe('secret_key_mismatch');
    expect(missing.message).toMatch(/secret\.key/);
    expect(fs.existsSync(noKey)).toBe(false);
    const otherKey = path.join(work, 'never-other-key');
    const other = await restoreError([file], embeddedEnv(otherKey, { SECRET_KEY: 'ab'.repeat(32) }));
    expect(other.code).toBe('secret_key_mismatch');
    expect(other.message).not.toContain(CLI_SECRET_KEY);
    expect(fs.existsSync(otherKey)).toBe(false);
  }, SLOW);
});
