/**
 * Bulk user import of 10,000 rows (target ≥ 1,000 rows/s on PostgreSQL), through the same runtime
 * and service the CLI's `orgward import users` uses (mailer included: without SMTP_URL it drains
 * the outbox in the background as it would), next to PostgreSQL's own single-row insert rate at
 * one client measured in the same run. Then the same file again (B2: nothing changes, every row
 * reported unchanged), and the same file with --update-roles after half the people were demoted.
 * Run: node --import tsx bench/bulk-import.ts [rows]
 */
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createRuntime } from '../src/runtime.js';
import { createBenchDatabase, createBenchOrg, fmt, rawPostgresRates } from './scim-support.js';

const ROWS = Number(process.argv[2] ?? 10_000);
const CHUNK = process.env.BENCH_CHUNK ? Number(process.env.BENCH_CHUNK) : undefined;

export async function benchBulkImport(): Promise<Record<string, number>> {
  const database = await createBenchDatabase('bulk');
  try {
    const org = await createBenchOrg(database.db, 'bulk.bench.example');
    await database.db('organizations').where({ sid: org.orgSid }).update({ bulk_import_enabled: true });
    const csv = ['email,role,name', ...Array.from({ length: ROWS }, (_, i) =>
      `person${i}@bulk.bench.example,${i % 10 === 0 ? 'admin' : 'standard'},"Person ${i}, Bench"`)].join('\n') + '\n';

    const config = loadConfig({ DATABASE_URL: database.url, SECRET_KEY: 'b'.repeat(64), LOG_LEVEL: 'silent' });
    const runtime = await createRuntime(config, silentLogger);
    const operator = { kind: 'operator' } as const;
    const run = async (options: { updateRoles?: boolean } = {}) => {
      const started = process.hrtime.bigint();
      const result = await runtime.services.bulkImport.importUsers(operator, org.orgSid, csv, { ...options, ...(CHUNK && { chunkSize: CHUNK }) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { result, seconds, rate: ROWS / seconds };
    };
    let first;
    let again;
    let roles;
    let drained = 0;
    try {
      first = await run();
      if (first.result.applied.length !== ROWS || first.result.errors.length > 0) throw new Error(`first run: ${first.result.applied.length} applied, ${first.result.errors.length} errors`);
    } finally {
      // Like the CLI: closing waits for the mailer to drain the outbox (no SMTP_URL: each message is marked kept).
      const started = process.hrtime.bigint();
      await runtime.close();
      drained = Number(process.hrtime.bigint() - started) / 1e9;
    }
    // A second process, as a re-run from the CLI would be (the first one's mail drained meanwhile).
    const rerun = await createRuntime(config, silentLogger);
    try {
      const runAgain = async (options: { updateRoles?: boolean } = {}) => {
        const started = process.hrtime.bigint();
        const result = await rerun.services.bulkImport.importUsers(operator, org.orgSid, csv, { ...options, ...(CHUNK && { chunkSize: CHUNK }) });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        return { result, seconds, rate: ROWS / seconds };
      };
      again = await runAgain();
      if (again.result.applied.length !== 0 || again.result.skipped.length !== ROWS) throw new Error('second run changed something');
      await database.db.raw(`UPDATE memberships SET role = CASE role WHEN 'admin' THEN 'standard' ELSE 'admin' END
        WHERE role <> 'owner' AND user_sid IN (SELECT sid FROM users WHERE email LIKE 'person%' AND substring(email from 7)::text < '5')`);
      roles = await runAgain({ updateRoles: true });
    } finally {
      await rerun.close();
    }
    const members = Number((await database.db('memberships').where({ org_sid: org.orgSid }).count<{ count: string }[]>('* as count'))[0]!.count);
    if (members !== ROWS + 1) throw new Error(`expected ${ROWS + 1} members, found ${members}`);

    const raw = await rawPostgresRates(database.url, 1, 3000);
    console.log(`bulk import, ${fmt(ROWS)} new people:            ${fmt(first.rate)} rows/s (${fmt(first.seconds, 2)} s)   target ≥ 1,000 rows/s`);
    console.log(`  then the outbox drained by the mailer:    ${fmt(drained, 2)} s more (${fmt(ROWS / (first.seconds + drained))} rows/s end to end)`);
    console.log(`same file again (all unchanged, B2):        ${fmt(again.rate)} rows/s (${fmt(again.seconds, 2)} s)`);
    console.log(`same file, --update-roles, ${fmt(roles.result.applied.length)} roles changed: ${fmt(roles.rate)} rows/s (${fmt(roles.seconds, 2)} s)`);
    console.log(`PostgreSQL alone, same run, 1 client:       ${fmt(raw.singleRow)} single-row inserts/s, ${fmt(raw.threeInsertTx)} three-insert transactions/s`);
    return { rowsPerSecond: first.rate, outboxDrainSeconds: drained, rerunRowsPerSecond: again.rate, updateRolesRowsPerSecond: roles.rate, rawSingleRow: raw.singleRow, rawThreeInsertTx: raw.threeInsertTx };
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchBulkImport();
