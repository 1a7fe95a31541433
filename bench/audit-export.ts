/**
 * Benchmark: the audit log's CSV export (L1, issue 10). Inserts BENCH_ENTRIES (default 1,000,000)
 * audit entries set-based (generate_series), then streams GET /Organizations/{sid}/AuditLog.csv
 * through HTTP on loopback with a bearer token, consuming the body as it comes. Prints entries/s
 * and the growth of this process's RSS during the export (sampled every 20 ms; server and client
 * share the process, so it is an upper bound for the server), next to the database's own rate in
 * the same run: PostgreSQL's `COPY (SELECT …) TO STDOUT WITH CSV` of the same rows, or on PGlite a
 * plain SELECT of them.
 *
 *   DATABASE_URL=postgres://... node --import tsx bench/audit-export.ts    # scratch database, dropped after
 *   BENCH_ENTRIES=200000 node --import tsx bench/audit-export.ts            # embedded PGlite
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import knexFactory from 'knex';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { createMailer } from '../src/adapters/mailer.js';
import { createTxtLookup } from '../src/adapters/dns.js';
import { silentLogger } from '../src/logger.js';
import { newSid } from '../src/ids.js';
import { createDb, migrateLatest } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { createServices } from '../src/services/index.js';

const ENTRIES = Math.min(Number(process.env.BENCH_ENTRIES ?? 1_000_000), 5_000_000);
const MB = 1024 * 1024;

/** COPY … TO STDOUT through the pg driver's submittable interface, counting bytes and lines without keeping them. */
function copyOut(client: pg.Client, sql: string): Promise<{ bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let lines = 0;
    let failure: unknown;
    const submittable = {
      submit(connection: { query(text: string): void }) { connection.query(sql); },
      handleCopyData(msg: { chunk: Buffer }) { bytes += msg.chunk.length; lines += 1; },
      handleCommandComplete() {},
      handleReadyForQuery() { if (failure) reject(failure); else resolve({ bytes, lines }); },
      handleError(error: unknown) { failure = error; },
      handleRowDescription() {}, handleDataRow() {}, handlePortalSuspended() {}, handleEmptyQuery() {}, handleCopyInResponse() {},
    };
    client.query(submittable as unknown as pg.QueryConfig);
  });
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const scratch = `orgward_bench_${randomBytes(4).toString('hex')}`;
  const admin = serverUrl ? knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } }) : undefined;
  let databaseUrl: string | undefined;
  if (admin && serverUrl) {
    await admin.raw(`CREATE DATABASE ${scratch}`);
    const u = new URL(serverUrl);
    u.pathname = `/${scratch}`;
    databaseUrl = u.toString();
  }
  const db = createDb({ databaseUrl, dataDir: 'memory://', poolMax: 10 });
  await migrateLatest(db);
  const store = createStore(db);
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mailer = createMailer({ smtpUrl: undefined, from: 'bench@orgward.test', store, logger: silentLogger, clock: systemClock });
  const services = createServices({ store, clock: systemClock, logger: silentLogger, mailer, dns: createTxtLookup(['127.0.0.1:1'], 100), baseUrl, secretKey: Buffer.alloc(32, 1) });
  server.on('request', createApp({ services, logger: silentLogger, baseUrl, secureCookies: false, health: async () => undefined }));

  const orgSid = newSid('OR');
  const ownerSid = newSid('US');
  await store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: orgSid, name: 'Bench' });
    await repos.users.insert({ sid: ownerSid, email: 'owner@bench-audit.test' });
    await repos.users.join(ownerSid, orgSid, 'owner');
  });
  const client = await services.apiClients.create({ kind: 'user', userSid: ownerSid }, orgSid, { role: 'read-only' });

  const lines = [`Audit log CSV export benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version}, ${ENTRIES} entries)`];
  let started = performance.now();
  // Set-based: one statement, entries spread over the last ENTRIES seconds, JSON before/after like real changes.
  await db.raw(`INSERT INTO audit_log (org_sid, actor, action, target, before, after, request_id, created_at)
    SELECT ?, 'US' || md5((g % 977)::text), (ARRAY['member.role_changed', 'domain.added', 'account.created', 'sso.updated'])[1 + g % 4],
      'US' || md5(g::text), jsonb_build_object('role', 'standard'), jsonb_build_object('role', 'admin', 'seq', g, 'note', 'a "quoted", comma'),
      'req-' || g, now() - (? - g) * interval '1 second'
    FROM generate_series(1, ?) AS g`, [orgSid, ENTRIES, ENTRIES]);
  await db.raw('ANALYZE audit_log');
  lines.push(`  insert (generate_series): ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // The database's own rate for the same rows and columns.
  const columns = `id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor, action, target, before::text, after::text, request_id`;
  const query = `SELECT ${columns} FROM audit_log WHERE org_sid = '${orgSid}' ORDER BY id`;
  if (databaseUrl) {
    const raw = new pg.Client({ connectionString: databaseUrl });
    await raw.connect();
    started = performance.now();
    const copied = await copyOut(raw, `COPY (${query}) TO STDOUT WITH (FORMAT csv)`);
    const seconds = (performance.now() - started) / 1000;
    lines.push(`  PostgreSQL COPY (…) TO STDOUT WITH CSV: ${copied.lines} rows, ${(copied.bytes / MB).toFixed(0)} MB in ${seconds.toFixed(2)} s = ${(copied.lines / seconds).toFixed(0)} entries/s`);
    await raw.end();
  } else {
    started = performance.now();
    const rows = ((await db.raw(query)) as { rows: unknown[] }).rows.length;
    const seconds = (performance.now() - started) / 1000;
    lines.push(`  PGlite plain SELECT of the same rows (all in memory): ${rows} rows in ${seconds.toFixed(2)} s = ${(rows / seconds).toFixed(0)} entries/s`);
  }

  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString();
  const tokenRes = await fetch(`${baseUrl}/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); }, 20);
  started = performance.now();
  const exported = await new Promise<{ bytes: number; lines: number; firstByteMs: number }>((resolve, reject) => {
    const req = http.get(`${baseUrl}/Organizations/${orgSid}/AuditLog.csv`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`export: HTTP ${res.statusCode}`));
      const firstByteMs = performance.now() - started;
      let bytes = 0;
      let count = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count += 1;
      });
      res.on('end', () => resolve({ bytes, lines: count, firstByteMs }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  // The header line and the JSON cells' embedded newlines: none here, so lines - 1 = entries.
  const entries = exported.lines - 1;
  lines.push(`  GET …/AuditLog.csv over HTTP: ${entries} entries, ${(exported.bytes / MB).toFixed(0)} MB in ${seconds.toFixed(2)} s = ${(entries / seconds).toFixed(0)} entries/s (first byte after ${exported.firstByteMs.toFixed(0)} ms)`,
    `    RSS ${(rssBefore / MB).toFixed(0)} MB before, peak ${(rssPeak / MB).toFixed(0)} MB: growth ${((rssPeak - rssBefore) / MB).toFixed(1)} MB (client and server in this process)`);
  const expected = Number(((await db.raw('SELECT count(*)::int AS n FROM audit_log WHERE org_sid = ?', [orgSid])) as { rows: { n: number }[] }).rows[0]!.n);
  if (entries !== expected) lines.push(`    MISMATCH: expected ${expected} entries`);
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => server.close(() => resolve()));
  mailer.close();
  await db.destroy();
  if (admin) {
    await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.destroy();
  }
}

await main();
