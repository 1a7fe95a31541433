/**
 * Benchmark: the authorization check API (issue 13 target: ≥ 10,000 checks/s at 16 clients, the
 * batch form counting each check; p99 < 5 ms for a single check). Seeds one organization with 200
 * members and 50 accounts, each member holding two roles by assignment, then over HTTP on loopback
 * with the operator's bearer token: (1) single checks at 1 client (p50/p99), (2) single checks at
 * 16 clients, (3) batches of 100 checks at 16 clients. Beside them, the yardstick of the same run
 * (the database alone: primary-key SELECTs at 16 clients) and the process CPU per check (server
 * alone: the load generator runs in a child process). Bounded: BENCH_SECONDS (default 8) per phase.
 *
 *   node --import tsx bench/access-checks.ts                                # embedded PGlite
 *   DATABASE_URL=postgres://... node --import tsx bench/access-checks.ts    # in a scratch database, dropped after
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { newSid } from '../src/ids.js';
import { BUILT_IN_ROLE_SIDS } from '../src/rules/role-catalogue.js';
import { fmt, percentile, postJson, startBench, yardstick } from './bench-kit.js';

const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 8), 60);
const CLIENTS = 16;
const BATCH = 100;

interface Load { url: string; token: string; users: string[]; accounts: string[] }
interface Phase { rate: number; p50: number; p99: number; max: number; cpuUsPerCheck: number }
/** The three phases, and every check sent (warm-up included: the server's CPU is counted from the child's start). */
interface Phases { one: Phase; many: Phase; batched: Phase; checks: number }

/** The load generator's process (`--clients`, the load as JSON on stdin): the three phases after a warm-up, printed as JSON. */
async function clients(load: Load): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const oneCheck = () => ({ user: pick(load.users), account: pick(load.accounts), permission: Math.random() < 0.5 ? 'messages:send' : 'billing:read' });
  let total = 0;
  const run = async (clientCount: number, work: () => Promise<number>): Promise<Phase> => {
    const latencies: number[] = [];
    let checks = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const end = started + SECONDS * 1000;
    await Promise.all(Array.from({ length: clientCount }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        // (not `checks += await work()`: that reads `checks` before the await and loses concurrent increments)
        const done = await work();
        checks += done;
        latencies.push(performance.now() - t);
      }
    }));
    total += checks;
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    latencies.sort((x, y) => x - y);
    return { rate: checks / wall, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? 0, cpuUsPerCheck: (used.user + used.system) / checks };
  };
  const single = async () => { const r = await postJson(agent, `${load.url}/v1/AccessChecks`, load.token, oneCheck()); if (r.status !== 200) throw new Error(r.body); return 1; };
  const batch = async () => { const r = await postJson(agent, `${load.url}/v1/AccessChecks/Batch`, load.token, { checks: Array.from({ length: BATCH }, oneCheck) }); if (r.status !== 200) throw new Error(r.body); return BATCH; };
  // Warm-up (JIT, connection caches) as long as a phase.
  await run(CLIENTS, single);
  const one = await run(1, single);
  const many = await run(CLIENTS, single);
  const batched = await run(CLIENTS, batch);
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ one, many, batched, checks: total } satisfies Phases)}\n`);
}

/** Runs the load generator in a child process; `onStart` when it has spawned. */
function runClients(load: Load, onStart: () => void): Promise<Phases> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--clients'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.on('spawn', onStart);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Phases) : reject(new Error(`load generator exited with ${code}`))));
    child.stdin.end(JSON.stringify(load));
  });
}

async function main(): Promise<void> {
  const bench = await startBench();
  try {
    const { db, services } = bench;
    const { orgSid, ownerSid: owner } = await services.organizations.create({ kind: 'operator' }, { name: 'Bench', ownerEmail: 'owner@bench.example' });
    await services.roles.setPermissions({ kind: 'operator' }, BUILT_IN_ROLE_SIDS.account.Support, ['messages:send', 'messages:read']);
    const users: string[] = [];
    const accounts: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const sid = newSid('AC');
      await db.raw(`INSERT INTO accounts (sid, name, usage, plan, status, owner_sid, org_sid, management, hipaa) VALUES (?, ?, 'twilio', 'trial', 'active', ?, ?, 'managed', false)`, [sid, `acct ${i}`, owner, orgSid]);
      accounts.push(sid);
    }
    for (let i = 0; i < 200; i += 1) {
      const sid = newSid('US');
      await db.raw('INSERT INTO users (sid, email) VALUES (?, ?)', [sid, `m${i}@bench.example`]);
      await db.raw(`INSERT INTO memberships (user_sid, org_sid, role) VALUES (?, ?, 'standard')`, [sid, orgSid]);
      for (const [k, role] of [[i % 50, BUILT_IN_ROLE_SIDS.account.Support], [(i * 7) % 50, BUILT_IN_ROLE_SIDS.account.Developer]] as const) {
        await db.raw(`INSERT INTO role_assignments (org_sid, user_sid, account_sid, role_sid, source) VALUES (?, ?, ?, ?, 'direct') ON CONFLICT DO NOTHING`, [orgSid, sid, accounts[k]!, role]);
      }
      users.push(sid);
    }
    const client = await services.apiClients.createOperatorClient({ kind: 'operator' }, { name: 'bench' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const tokenRes = await new Promise<string>((resolve, reject) => {
      const form = `grant_type=client_credentials&client_id=${client.clientId}&client_secret=${encodeURIComponent(client.clientSecret)}`;
      const req = http.request(`${bench.url}/v1/token`, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) } }, (res) => {
        const c: Buffer[] = []; res.on('data', (x: Buffer) => c.push(x)); res.on('end', () => resolve(JSON.parse(Buffer.concat(c).toString()).access_token));
      });
      req.on('error', reject); req.end(form);
    });
    // The load generator runs in a process of its own (as a product's back end would), so the
    // server's event loop and CPU figures are the server's alone.
    let serverCpu = process.cpuUsage();
    const phases = await runClients({ url: bench.url, token: tokenRes, users, accounts }, () => { serverCpu = process.cpuUsage(); });
    const used = process.cpuUsage(serverCpu);
    const { one, many, batched } = phases;
    const serverUs = (used.user + used.system);
    agent.destroy();
    const db16 = await yardstick(db, CLIENTS, SECONDS * 1000);
    const line = (ok: boolean, what: string, figure: string, target: string) => console.log(`${ok ? 'ok  ' : 'MISS'} ${what.padEnd(46)} ${figure.padEnd(34)} ${target}`);
    console.log(`database: ${bench.kind}; ${SECONDS} s per phase; 200 members x 2 assignments, 50 accounts`);
    line(one.p99 < 5, 'single check, 1 client, p50 / p99', `${fmt(one.p50, 2)} / ${fmt(one.p99, 2)} ms`, 'target p99 < 5 ms');
    line(many.rate >= 10_000, 'single checks, 16 clients', `${fmt(many.rate)} checks/s (p99 ${fmt(many.p99, 1)}, max ${fmt(many.max)} ms)`, 'target >= 10,000 checks/s (either form)');
    line(batched.rate >= 10_000, `batches of ${BATCH}, 16 clients`, `${fmt(batched.rate)} checks/s (p99 ${fmt(batched.p99, 1)}, max ${fmt(batched.max)} ms/batch)`, 'target >= 10,000 checks/s');
    line(true, '  database alone, same run (PK SELECT, 16)', `${fmt(db16)} queries/s`, '(yardstick)');
    console.log(`CPU per check, load generator (its own process): single ${fmt(many.cpuUsPerCheck)} µs, batched ${fmt(batched.cpuUsPerCheck)} µs; server, all phases and the warm-up: ${fmt(serverUs / phases.checks)} µs`);
  } finally {
    await bench.close();
  }
}

if (process.argv[2] === '--clients') {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  await clients(JSON.parse(input) as Load);
} else await main();
