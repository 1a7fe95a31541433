/**
 * Runs the operator CLI as a real child process from the sources (`node --import tsx
 * src/cli/main.ts`), against a private database: a fresh PostgreSQL database when DATABASE_URL is
 * set, else the embedded PGlite in a temporary DATA_DIR. PGlite serves one process at a time, so
 * callers run commands one after another.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDb, type TestDb } from '../support/db.js';

/** The SECRET_KEY child processes share on PostgreSQL (the same bytes as TEST_SECRET_KEY). */
export const CLI_SECRET_KEY = '09'.repeat(32);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliDatabase {
  readonly kind: 'postgresql' | 'pglite';
  /** Environment for a child process (server or CLI) using this database. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  /** The PostgreSQL test database (undefined on PGlite). */
  readonly testDb: TestDb | undefined;
  close(): Promise<void>;
}

/** The parent's environment without what would point a child at another database. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['DATABASE_URL', 'DATA_DIR', 'PORT', 'DNS_SERVERS', 'SMTP_URL', 'NODE_OPTIONS', 'BASE_URL', 'SECRET_KEY', 'SECRET_KEYS'].includes(k)) env[k] = v;
  }
  // METRICS_PORT=0: parallel test servers would all bind the default 9464.
  return { ...env, LOG_LEVEL: 'warn', METRICS_PORT: '0' };
}

export async function cliDatabase(): Promise<CliDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgward-cli-'));
  const testDb = process.env.DATABASE_URL ? await createTestDb() : undefined;
  // With DATABASE_URL every process must be given the shared SECRET_KEY; the embedded database
  // generates its own in DATA_DIR.
  const env = { ...baseEnv(), DATA_DIR: dataDir, ...(testDb?.url && { DATABASE_URL: testDb.url, SECRET_KEY: CLI_SECRET_KEY }) };
  return {
    kind: testDb?.url ? 'postgresql' : 'pglite', env, dataDir, testDb,
    async close() {
      await testDb?.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function runCli(args: readonly string[], env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`orgward ${args.join(' ')} timed out\n${stderr}`)); }, options.timeoutMs ?? 60000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** The contract: stdout holds exactly one JSON object and nothing else. Returns it. */
export function onlyJson(run: CliRun): Record<string, any> {
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) throw new Error(`expected exactly one line of JSON on stdout, got ${lines.length}:\n${run.stdout}\nstderr:\n${run.stderr}`);
  const value = JSON.parse(lines[0]!) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`stdout is not a JSON object: ${run.stdout}`);
  return value as Record<string, any>;
}

/** Runs `orgward ...args --json`, checks the exit code and the one-object contract, returns the object. */
export async function cliJson(args: readonly string[], env: Record<string, string>, expectedCode = 0): Promise<Record<string, any>> {
  const run = await runCli([...args, '--json'], env);
  const value = onlyJson(run);
  if (run.code !== expectedCode) throw new Error(`orgward ${args.join(' ')}: exit ${run.code}, expected ${expectedCode}\n${run.stdout}\n${run.stderr}`);
  return value;
}

export const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-f]{32}$`);
