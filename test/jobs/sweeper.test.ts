/**
 * The sweeper on the real database (PostgreSQL with DATABASE_URL, else PGlite): it removes only
 * what has expired (boundary: a row expiring exactly now stays), keeps the audit log per the
 * organization's retention (L1, default for ever), is bounded per run, and two sweepers over one
 * database never sweep at once.
 */
import { manualClock } from '../../src/clock.js';
import { createSweeper } from '../../src/jobs/sweeper.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { silentLogger } from '../../src/logger.js';
import { sweeperStore, type SweeperStore } from '../../src/store/sweeper.js';
import { createTestDb, type TestDb } from '../support/db.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const ms = (n: number) => new Date(NOW.getTime() + n);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ORG = `OR${'a'.repeat(32)}`;
const OTHER_ORG = `OR${'b'.repeat(32)}`;
const USER = `US${'c'.repeat(32)}`;

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
  const { db } = testDb;
  await db('organizations').insert([{ sid: ORG, name: 'Kept short' }, { sid: OTHER_ORG, name: 'Kept for ever' }]);
  await db('users').insert({ sid: USER, email: 'sweep@acme.test' });
});
afterAll(() => testDb.destroy());

async function count(table: string): Promise<number> {
  const row = await testDb.db(table).count<{ count: string }[]>('* as count');
  return Number(row[0]!.count);
}

describe('sweeper', () => {
  beforeEach(async () => {
    for (const t of ['sessions', 'one_time_tokens', 'sso_oidc_transactions', 'oidc_payloads', 'idempotency_keys', 'sign_in_backoff', 'mail_outbox', 'audit_log', 'sweeper_leases']) {
      await testDb.db(t).delete();
    }
    await testDb.db('organizations').update({ audit_retention_days: null });
  });

  it('removes expired rows and keeps those expiring now or later (boundary)', async () => {
    const { db } = testDb;
    await db('sessions').insert([
      { id_hash: 'expired', user_sid: USER, method: 'password', expires_at: ms(-1) },
      { id_hash: 'at-now', user_sid: USER, method: 'password', expires_at: NOW },
      { id_hash: 'live', user_sid: USER, method: 'password', expires_at: ms(HOUR) },
    ]);
    await db('one_time_tokens').insert([
      { token_hash: 'old', purpose: 'password_reset', subject: USER, expires_at: ms(-1) },
      { token_hash: 'new', purpose: 'password_reset', subject: USER, expires_at: ms(1) },
    ]);
    await db('oidc_payloads').insert([
      { model: 'AccessToken', id: 'gone', payload: {}, expires_at: ms(-1) },
      { model: 'AccessToken', id: 'kept', payload: {}, expires_at: ms(1) },
      { model: 'Client', id: 'never-expires', payload: {}, expires_at: null },
    ]);
    await db('idempotency_keys').insert([
      { caller: 'c', key: 'day-old', request_hash: 'h', created_at: ms(-DAY - 1) },
      { caller: 'c', key: 'exactly-a-day', request_hash: 'h', created_at: ms(-DAY) },
    ]);
    await db('sign_in_backoff').insert([
      { scope: 'password', subject: 'quiet@acme.test', client: '*', failures: 3, updated_at: ms(-DAY - 1) },
      { scope: 'password', subject: 'recent@acme.test', client: '*', failures: 3, updated_at: ms(-HOUR) },
      // Long untouched, but a lock still stands: kept until it has run out.
      { scope: 'password', subject: 'locked@acme.test', client: '*', failures: 9, updated_at: ms(-DAY - 1), locked_until: ms(HOUR) },
    ]);
    await db('mail_outbox').insert([
      { recipient: 'a@acme.test', subject: 's', body_text: null, sent_at: ms(-8 * DAY) },
      { recipient: 'b@acme.test', subject: 's', body_text: null, sent_at: ms(-DAY) },
      { recipient: 'c@acme.test', subject: 's', body_text: 'waiting', sent_at: null, created_at: ms(-30 * DAY) },
    ]);

    const metrics = createMetrics();
    const result = await createSweeper({ store: sweeperStore(db), clock: manualClock(NOW), logger: silentLogger, metrics }).runOnce();

    expect(result).toMatchObject({ outcome: 'swept', complete: true, removed: { sessions: 1, one_time_tokens: 1, oidc_payloads: 1, idempotency_keys: 1, sign_in_backoff: 1, mail_outbox: 1 } });
    expect((await db('sessions').pluck('id_hash')).sort()).toEqual(['at-now', 'live']);
    expect(await db('one_time_tokens').pluck('token_hash')).toEqual(['new']);
    expect((await db('oidc_payloads').pluck('id')).sort()).toEqual(['kept', 'never-expires']);
    expect(await db('idempotency_keys').pluck('key')).toEqual(['exactly-a-day']);
    expect((await db('sign_in_backoff').pluck('subject')).sort()).toEqual(['locked@acme.test', 'recent@acme.test']);
    expect((await db('mail_outbox').pluck('recipient')).sort()).toEqual(['b@acme.test', 'c@acme.test']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('orgward_sweeper_removed_total{table="sessions"} 1');
    expect(text).toMatch(/orgward_sweeper_run_duration_seconds_count\{outcome="swept"\} 1/);
  });

  it('R-L1: keeps the audit log for ever by default and per the organization\'s retention once set', async () => {
    const { db } = testDb;
    const entry = (org: string, at: Date) => ({ org_sid: org, actor: 'operator', action: 'test.entry', created_at: at });
    await db('audit_log').insert([entry(ORG, ms(-31 * DAY)), entry(ORG, ms(-30 * DAY)), entry(ORG, ms(-DAY)), entry(OTHER_ORG, ms(-3650 * DAY))]);
    const sweeper = createSweeper({ store: sweeperStore(db), clock: manualClock(NOW), logger: silentLogger });

    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', removed: {} });
    expect(await count('audit_log')).toBe(4);

    await db('organizations').where({ sid: ORG }).update({ audit_retention_days: 30 });
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', removed: { audit_log: 1 } });
    // Exactly 30 days old stays; the other organization keeps its ten-year-old entry.
    expect((await db('audit_log').where({ org_sid: ORG }).pluck('created_at')).map((d: Date) => d.toISOString()).sort())
      .toEqual([ms(-30 * DAY).toISOString(), ms(-DAY).toISOString()]);
    expect(await count('audit_log')).toBe(3);
    expect(await db('audit_log').where({ org_sid: OTHER_ORG }).pluck('action')).toEqual(['test.entry']);
  });

  it('stops at its row bound and finishes in the next run', async () => {
    const { db } = testDb;
    await db('sessions').insert(Array.from({ length: 25 }, (_, i) => ({ id_hash: `s${i}`, user_sid: USER, method: 'password', expires_at: ms(-1) })));
    const sweeper = createSweeper({ store: sweeperStore(db), clock: manualClock(NOW), logger: silentLogger, settings: { maxRows: 10, batchSize: 4 } });

    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', complete: false, removed: { sessions: 10 } });
    expect(await count('sessions')).toBe(15);
    await sweeper.runOnce();
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept', complete: true, removed: { sessions: 5 } });
    expect(await count('sessions')).toBe(0);
  });

  it('two sweepers on one database never sweep at once: while one runs, the other skips', async () => {
    const { db } = testDb;
    await db('sessions').insert({ id_hash: 'expired', user_sid: USER, method: 'password', expires_at: ms(-1) });
    // The first sweeper pauses inside its run (holding the lease) until the second has tried.
    let resume!: () => void;
    const paused = new Promise<void>((r) => { resume = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    const real = sweeperStore(db);
    const slow: SweeperStore = { ...real, deleteBatch: async (...args) => { entered(); await paused; return real.deleteBatch(...args); } };
    // Two stores over separate connections on PostgreSQL (as two instances would be): a second pool.
    const second = testDb.kind === 'postgresql' ? (await import('../../src/store/db.js')).createDb({ databaseUrl: testDb.url, dataDir: 'unused', poolMax: 2 }) : db;
    try {
      const metricsB = createMetrics();
      const a = createSweeper({ store: slow, clock: manualClock(NOW), logger: silentLogger, holder: 'instance-a' });
      const b = createSweeper({ store: sweeperStore(second), clock: manualClock(NOW), logger: silentLogger, holder: 'instance-b', metrics: metricsB });

      const runA = a.runOnce();
      await inside;
      const [resultB1, resultB2] = await Promise.all([b.runOnce(), b.runOnce()]);
      expect(resultB1).toEqual({ outcome: 'skipped' });
      expect(resultB2).toEqual({ outcome: 'skipped' });
      expect(await metricsB.registry.metrics()).toMatch(/orgward_sweeper_run_duration_seconds_count\{outcome="skipped"\} 2/);
      resume();
      expect(await runA).toMatchObject({ outcome: 'swept', removed: { sessions: 1 } });
      // Released at the end of the run: the next run on the other instance sweeps.
      expect(await b.runOnce()).toMatchObject({ outcome: 'swept' });
    } finally {
      resume();
      if (second !== db) await second.destroy();
    }
  });

  it('takes over the lease of an instance that died mid-run once it has run out', async () => {
    const { db } = testDb;
    const store = sweeperStore(db);
    expect(await store.takeLease('sweeper', 'dead-instance', NOW, ms(HOUR))).toBe(true);
    const clock = manualClock(NOW);
    const sweeper = createSweeper({ store, clock, logger: silentLogger, holder: 'survivor' });
    expect(await sweeper.runOnce()).toEqual({ outcome: 'skipped' });
    clock.set(ms(HOUR));
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'swept' });
  });
});
