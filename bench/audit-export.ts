/**
 * Benchmark: the audit log's CSV export (L1, issue 10). Inserts BENCH_ENTRIES (default 1,000,000)
 * audit entries set-based (generate_series), then streams GET /Organizations/{sid}/AuditLog.csv
 * through HTTP on loopback with a bearer token, consuming the body as it comes. Prints entries/s
 * and the growth of the server process's RSS during the export (sampled every 20 ms; the client
 * runs in a child process), next to the database's own rate in
 * the same run: PostgreSQL's `COPY (SELECT …) TO STDOUT WITH CSV` of the same rows, or on PGlite a
 * plain SELECT of them.
 *
 *   DATABASE_URL=postgres://... node --import tsx bench/audit-export.ts    # scratch database, dropped after
 *   BENCH_ENTRIES=200000 node --import tsx bench/audit-export.ts            # embedded PGlite
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { seedApiClient, startBench, type Bench } from './bench-kit.js';

const ENTRIES = Math.min(Number(process.env.BENCH_ENTRIES ?? 1_000_000), 5_000_000);
const MB = 1024 * 1024;

/** The HTTP client, run as a child process: reads the export as it comes and counts bytes and lines. */
const CLIENT = `
const started = performance.now();
require('node:http').get(process.argv[1], { headers: { Authorization: 'Bearer ' + process.argv[2] } }, (res) => {
  if (res.statusCode !== 200) { console.error('export: HTTP ' + res.statusCode); process.exit(1); }
  const firstByteMs = performance.now() - started;
  let bytes = 0, lines = 0;
  res.on('data', (chunk) => { bytes += chunk.length; for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1; });
  res.on('end', () => process.stdout.write(JSON.stringify({ bytes, lines, firstByteMs })));
});`;

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
  const bench = await startBench({ poolMax: 10 });
  try {
    await run(bench);
  } finally {
    await bench.close();
  }
}

async function run(bench: Bench): Promise<void> {
  const { db, url: baseUrl, databaseUrl } = bench;

  const { orgSid, client } = await seedApiClient(bench, 'owner@bench-audit.test', 'read-only');

  const lines = [`Audit log CSV export benchmark (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, node ${process.version}, ${ENTRIES} entries)`];
  let started = performance.now();
  // Set-based: one statement, entries spread over the last ENTRIES seconds, JSON before/after like real changes.
  // Statements of 100,000 rows each stay within the pool's statement timeout.
  for (let from = 1; from <= ENTRIES; from += 100_000) {
    await db.raw(`INSERT INTO audit_log (org_sid, actor, action, target, before, after, request_id, created_at)
      SELECT ?, 'US' || md5((g % 977)::text), (ARRAY['member.role_changed', 'domain.added', 'account.created', 'sso.updated'])[1 + g % 4],
        'US' || md5(g::text), jsonb_build_object('role', 'standard'), jsonb_build_object('role', 'admin', 'seq', g, 'note', 'a "quoted", comma'),
        'req-' || g, now() - (? - g) * interval '1 second'
      FROM generate_series(?::int, ?::int) AS g`, [orgSid, ENTRIES, from, Math.min(from + 99_999, ENTRIES)]);
  }
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

  if (process.env.BENCH_EXPLAIN) {
    const inner = db('audit_log').where({ org_sid: orgSid }).andWhere('id', '>', String(Math.floor(ENTRIES / 2))).andWhere('id', '<=', String(ENTRIES + 10))
      .orderBy('id', 'asc').limit(10_000).select('id', db.raw("id::text || audit_csv_cell(actor) || audit_csv_cell(after::text) AS line"));
    const sql = db.from(inner.as('batch')).first(db.raw('max(id)::text'), db.raw('count(*)'), db.raw(`string_agg(line, '' ORDER BY id)`)).toString();
    const plan = (await db.raw(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`)) as { rows: { 'QUERY PLAN': string }[] };
    lines.push(...plan.rows.map((r) => `    | ${r['QUERY PLAN']}`));
  }
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); }, 20);
  started = performance.now();
  // The client is another process, so the RSS measured here is the server's alone.
  const exported = await new Promise<{ bytes: number; lines: number; firstByteMs: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, `${baseUrl}/Organizations/${orgSid}/AuditLog.csv`, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { bytes: number; lines: number; firstByteMs: number }) : reject(new Error(`client exited ${code}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  // The header line and the JSON cells' embedded newlines: none here, so lines - 1 = entries.
  const entries = exported.lines - 1;
  lines.push(`  GET …/AuditLog.csv over HTTP: ${entries} entries, ${(exported.bytes / MB).toFixed(0)} MB in ${seconds.toFixed(2)} s = ${(entries / seconds).toFixed(0)} entries/s (first byte after ${exported.firstByteMs.toFixed(0)} ms)`,
    `    RSS ${(rssBefore / MB).toFixed(0)} MB before, peak ${(rssPeak / MB).toFixed(0)} MB: growth ${((rssPeak - rssBefore) / MB).toFixed(1)} MB (the server's process; the client is another)`);
  const expected = Number(((await db.raw('SELECT count(*)::int AS n FROM audit_log WHERE org_sid = ?', [orgSid])) as { rows: { n: number }[] }).rows[0]!.n);
  if (entries !== expected) lines.push(`    MISMATCH: expected ${expected} entries`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
