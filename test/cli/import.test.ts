/**
 * `orgward import users` (B1, B2): bad rows are reported with their line numbers, good rows are
 * applied, a second run changes nothing; a progress bar appears on a terminal only. Ctrl-C
 * (SIGINT to a real child process, and ^C typed on a pseudo-terminal) stops it with the partial
 * summary, the cursor shown again, the data directory's lock released and exit status 130.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { addVerifiedDomain } from '../support/fixtures.js';
import { cliDatabase, cliJson, onlyJson, ROOT, runCli, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
const CSV = [
  'email,role,name',
  'ann@imp.example,admin,Ann Example',
  'Bob@IMP.example,,Bob',
  'not-an-email,standard,',
  'carl@elsewhere.example,standard,Carl',
].join('\n') + '\n';

let db: CliDatabase;
let orgSid: string;
let file: string;
beforeAll(async () => {
  db = await cliDatabase();
  orgSid = (await cliJson(['org', 'create', '--name', 'Importers', '--owner', 'owner@imp.example'], db.env)).orgSid as string;
  // The verified domain is set up directly; the CLI path to it is covered in acceptance.test.ts.
  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    await addVerifiedDomain(runtime, orgSid, 'imp.example');
  } finally {
    await runtime.close();
  }
  file = path.join(db.dataDir, 'users.csv');
  fs.writeFileSync(file, CSV);
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('orgward import users', () => {
  it('R-B1: refused while bulk import is off', async () => {
    expect((await cliJson(['import', 'users', '--org', orgSid, file], db.env, 1)).error.code).toBe('bulk_import_disabled');
  }, SLOW);

  it('R-B2: applies good rows, reports bad ones by line, and a second run changes nothing', async () => {
    await cliJson(['org', 'set', '--org', orgSid, '--bulk-import', 'on'], db.env);
    const first = await cliJson(['import', 'users', '--org', orgSid, file], db.env);
    expect(first).toEqual({
      applied: [
        { line: 2, email: 'ann@imp.example', userSid: expect.stringMatching(/^US/), role: 'admin', action: 'added' },
        { line: 3, email: 'bob@imp.example', userSid: expect.stringMatching(/^US/), role: 'standard', action: 'added' },
      ],
      skipped: [],
      errors: [
        { line: 4, email: 'not-an-email', code: 'invalid_input', message: expect.any(String) },
        { line: 5, email: 'carl@elsewhere.example', code: 'domain_not_verified', message: expect.any(String) },
      ],
      interrupted: false,
      remaining: 0,
    });

    // Without --json: the summary with line numbers; no progress bar when stderr is not a terminal.
    const again = await runCli(['import', 'users', '--org', orgSid, file], db.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 applied, 2 unchanged, 2 refused\.\nRefused rows:\n {2}line 4: not-an-email: .+ \(invalid_input\)\n {2}line 5: carl@elsewhere\.example: .+ \(domain_not_verified\)\n$/);
    expect(again.stderr).not.toContain('importing [');
  }, SLOW);

  it('shows a progress bar on a terminal (a pseudo-terminal from script(1))', async () => {
    const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'import', 'users', '--org', orgSid, file].map((a) => `'${a}'`).join(' ');
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: db.env, encoding: 'utf8', timeout: 60000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/importing \[[^\]]*\] 4\/4 rows/);
    expect(run.stdout).toContain('0 applied, 2 unchanged, 2 refused.');
  }, SLOW);
});

/** Many rows, so that an import is honestly still running when the signal arrives (chunks of 500). */
const BIG = 5000;
function bigFile(name: string, prefix: string): string {
  const big = path.join(db.dataDir, name);
  fs.writeFileSync(big, ['email,role', ...Array.from({ length: BIG }, (_, i) => `${prefix}${i}@imp.example,standard`)].join('\n') + '\n');
  return big;
}

/** Resolves once `child`'s `stream` output matches `pattern` (rejects if the child ends first). */
function waitForOutput(child: ChildProcess, stream: NodeJS.ReadableStream, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (pattern.test(seen)) { stream.off('data', onData); resolve(); }
    };
    stream.on('data', onData);
    child.once('close', (code) => reject(new Error(`exited ${code} before ${pattern}:\n${seen.slice(-2000)}`)));
  });
}

function collect(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (s: Buffer) => { stdout += s.toString(); });
  child.stderr?.on('data', (s: Buffer) => { stderr += s.toString(); });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('orgward import users: Ctrl-C', () => {
  beforeAll(async () => { await cliJson(['org', 'set', '--org', orgSid, '--bulk-import', 'on'], db.env); }, SLOW);

  it('SIGINT with --json: one JSON object with what was applied and interrupted: true, exit 130, lock released; running it again finishes', async () => {
    const big = bigFile('sigint.csv', 'sig');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', 'users', '--org', orgSid, big, '--json'], {
      cwd: ROOT, env: { ...db.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = collect(child);
    // The first chunk is committed (a progress line past 0), the import is still running.
    await waitForOutput(child, child.stderr!, /"msg":"bulk import progress","done":[1-9]/);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    const result = onlyJson(run);
    expect(result.interrupted).toBe(true);
    expect(result.applied.length).toBeGreaterThan(0);
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.applied.length + result.remaining).toBe(BIG);
    expect(result.errors).toEqual([]);
    expect(fs.existsSync(path.join(db.dataDir, 'orgward.lock'))).toBe(false);

    // Resumable: the same file again applies exactly the rest.
    const rest = await cliJson(['import', 'users', '--org', orgSid, big], db.env);
    expect(rest.applied.length).toBe(result.remaining);
    expect(rest.skipped.length).toBe(result.applied.length);
    expect(rest.interrupted).toBe(false);
  }, SLOW);

  it('^C on a terminal: the partial summary, the cursor shown again, exit 130', async () => {
    const big = bigFile('ctrl-c.csv', 'tty');
    const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'import', 'users', '--org', orgSid, big].map((a) => `'${a}'`).join(' ');
    // script(1) gives the CLI a pseudo-terminal; ^C written to it reaches the CLI as SIGINT from the line discipline.
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: db.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const done = collect(child);
    await waitForOutput(child, child.stdout!, /importing \[[^\]]*\] [1-9]\d*\/5000 rows/);
    child.stdin!.write('\x03');
    const run = await done;
    child.stdin!.end();
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/Interrupted: \d+ rows were not processed; run the same command again/);
    expect(run.stdout).toMatch(/\d+ applied, 0 unchanged, 0 refused\./);
    // cli-progress hid the cursor (ESC [?25l) and it is shown again (ESC [?25h) after that.
    const hidden = run.stdout.indexOf('\x1b[?25l');
    expect(hidden).toBeGreaterThanOrEqual(0);
    expect(run.stdout.indexOf('\x1b[?25h', hidden)).toBeGreaterThan(hidden);
    expect(fs.existsSync(path.join(db.dataDir, 'orgward.lock'))).toBe(false);
  }, SLOW);
});
