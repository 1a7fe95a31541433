/**
 * The operator CLI while `npm start` runs on the embedded database. The server holds DATA_DIR's
 * lock, so before this change every CLI command failed with data_dir_locked; now the CLI hands the
 * command to the server over DATA_DIR/orgward.sock (mode 0600) and prints exactly what it would
 * have printed itself, with the same exit code; with no server it opens the database itself.
 * Real server process, real CLI processes, a fresh DATA_DIR.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRuntime } from '../../src/runtime.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { addVerifiedDomain } from '../support/fixtures.js';
import { cliDatabase, cliJson, onlyJson, ROOT, runCli, SID, type CliDatabase, type CliRun } from '../cli/run-cli.js';
import { startServer, stopServer, type ServerProcess } from './server-process.js';

const SLOW = 240000;
const onPostgres = Boolean(process.env.DATABASE_URL);
const MISSING_ORG = `OR${'0'.repeat(32)}`;

/** Runs the CLI from another working directory than the server's (ROOT), to check relative paths. */
function runCliIn(cwd: string, args: readonly string[], env: Record<string, string>) {
  const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** The same invocation as seen by the operator: stdout, stderr without log lines, exit code. */
const seen = (run: CliRun) => ({ code: run.code, stdout: run.stdout, stderr: run.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n') });

(onPostgres ? describe.skip : describe)('CLI on the embedded database while the server runs', () => {
  let db: CliDatabase;
  let orgSid: string;
  beforeAll(async () => {
    db = await cliDatabase();
    // No server yet: the CLI opens the database itself.
    orgSid = (await cliJson(['org', 'create', '--name', 'Before', '--owner', 'owner@fwd.example'], db.env)).orgSid as string;
    await cliJson(['org', 'set', '--org', orgSid, '--bulk-import', 'on'], db.env);
    const runtime = await createRuntime(loadConfig(db.env), silentLogger);
    try {
      await addVerifiedDomain(runtime, orgSid, 'fwd.example');
    } finally {
      await runtime.close();
    }
  }, SLOW);
  afterAll(async () => { await db.close(); }, SLOW);

  it('runs every command in the server: same --json output, same exit codes, same errors; falls back to the database once it stopped', async () => {
    // The same invocations, once through the server and once directly, must print the same.
    const invocations: (readonly string[])[] = [
      ['org', 'show', '--org', orgSid, '--json'],
      ['org', 'show', '--org', orgSid],
      ['org', 'show', '--org', MISSING_ORG, '--json'],
      ['org', 'show', '--org', MISSING_ORG],
      ['org', 'frobnicate', '--json'],
      ['domain', 'list', '--org', orgSid, '--json'],
    ];
    let createdOrg: string | undefined;
    const server: ServerProcess = await startServer(db.env);
    const forwarded: CliRun[] = [];
    try {
      const socket = fs.statSync(path.join(db.dataDir, 'orgward.sock'));
      expect(socket.isSocket()).toBe(true);
      // Only the user running the server may connect.
      expect(socket.mode & 0o777).toBe(0o600);

      const created = await cliJson(['org', 'create', '--name', 'While serving', '--owner', 'owner@serving.example'], db.env);
      expect(created).toEqual({ orgSid: expect.stringMatching(SID('OR')), ownerSid: expect.stringMatching(SID('US')) });
      const added = await cliJson(['domain', 'add', '--org', created.orgSid as string, 'serving.example'], db.env);
      expect(added).toEqual({ domain: 'serving.example', txtName: expect.any(String), txtValue: expect.any(String) });
      createdOrg = created.orgSid as string;
      // A domain error: the service's code and exit status 1, not the lock.
      expect(await cliJson(['domain', 'add', '--org', MISSING_ORG, 'other.example'], db.env, 1))
        .toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      // `serve` is not forwarded: a second server still meets the lock.
      expect((await cliJson(['serve'], db.env, 1)).error.code).toBe('data_dir_locked');

      for (const args of invocations) forwarded.push(await runCli(args, db.env));
      expect(forwarded.map((r) => r.code)).toEqual([0, 0, 1, 1, 2, 0]);
      expect(onlyJson(forwarded[2]!)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
      // The server kept serving HTTP meanwhile.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await stopServer(server)).toMatchObject({ code: 0 });
    }
    // Stopped: the socket and the lock are gone and the CLI opens the database itself again.
    expect(fs.existsSync(path.join(db.dataDir, 'orgward.sock'))).toBe(false);
    expect(fs.existsSync(path.join(db.dataDir, 'orgward.lock'))).toBe(false);
    const direct: CliRun[] = [];
    for (const args of invocations) direct.push(await runCli(args, db.env));
    expect(direct.map(seen)).toEqual(forwarded.map(seen));
    // What the forwarded commands wrote is in the database.
    expect(JSON.stringify(await cliJson(['domain', 'list', '--org', createdOrg!], db.env))).toContain('serving.example');
  }, SLOW);

  it('import users through the server: a relative file from the CLI\'s directory, progress streamed back, Ctrl-C stops it (exit 130, interrupted: true), the progress bar on the CLI\'s terminal', async () => {
    const rows = 5000;
    const dir = path.join(db.dataDir, 'operator');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'people.csv'), ['email,role', ...Array.from({ length: rows }, (_, i) => `p${i}@fwd.example,standard`)].join('\n') + '\n');
    const server = await startServer(db.env);
    try {
      const run = runCliIn(dir, ['import', 'users', '--org', orgSid, 'people.csv', '--json'], { ...db.env, LOG_LEVEL: 'info' });
      // The first chunk is committed in the server and its progress line reached the CLI's stderr.
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (/"msg":"bulk import progress","done":[1-9]/.test(run.stderr())) { clearInterval(timer); resolve(); }
        }, 20);
        void run.done.then(() => { clearInterval(timer); reject(new Error(`import ended before any progress:\n${run.stderr()}`)); });
      });
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code).toBe(130);
      const summary = onlyJson(result);
      expect(summary.interrupted).toBe(true);
      expect(summary.applied.length).toBeGreaterThan(0);
      expect(summary.applied.length + summary.remaining).toBe(rows);

      // The rest, from the same relative path, on a terminal (a pseudo-terminal from script(1)):
      // the server draws the progress bar on the CLI's terminal, and applies exactly what is left.
      const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
      const command = [process.execPath, '--import', loader, path.join(ROOT, 'src/cli/main.ts'), 'import', 'users', '--org', orgSid, 'people.csv']
        .map((a) => `'${a}'`).join(' ');
      const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env: db.env, encoding: 'utf8', timeout: 120000 });
      expect(tty.status).toBe(0);
      expect(tty.stdout).toMatch(new RegExp(`importing \\[[^\\]]*\\] ${rows}/${rows} rows`));
      expect(tty.stdout).toContain(`${summary.remaining} applied, ${summary.applied.length} unchanged, 0 refused.`);
    } finally {
      expect(await stopServer(server)).toMatchObject({ code: 0 });
    }
  }, SLOW);
});

(onPostgres ? describe : describe.skip)('CLI with DATABASE_URL while the server runs', () => {
  it('needs no forwarding: the server opens no control socket and the CLI uses PostgreSQL directly', async () => {
    const db = await cliDatabase();
    const server = await startServer(db.env);
    try {
      expect(fs.existsSync(path.join(db.dataDir, 'orgward.sock'))).toBe(false);
      expect((await cliJson(['org', 'show', '--org', MISSING_ORG], db.env, 1)).error.code).toBe('not_found');
    } finally {
      await stopServer(server);
      await db.close();
    }
  }, SLOW);
});
