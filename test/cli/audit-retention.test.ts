/**
 * `orgward org set-audit-retention` (L1): the audit log is kept for ever by default; the operator
 * sets a number of days or `forever`; the change is audited; bad values are refused.
 */
import { cliDatabase, cliJson, runCli, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
let db: CliDatabase;
let orgSid: string;

beforeAll(async () => {
  db = await cliDatabase();
  ({ orgSid } = (await cliJson(['org', 'create', '--name', 'Retention', '--owner', 'owner@retention-cli.example'], db.env)) as { orgSid: string });
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('orgward org set-audit-retention', () => {
  it('R-L1: sets days, then forever, each change audited; refuses 0 and words other than forever', async () => {
    expect(await cliJson(['org', 'set-audit-retention', '--org', orgSid, '--days', '90'], db.env)).toEqual({ orgSid, auditRetentionDays: 90 });
    expect(await cliJson(['org', 'set-audit-retention', '--org', orgSid, '--days', 'forever'], db.env)).toEqual({ orgSid, auditRetentionDays: null });

    const audit = await cliJson(['org', 'audit', '--org', orgSid, '--action', 'organization.audit_retention_changed'], db.env);
    expect(audit.entries.map((e: { actor: string; before: unknown; after: unknown }) => [e.actor, e.before, e.after])).toEqual([
      ['operator', { auditRetentionDays: null }, { auditRetentionDays: 90 }],
      ['operator', { auditRetentionDays: 90 }, { auditRetentionDays: null }],
    ]);

    const zero = await cliJson(['org', 'set-audit-retention', '--org', orgSid, '--days', '0'], db.env, 1);
    expect(zero.error).toMatchObject({ code: 'invalid_input' });
    const word = await runCli(['org', 'set-audit-retention', '--org', orgSid, '--days', 'never', '--json'], db.env);
    expect(word.code).toBe(2);
    expect(JSON.parse(word.stdout).error.code).toBe('usage');
    const unknown = await cliJson(['org', 'set-audit-retention', '--org', `OR${'0'.repeat(32)}`, '--days', '30'], db.env, 1);
    expect(unknown.error).toMatchObject({ code: 'not_found' });
  }, SLOW);
});
