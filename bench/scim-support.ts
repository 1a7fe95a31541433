/**
 * Shared pieces of the SCIM benchmarks: a database of their own on the local PostgreSQL (created
 * and dropped), the server in a child process with its RSS sampled from /proc, an organization
 * with a verified domain and a SCIM token, a keep-alive HTTP client on loopback, bounded load
 * loops and percentiles.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import knexFactory, { type Knex } from 'knex';
import { createDb, migrateLatest } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { newSid } from '../src/ids.js';
import { hashToken, newToken } from '../src/security/tokens.js';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const withDatabase = (url: string, name: string) => { const u = new URL(url); u.pathname = `/${name}`; return u.toString(); };

export interface BenchDatabase { readonly url: string; readonly db: Knex; drop(): Promise<void> }

/** A fresh, migrated database for one benchmark run. */
export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `orgward_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = withDatabase(PG_URL, name);
  const db = createDb({ databaseUrl: url, dataDir: 'unused', poolMax: 4 });
  await migrateLatest(db);
  return {
    url, db,
    async drop() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

export interface BenchServer { readonly port: number; readonly pid: number; maxRssMb(): number; stop(): Promise<void> }

let compiled: string | undefined;

/**
 * The server as production runs it: compiled JavaScript (tsc, once per run, into
 * node_modules/.cache so that packages resolve), not through the tsx loader, whose worker thread
 * alone adds ~35 MB of RSS.
 * BENCH_SERVER_TSX=1 runs the TypeScript sources through tsx instead.
 */
function serverEntry(): { file: string; execArgv: string[] } {
  // BENCH_CPU_PROF=DIR writes a CPU profile; BENCH_NODE_ARGS passes other Node/V8 flags (--trace-gc).
  const nodeArgs = [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
  ];
  const source = new URL('./scim-server.ts', import.meta.url).pathname;
  if (process.env.BENCH_SERVER_TSX) return { file: source, execArgv: ['--import', 'tsx', ...nodeArgs] };
  if (!compiled) {
    const root = path.dirname(path.dirname(source));
    const cache = path.join(root, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const out = mkdtempSync(path.join(cache, 'orgward-bench-'));
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // Emits even if files unrelated to the server have type errors (the benchmark needs the server only).
    spawnSync(process.execPath, [tsc, source, '--outDir', out, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
      '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--types', 'node'], { cwd: root, stdio: 'ignore' });
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    compiled = path.join(out, 'bench', 'scim-server.js');
  }
  return { file: compiled, execArgv: nodeArgs };
}

/** Starts the benchmark server over `url` and samples its RSS every 50 ms. */
export async function startServer(url: string): Promise<BenchServer> {
  const entry = serverEntry();
  const child: ChildProcess = fork(entry.file, [], {
    execArgv: entry.execArgv, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  let max = 0;
  const sample = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      max = Math.max(max, kb / 1024);
    } catch { /* the process is gone */ }
  };
  const timer = setInterval(sample, 50);
  sample();
  return {
    port, pid: child.pid!,
    maxRssMb: () => { sample(); return max; },
    async stop() {
      clearInterval(timer);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

export interface BenchOrg { readonly orgSid: string; readonly domain: string; readonly token: string; readonly ownerSid: string }

/** An organization, its Owner, a verified domain (restricted) and a SCIM token, written directly. */
export async function createBenchOrg(db: Knex, domain: string): Promise<BenchOrg> {
  const store = createStore(db);
  const orgSid = newSid('OR');
  const ownerSid = newSid('US');
  const token = newToken('scim_');
  await store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: `Bench ${domain}` });
    await repos.users.insert({ sid: ownerSid, email: `owner@${domain}` });
    await repos.users.join(ownerSid, orgSid, 'owner');
    const d = await repos.domains.insert({ orgSid, name: domain, txtToken: 'bench' });
    await repos.domains.markVerified(d.id, new Date());
    await repos.scimTokens.insert({ orgSid, tokenHash: hashToken(token), description: 'bench', createdBy: 'operator' });
  });
  return { orgSid, domain, token, ownerSid };
}

export interface Reply { readonly status: number; readonly body: string; readonly etag?: string }

/**
 * A minimal HTTP/1.1 keep-alive client on raw loopback sockets (one per request in flight). On a
 * two-core machine the load generator competes with the server and PostgreSQL for CPU; Node's
 * http client costs several times more per request than this, which would measure the client.
 * It reads exactly what Orgward sends: a status line, headers with Content-Length, the body.
 */
export function client(port: number, token: string, prefix = '/scim/v2') {
  const idle: Connection[] = [];
  const head = (method: string, path: string, length: number | undefined) => `${method} ${prefix}${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + `Authorization: Bearer ${token}\r\n${length === undefined ? '' : `Content-Type: application/scim+json\r\nContent-Length: ${length}\r\n`}\r\n`;
  return async (method: string, path: string, body?: unknown): Promise<Reply> => {
    // A kept-alive connection the server closed while idle (its keep-alive timeout, during a long
    // phase of fewer clients) is dropped, not written to: a write to it would never be answered.
    let connection = idle.pop();
    while (connection && !connection.open) connection = idle.pop();
    connection ??= await Connection.open(port);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const reply = await connection.exchange(Buffer.concat([Buffer.from(head(method, path, payload?.length)), ...(payload ? [payload] : [])]));
    idle.push(connection);
    return reply;
  };
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => { this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]); this.parse(); });
    socket.on('error', (error) => this.waiting?.reject(error));
    socket.on('close', () => { this.closed = true; this.waiting?.reject(new Error('connection closed')); });
  }

  private closed = false;

  get open(): boolean { return !this.closed && !this.socket.destroyed; }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  exchange(request: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  private parse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const headers = this.buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const status = Number(headers.slice(9, 12));
    const etag = /\r\netag:\s*([^\r]+)/i.exec(headers)?.[1];
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve({ status, body, ...(etag && { etag }) });
  }
}

/** Runs `total` calls of `fn(i)` with `concurrency` in flight; returns elapsed ms and each latency (ms). */
export async function load(concurrency: number, total: number, fn: (i: number) => Promise<void>): Promise<{ elapsedMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await fn(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }));
  return { elapsedMs: Number(process.hrtime.bigint() - start) / 1e6, latencies };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * Runs `segments` loads of `total` calls each, one after another. This machine's speed drifts by
 * up to 2x from one minute to the next (a shared virtual machine), so a figure is reported as the
 * median segment, with every segment beside it, rather than as one long run.
 */
export async function segmented(segments: number, concurrency: number, total: number, fn: (i: number) => Promise<void>): Promise<{ elapsedMs: number; latencies: number[] }[]> {
  const runs = [];
  for (let s = 0; s < segments; s++) runs.push(await load(concurrency, total, (i) => fn(s * total + i)));
  return runs;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function expectStatus(reply: Reply, status: number, what: string): void {
  if (reply.status !== status) throw new Error(`${what}: expected ${status}, got ${reply.status}: ${reply.body.slice(0, 300)}`);
}

/** Calls of `work` per second, `concurrency` at a time, for `ms`. */
async function ratePerSecond(concurrency: number, ms: number, work: (i: number) => Promise<void>): Promise<number> {
  let done = 0;
  const until = Date.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < until) await work(done++); }));
  return done / (ms / 1000);
}

/**
 * PostgreSQL alone, in the same run: single-row inserts and three-insert transactions per second
 * at `concurrency` clients (pg pool, autocommit / BEGIN…COMMIT), for `ms` each.
 */
export async function rawPostgresRates(url: string, concurrency: number, ms: number): Promise<{ singleRow: number; threeInsertTx: number }> {
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: concurrency, max: concurrency } });
  await db.raw('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, a text NOT NULL, b text, created_at timestamptz NOT NULL DEFAULT now())');
  const singleRow = await ratePerSecond(concurrency, ms, async () => { await db.raw('INSERT INTO bench_raw (a, b) VALUES (?, ?)', ['x', 'y']); });
  const threeInsertTx = await ratePerSecond(concurrency, ms, async () => {
    await db.transaction(async (trx) => {
      for (let i = 0; i < 3; i++) await trx.raw('INSERT INTO bench_raw (a, b) VALUES (?, ?)', ['x', 'y']);
    });
  });
  await db.raw('DROP TABLE bench_raw');
  await db.destroy();
  return { singleRow, threeInsertTx };
}

/**
 * PostgreSQL alone, in the same run: single-row UPDATEs by primary key (autocommit, each a commit)
 * per second at `concurrency` clients for `ms`, over a table of 10,000 rows of its own. The
 * yardstick of a write that changes one existing row, as a deactivation does.
 */
export async function rawPostgresUpdateRate(url: string, concurrency: number, ms: number): Promise<number> {
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: concurrency, max: concurrency } });
  try {
    await db.raw('CREATE TABLE bench_raw_update (id integer PRIMARY KEY, status text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    await db.raw(`INSERT INTO bench_raw_update (id, status) SELECT i, 'active' FROM generate_series(1, 10000) AS i`);
    return await ratePerSecond(concurrency, ms, async (i) => {
      await db.raw('UPDATE bench_raw_update SET status = ?, updated_at = now() WHERE id = ?', [i % 2 === 0 ? 'suspended' : 'active', (i * 7919) % 10000 + 1]);
    });
  } finally {
    await db.raw('DROP TABLE IF EXISTS bench_raw_update');
    await db.destroy();
  }
}

/**
 * PostgreSQL alone, in the same run: one scim_users row by userName (the index a SCIM lookup
 * uses) per call, from a bare pg pool at `concurrency` clients for `ms`. A yardstick of the
 * machine's speed at the time, not of Orgward.
 */
export async function rawLookupRate(url: string, orgSid: string, userName: (i: number) => string, concurrency: number, ms: number): Promise<number> {
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: concurrency, max: concurrency } });
  try {
    return await ratePerSecond(concurrency, ms, async (i) => {
      const { rows } = await db.raw('SELECT user_sid FROM scim_users WHERE org_sid = ? AND lower(user_name) = lower(?)', [orgSid, userName(i)]);
      if (rows.length !== 1) throw new Error(`raw lookup found ${rows.length} rows`);
    });
  } finally {
    await db.destroy();
  }
}

/**
 * `count` provisioned members of `orgSid` (users, memberships, SCIM rows), written with set-based
 * SQL: the benchmarks measure reads and PATCHes at scale, not the seeding. Returns their SIDs.
 */
export async function seedUsers(db: Knex, orgSid: string, domain: string, count: number, prefix = 'u'): Promise<string[]> {
  // In statements of at most 100,000 users: a statement must end within the pool's statement timeout.
  const sids: string[] = [];
  for (let from = 1; from <= count; from += SEED_CHUNK) sids.push(...await seedRange(db, orgSid, domain, from, Math.min(count, from + SEED_CHUNK - 1), prefix));
  await db.raw('VACUUM ANALYZE users');
  await db.raw('VACUUM ANALYZE memberships');
  await db.raw('VACUUM ANALYZE scim_users');
  return sids;
}

const SEED_CHUNK = 100_000;

async function seedRange(db: Knex, orgSid: string, domain: string, from: number, to: number, prefix: string): Promise<string[]> {
  const rows = (await db.raw(`WITH n AS (SELECT i, 'US' || md5(? || i::text) AS sid, ? || i::text || '@' || ? AS email FROM generate_series(?::int, ?::int) AS i),
      u AS (INSERT INTO users (sid, email, display_name, given_name, family_name)
        SELECT sid, email, 'Seeded ' || i, 'Seeded', 'User ' || i FROM n RETURNING sid, email),
      m AS (INSERT INTO memberships (user_sid, org_sid, role) SELECT sid, ?, 'standard' FROM u RETURNING user_sid),
      s AS (INSERT INTO scim_users (org_sid, user_sid, user_name, external_id, attributes)
        SELECT ?, sid, email, 'ext-' || sid, jsonb_build_object('emails', jsonb_build_array(jsonb_build_object('value', email, 'type', 'work', 'primary', true)))
        FROM u RETURNING user_sid)
    SELECT n.sid FROM n ORDER BY n.i`, [`${orgSid}-${prefix}`, prefix, domain, from, to, orgSid, orgSid])).rows as { sid: string }[];
  return rows.map((r) => r.sid);
}
