/**
 * What a new user sees when DATABASE_URL is wrong: a database that does not exist is named, with
 * the command that creates it; an unreachable server is one line, never a stack trace (and never
 * a mail-outbox error, as nothing was queued).
 */
import { spawnSync } from 'node:child_process';
import { withDatabase } from '../support/database-url.js';
import { baseEnv, CLI_SECRET_KEY, runCli, ROOT } from '../cli/run-cli.js';

const SLOW = 120000;
const onPostgres = Boolean(process.env.DATABASE_URL);
const STACK_FRAME = /\n\s+at /;
const env = (url: string) => ({ ...baseEnv(), DATABASE_URL: url, SECRET_KEY: CLI_SECRET_KEY });

(onPostgres ? describe : describe.skip)('a wrong DATABASE_URL', () => {
  const missingUrl = withDatabase(process.env.DATABASE_URL ?? 'postgres://127.0.0.1/x', 'orgward_never_created');

  it('names a database that does not exist and how to create it (CLI)', async () => {
    const run = await runCli(['org', 'show', '--org', `OR${'0'.repeat(32)}`, '--json'], env(missingUrl));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'database_missing', message: expect.stringContaining('createdb "orgward_never_created"') } });
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
  }, SLOW);

  it('names it too when the server starts, and exits 1 without a stack trace', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...env(missingUrl), PORT: '0', LOG_LEVEL: 'info' }, encoding: 'utf8', timeout: 60000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('orgward: The database "orgward_never_created" does not exist');
    expect(run.stderr).toContain('createdb "orgward_never_created"');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  }, SLOW);
});

// Needs no PostgreSQL server: nothing listens on the port it names.
describe('an unreachable DATABASE_URL', () => {

  it('reports an unreachable server in one line: no stack trace, no mail-outbox error', async () => {
    const run = await runCli(['org', 'show', '--org', `OR${'0'.repeat(32)}`, '--json'], { ...env('postgres://orgward@127.0.0.1:1/orgward'), LOG_LEVEL: 'info' });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'database_unavailable', message: expect.any(String) } });
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr).not.toContain('mail outbox');
  }, SLOW);
});
