/**
 * `orgward import users` (B1, B2): bad rows are reported with their line numbers, good rows are
 * applied, a second run changes nothing; a progress bar appears on a terminal only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { addVerifiedDomain } from '../support/fixtures.js';
import { cliDatabase, cliJson, ROOT, runCli, type CliDatabase } from './run-cli.js';

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
