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
 * Then the reads and group writes the IdPs make, against the issue's other bars: lookups by
 * `userName eq` (Okta), `externalId eq` and `emails[type eq "work"].value eq` (Entra) at 16
 * clients and `userName eq` at 1 client (p99); pages of 100 at a random startIndex with the exact
 * totalResults; member additions in PATCHes of 100 (Entra's Add body), a group per client, each
 * through every user once, the stored membership count checked.
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
  readonly clients: number;
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
    const created: Record<Idp, Json[]> = { okta: [], entra: [] };

    /** `USERS` requests of `request(i)` at 16 clients, in segments; reported unless a warm-up. */
    const measure = async (what: string | null, request: (i: number) => Promise<void>, clients = CLIENTS, requests = USERS) => {
      const before = cpuSample(databaseName, server.pid);
      const runs = await segmented(SEGMENTS, clients, requests / SEGMENTS, request);
      const cpu = cpuSince(databaseName, before, requests, server.pid);
      const latencies = runs.flatMap((r) => r.latencies);
      const figure = { what: what ?? '', clients, rates: runs.map((r) => (requests / SEGMENTS) / (r.elapsedMs / 1000)), p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu };
      if (what !== null) {
        figures.push(figure);
        print(figure);
      }
    };
    const send = async (method: string, path: string, body: Json | undefined, status: number, what: string): Promise<Reply> => {
      const reply = await call(method, path, body);
      expectStatus(reply, status, what);
      return reply;
    };

    // Creation with each IdP's create-user body (Okta: email userName; Entra: a GUID-like userName, the identity from the work email).
    for (const idp of ['okta', 'entra'] as const) {
      const text = fixture(idp, 'create-user.json');
      await measure(`${idp} create-user (POST)`, async (i) => {
        created[idp][i] = personalise(text, i);
        const reply = await send('POST', '/Users', created[idp][i]!, 201, `${idp} create`);
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

    // Lookups as the IdPs send them (Okta: userName before a create; Entra: externalId, and the work
    // email for matching), over both IdPs' users; each must find exactly its user.
    const lookups: [string, (body: Json) => string][] = [
      ['userName eq', (b) => `userName eq "${b.userName as string}"`],
      ['externalId eq', (b) => `externalId eq "${b.externalId as string}"`],
      ['emails[type eq "work"].value eq', (b) => `emails[type eq "work"].value eq "${(b.emails as { type: string; value: string }[]).find((e) => e.type === 'work')!.value}"`],
    ];
    const lookup = (filter: (body: Json) => string) => async (i: number) => {
      const idp: Idp = i % 2 === 0 ? 'okta' : 'entra';
      const k = Math.floor(i / 2) % USERS;
      const reply = await send('GET', `/Users?filter=${encodeURIComponent(filter(created[idp][k]!))}`, undefined, 200, 'lookup');
      const found = JSON.parse(reply.body) as { totalResults: number; Resources: { id: string }[] };
      if (found.totalResults !== 1 || found.Resources[0]?.id !== sids[idp][k]) throw new Error(`lookup ${i} found ${found.totalResults}`);
    };
    for (const [label, filter] of lookups) await measure(`lookup ${label}`, lookup(filter));
    await measure('lookup userName eq, 1 client', lookup(lookups[0]![1]), 1, 2000);

    // Pages of 100 at a random startIndex, each with the exact total.
    // Every member the SCIM view lists: both IdPs' users, the one of the 16 identical POSTs, the Owner.
    const total = (JSON.parse((await send('GET', '/Users?count=1', undefined, 200, 'count')).body) as { totalResults: number }).totalResults;
    if (total < 2 * USERS) throw new Error(`only ${total} users listed`);
    await measure(`page of 100 with exact totalResults (${fmt(total)} users)`, async () => {
      const start = 1 + Math.floor(Math.random() * (total - 100));
      const reply = await send('GET', `/Users?startIndex=${start}&count=100`, undefined, 200, 'page');
      const page = JSON.parse(reply.body) as { totalResults: number; Resources: unknown[] };
      if (page.totalResults !== total || page.Resources.length !== 100) throw new Error(`page at ${start}: ${page.totalResults} total, ${page.Resources.length} rows`);
    }, CLIENTS, 1000);

    // Group membership: a group per client (Entra's create-group body), then Entra's Add of
    // members in PATCHes of 100, each client through every user once.
    const everyone = [...sids.okta, ...sids.entra];
    const groupText = fixture('entra', 'create-group.json');
    const groups = await Promise.all(Array.from({ length: CLIENTS }, async (_, g) => {
      const body = { ...(JSON.parse(groupText) as Json), displayName: `Bench group ${g}`, externalId: `bench-group-${g}` };
      return (JSON.parse((await send('POST', '/Groups', body, 201, 'create group')).body) as { id: string }).id;
    }));
    const perPatch = 100;
    const patches = Math.floor(everyone.length / perPatch);
    const beforeGroups = cpuSample(databaseName, server.pid);
    const groupStart = performance.now();
    const groupLatencies: number[] = [];
    await Promise.all(groups.map(async (group) => {
      for (let k = 0; k < patches; k += 1) {
        const t = performance.now();
        await send('PATCH', `/Groups/${group}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Add', path: 'members', value: everyone.slice(k * perPatch, (k + 1) * perPatch).map((value) => ({ $ref: null, value })) }],
        }, 204, 'add members');
        groupLatencies.push(performance.now() - t);
      }
    }));
    const added = groups.length * patches * perPatch;
    const groupSeconds = (performance.now() - groupStart) / 1000;
    const groupCpu = cpuSince(databaseName, beforeGroups, added, server.pid);
    const { rows: [counted] } = await database.db.raw('SELECT count(*)::int AS n FROM scim_group_members WHERE group_id = ANY(?)', [groups]);
    if ((counted as { n: number }).n !== added) throw new Error(`${(counted as { n: number }).n} memberships stored, ${added} added`);
    const groupFigure = { what: `member additions (PATCHes of ${perPatch})`, clients: CLIENTS, rates: [added / groupSeconds], p50: percentile(groupLatencies, 50), p99: percentile(groupLatencies, 99), cpu: groupCpu };
    figures.push(groupFigure);
    print(groupFigure);

    const raw = await rawPostgresRates(database.url, CLIENTS, 3000);
    const rawUpdates = await rawPostgresUpdateRate(database.url, CLIENTS, 3000);
    console.log(`  PostgreSQL alone, same run, ${CLIENTS} clients: ${fmt(raw.singleRow)} single-row inserts/s, ${fmt(rawUpdates)} single-row updates/s, `
      + `${fmt(raw.threeInsertTx)} three-insert transactions/s`);
    console.log(`  server RSS max: ${fmt(server.maxRssMb(), 1)} MB`);
    console.log('\nSummary against issue 14\'s bars (16 clients unless said)');
    for (const f of figures) {
      const rate = median(f.rates);
      const bar = barOf(f.what);
      const met = bar === undefined ? undefined : bar.p99Ms !== undefined ? f.p99 < bar.p99Ms : rate >= bar.rate!;
      const figure = bar?.p99Ms !== undefined ? `p99 ${fmt(f.p99, 2)} ms` : `${fmt(rate)} ${f.what.startsWith('member') ? 'members' : 'req'}/s`;
      console.log(`  ${met === undefined ? '    ' : met ? 'ok  ' : 'MISS'} ${f.what.padEnd(48)} ${figure.padStart(15)}  ${bar ? `bar ${bar.label}` : ''.padEnd(4)}`
        + `   server ${fmt(f.cpu.serverMs, 3)} ms CPU/call, PostgreSQL ${fmt(f.cpu.postgresMs, 3)} ms, machine ${fmt(f.cpu.busyShare * 100)}% busy`);
    }
    console.log(`       yardstick: PostgreSQL alone ${fmt(raw.singleRow)} inserts/s, ${fmt(rawUpdates)} updates/s; 16 identical POSTs ${identical}`);
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await server.stop();
    await database.drop();
  }
}

/** Issue 14's bar for a figure. */
function barOf(what: string): { label: string; rate?: number; p99Ms?: number } | undefined {
  if (/deactivate|reactivate|PUT/.test(what)) return { label: `≥ ${fmt(TARGET)}/s`, rate: TARGET };
  if (what.includes('create-user')) return { label: '≥ 2,500/s', rate: 2500 };
  if (what.endsWith('1 client')) return { label: 'p99 < 2 ms', p99Ms: 2 };
  if (what.startsWith('lookup')) return { label: '≥ 6,000/s', rate: 6000 };
  if (what.startsWith('page')) return { label: '≥ 800/s', rate: 800 };
  if (what.startsWith('member')) return { label: '≥ 20,000/s', rate: 20_000 };
  return undefined;
}

function print(f: Figure): void {
  console.log(`  ${f.what}, ${f.clients} client(s): median ${fmt(median(f.rates))} req/s (segments: ${f.rates.map((r) => fmt(r)).join(', ')}), `
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
