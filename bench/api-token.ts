/**
 * Benchmark: the Organizations API's OAuth side. (1) POST /v1/token (client credentials, form
 * fields) through HTTP on loopback with 8 concurrent callers in a separate process (so the CPU
 * reported per token is the server's alone): tokens per second. (2) The bearer check of one
 * authenticated request (HS256 JWT verified locally + the client's standing, one primary-key
 * query), in process: server CPU per check. (3) The yardstick of the same run: the database alone
 * answering the token endpoint's one query (the client's secret digest by primary key) at 8
 * concurrent callers. Bounded: BENCH_TOKENS (default 3000) tokens or 30 seconds; BENCH_CHECKS
 * (default 5000) checks.
 *
 *   node --import tsx bench/api-token.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/api-token.ts    # in a scratch database, dropped after
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seedApiClient, startBench } from './bench-kit.js';
import { bearerVerifier } from '../src/http/api/index.js';

const TOKENS = Math.min(Number(process.env.BENCH_TOKENS ?? 3000), 50_000);
const CHECKS = Math.min(Number(process.env.BENCH_CHECKS ?? 5000), 100_000);
const TIME_LIMIT_MS = 30_000;
const CONCURRENCY = 8;
const WARM_UP = 20;
const YARDSTICK_MS = Math.min(Number(process.env.BENCH_YARDSTICK_MS ?? 5000), 30_000);

/** The callers' process: `--callers URL FORM N` requests tokens, then prints `{issued, wallMs, cpuMs}`. */
async function callers(url: string, form: string, total: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const token = () => new Promise<string>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(Buffer.concat(chunks).toString()) as { access_token: string }).access_token) : reject(new Error(`token: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(form);
  });
  for (let i = 0; i < WARM_UP; i++) await token();
  let issued = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (issued < total && performance.now() - started < TIME_LIMIT_MS) {
      issued += 1;
      await token();
    }
  }));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(JSON.stringify({ issued, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, access: await token() }) + '\n');
  agent.destroy();
}

/** Runs the callers in a child process; resolves with what it printed. */
function runCallers(url: string, form: string, onStart: () => void): Promise<{ issued: number; wallMs: number; cpuMs: number; access: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--callers', url, form, String(TOKENS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.on('spawn', onStart);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`callers exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const bench = await startBench({ poolMax: 10 });
  const { db, services, url: baseUrl, databaseUrl } = bench;

  const { client } = await seedApiClient(bench, 'owner@bench-api.test', 'admin');
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString();

  const lines = [`Organizations API OAuth benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version})`];
  // The server's CPU while the callers run (their own process has its own).
  let cpuBefore = process.cpuUsage();
  const calls = await runCallers(`${baseUrl}/v1/token`, form, () => { cpuBefore = process.cpuUsage(); });
  const cpu = process.cpuUsage(cpuBefore);
  lines.push(`  POST /v1/token: ${calls.issued} tokens, ${CONCURRENCY} concurrent callers in another process`,
    `    throughput: ${(calls.issued / (calls.wallMs / 1000)).toFixed(0)} tokens/s wall clock; ` +
    `server ${((cpu.user + cpu.system) / 1000 / (calls.issued + WARM_UP + 1)).toFixed(3)} ms CPU per token; callers ${(calls.cpuMs / calls.issued).toFixed(3)} ms CPU per token`);

  // The yardstick: the token endpoint's one query, by the database alone, at the same concurrency.
  const query = 'SELECT client_id, secret_hash FROM api_clients WHERE client_id = $1 AND revoked_at IS NULL';
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY }) : undefined;
  let queries = 0;
  const qStarted = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() - qStarted < YARDSTICK_MS) {
      queries += 1;
      if (pool) await pool.query({ name: 'bench_secret', text: query, values: [client.clientId] });
      else await db.raw(query.replace('$1', '?'), [client.clientId]);
    }
  }));
  await pool?.end();
  lines.push(`  yardstick, ${databaseUrl ? 'PostgreSQL' : 'PGlite'} alone: ${(queries / ((performance.now() - qStarted) / 1000)).toFixed(0)} primary-key queries/s (the token endpoint's one query), ${CONCURRENCY} concurrent`);

  const access = calls.access;
  const verify = bearerVerifier(services, baseUrl);
  for (let i = 0; i < 200; i++) await verify(access, 'warm');
  const checkCpu = process.cpuUsage();
  const checkStarted = performance.now();
  for (let i = 0; i < CHECKS; i++) await verify(access, 'bench');
  const checkWall = performance.now() - checkStarted;
  const used = process.cpuUsage(checkCpu);
  lines.push(`  bearer check (JWT HS256 + client standing query): ${CHECKS} checks`,
    `    ${((used.user + used.system) / 1000 / CHECKS).toFixed(3)} ms CPU of this process per check; ${(checkWall / CHECKS).toFixed(3)} ms wall per check (sequential)`);
  process.stdout.write(`${lines.join('\n')}\n`);

  await bench.close();
}

if (process.argv[2] === '--callers') await callers(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else await main();
