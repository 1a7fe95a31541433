/**
 * SCIM with the request bodies Okta and Microsoft Entra ID actually send (the recorded fixtures in
 * idp-fixtures/scim/okta and idp-fixtures/scim/entra), at 16 clients over keep-alive loopback HTTP,
 * the server in its own process (bench/scim-server.ts). Issue 14's bar: deactivation (Okta's
 * path-less `replace {"active": false}`, Entra's `Replace path "active" value "False"`),
 * reactivation and PUT at ≥ 2,000 req/s; 16 identical concurrent POSTs still create one user.
 *
 * Each user is created with its IdP's create-user body (only the identifiers made unique per user:
 * email local parts, a non-email userName, externalId), then deactivated and reactivated with its
 * IdP's bodies, then updated: Okta's PUT of the whole user (update-user.json, a new family name;
 * then the same body again, the no-op re-push Okta also sends), Entra's PATCH of value paths
 * (update-user.json). Before every deactivation pass each user gets a live session; after it the
 * run checks that none is left and every user is suspended (C3), after reactivation that all are
 * active. The first deactivation and reactivation passes are the warm-up and are not reported.
 *
 * For each figure: req/s (median of 4 segments, each printed), p50/p99, the machine's busy share,
 * CPU per request of the server process and of PostgreSQL (the backends of this database), and
 * the yardstick of the same run: PostgreSQL's own single-row INSERT and UPDATE rates at 16 clients.
 *
 *   node --import tsx bench/scim-idp.ts [usersPerIdp]     # default 4,000 per IdP
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/scim-idp.ts
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Knex } from 'knex';
import { cpuSample, cpuSince, type CpuPerCall } from './cpu.js';
import {
  client, createBenchDatabase, createBenchOrg, expectStatus, fmt, median, percentile, rawPostgresRates, rawPostgresUpdateRate,
  segmented, startServer, type Reply,
} from './scim-support.js';

const USERS = Math.floor(Math.max(400, Math.min(Number(process.argv[2] ?? 4000), 50_000)) / 4) * 4;
const CLIENTS = 16;
const SEGMENTS = 4;
const TARGET = 2000;
const DOMAIN = 'idp.bench.example';

type Idp = 'okta' | 'entra';
type Json = Record<string, unknown>;

const FIXTURES = new URL('../idp-fixtures/scim/', import.meta.url);
const fixture = (idp: Idp, file: string) => readFileSync(new URL(`${idp}/${file}`, FIXTURES), 'utf8');

/**
 * A recorded body for user `i`: {{domain}} and {{user}} filled, every email local part and a
 * non-email userName and externalId made unique; nothing else changes.
 */
function personalise(text: string, i: number, userSid = ''): Json {
  const filled = text.replace(/\{\{domain\}\}/g, DOMAIN).replace(/\{\{user\}\}/g, userSid)
    .replace(new RegExp(`([A-Za-z0-9._+-]+)@${DOMAIN.replace(/\./g, '\\.')}`, 'g'), (_m, local: string) => `${local}.${i}@${DOMAIN}`);
  const body = JSON.parse(filled) as Json;
  if (typeof body.userName === 'string' && !body.userName.includes('@')) body.userName = `${body.userName}-${i}`;
  if (typeof body.externalId === 'string') body.externalId = `${body.externalId}-${i}`;
  return body;
}

interface Figure {
  readonly what: string;
  readonly rates: number[];
  readonly p50: number;
  readonly p99: number;
  readonly cpu: CpuPerCall;
}

async function main(): Promise<void> {
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores shared with whatever else runs)`);
  const database = await createBenchDatabase('idp');
  const databaseName = new URL(database.url).pathname.slice(1);
  const server = await startServer(database.url);
  const figures: Figure[] = [];
  try {
    const org = await createBenchOrg(database.db, DOMAIN);
    const call = client(server.port, org.token);
    const sids: Record<Idp, string[]> = { okta: [], entra: [] };

    /** `USERS` requests of `request(i)` at 16 clients, in segments; reported unless a warm-up. */
    const measure = async (what: string | null, request: (i: number) => Promise<void>) => {
      const before = cpuSample(databaseName, server.pid);
      const runs = await segmented(SEGMENTS, CLIENTS, USERS / SEGMENTS, request);
      const cpu = cpuSince(databaseName, before, USERS, server.pid);
      const latencies = runs.flatMap((r) => r.latencies);
      const figure = { what: what ?? '', rates: runs.map((r) => (USERS / SEGMENTS) / (r.elapsedMs / 1000)), p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu };
      if (what !== null) {
        figures.push(figure);
        print(figure);
      }
    };
    const send = async (method: string, path: string, body: Json, status: number, what: string): Promise<Reply> => {
      const reply = await call(method, path, body);
      expectStatus(reply, status, what);
      return reply;
    };

    // Creation with each IdP's create-user body (Okta: email userName; Entra: a GUID-like userName, the identity from the work email).
    for (const idp of ['okta', 'entra'] as const) {
      const text = fixture(idp, 'create-user.json');
      await measure(`${idp} create-user (POST)`, async (i) => {
        const reply = await send('POST', '/Users', personalise(text, i), 201, `${idp} create`);
        sids[idp][i] = (JSON.parse(reply.body) as { id: string }).id;
      });
    }
    const same = personalise(fixture('okta', 'create-user-2.json'), 0);
    const statuses = await Promise.all(Array.from({ length: 16 }, () => call('POST', '/Users', same).then((r) => r.status)));
    const identical = `${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 409).length} × 409`;
    console.log(`  16 identical concurrent POSTs (okta create-user-2): ${identical}`);

    const bodies = {
      okta: { off: fixture('okta', 'deactivate-user.json'), on: fixture('okta', 'reactivate-user.json') },
      entra: { off: fixture('entra', 'disable-user.json'), on: fixture('entra', 'enable-user.json') },
    };
    for (const round of [0, 1]) {
      const label = (text: string) => (round === 0 ? null : text);
      for (const idp of ['okta', 'entra'] as const) {
        await giveSessions(database.db, sids[idp]);
        await measure(label(`${idp} deactivate (PATCH active false)`), async (i) => {
          await send('PATCH', `/Users/${sids[idp][i]}`, JSON.parse(bodies[idp].off) as Json, 200, `${idp} deactivate`);
        });
        await expectState(database.db, sids[idp], 'suspended');
      }
      for (const idp of ['okta', 'entra'] as const) {
        await measure(label(`${idp} reactivate (PATCH active true)`), async (i) => {
          await send('PATCH', `/Users/${sids[idp][i]}`, JSON.parse(bodies[idp].on) as Json, 200, `${idp} reactivate`);
        });
        await expectState(database.db, sids[idp], 'active');
      }
    }

    const put = fixture('okta', 'update-user.json');
    await measure('okta update-user (PUT, new family name)', async (i) => {
      await send('PUT', `/Users/${sids.okta[i]}`, personalise(put, i, sids.okta[i]), 200, 'okta PUT');
    });
    await measure('okta update-user (PUT again, unchanged)', async (i) => {
      await send('PUT', `/Users/${sids.okta[i]}`, personalise(put, i, sids.okta[i]), 200, 'okta PUT again');
    });
    const patch = fixture('entra', 'update-user.json');
    await measure('entra update-user (PATCH value paths)', async (i) => {
      await send('PATCH', `/Users/${sids.entra[i]}`, personalise(patch, i), 200, 'entra PATCH update');
    });

    const raw = await rawPostgresRates(database.url, CLIENTS, 3000);
    const rawUpdates = await rawPostgresUpdateRate(database.url, CLIENTS, 3000);
    console.log(`  PostgreSQL alone, same run, ${CLIENTS} clients: ${fmt(raw.singleRow)} single-row inserts/s, ${fmt(rawUpdates)} single-row updates/s, `
      + `${fmt(raw.threeInsertTx)} three-insert transactions/s`);
    console.log(`  server RSS max: ${fmt(server.maxRssMb(), 1)} MB`);
    console.log('\nSummary (issue 14: deactivation, reactivation and PUT ≥ 2,000 req/s at 16 clients)');
    for (const f of figures) {
      const judged = /deactivate|reactivate|PUT/.test(f.what);
      const rate = median(f.rates);
      console.log(`  ${judged ? (rate >= TARGET ? 'ok  ' : 'MISS') : '    '} ${f.what.padEnd(42)} ${fmt(rate).padStart(6)} req/s   `
        + `server ${fmt(f.cpu.serverMs, 2)} ms CPU/req, PostgreSQL ${fmt(f.cpu.postgresMs, 2)} ms, machine ${fmt(f.cpu.busyShare * 100)}% busy`);
    }
    console.log(`       yardstick: PostgreSQL alone ${fmt(raw.singleRow)} inserts/s, ${fmt(rawUpdates)} updates/s; 16 identical POSTs ${identical}`);
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await server.stop();
    await database.drop();
  }
}

function print(f: Figure): void {
  console.log(`  ${f.what}, ${CLIENTS} clients: median ${fmt(median(f.rates))} req/s (segments: ${f.rates.map((r) => fmt(r)).join(', ')}), `
    + `p50 ${fmt(f.p50, 1)} ms, p99 ${fmt(f.p99, 1)} ms; CPU per request: server ${fmt(f.cpu.serverMs, 2)} ms, PostgreSQL ${fmt(f.cpu.postgresMs, 2)} ms, `
    + `client ${fmt(f.cpu.selfMs, 2)} ms; machine ${fmt(f.cpu.busyShare * 100)}% busy`);
}

/** One live password session for each user (set-based, not measured): a deactivation must end it (C3). */
async function giveSessions(db: Knex, userSids: readonly string[]): Promise<void> {
  await db.raw(`INSERT INTO sessions (id_hash, user_sid, method, expires_at)
    SELECT md5(random()::text || s), s, 'password', now() + interval '8 hours' FROM unnest(CAST(? AS text[])) AS s`, [[...userSids]]);
}

/** C3: after a pass every user has `status`; after a deactivation none has a live session. */
async function expectState(db: Knex, userSids: readonly string[], status: 'active' | 'suspended'): Promise<void> {
  const { rows } = await db.raw(`SELECT count(*) FILTER (WHERE u.status <> ?) AS wrong,
      (SELECT count(*) FROM sessions s WHERE s.user_sid = ANY(CAST(? AS text[])) AND s.revoked_at IS NULL) AS live
    FROM users u WHERE u.sid = ANY(CAST(? AS text[]))`, [status, [...userSids], [...userSids]]);
  const { wrong, live } = rows[0] as { wrong: string; live: string };
  if (Number(wrong) !== 0) throw new Error(`${wrong} users are not ${status}`);
  if (status === 'suspended' && Number(live) !== 0) throw new Error(`C3: ${live} sessions of deactivated users are still live`);
}

await main();
