/**
 * `orgward user invite` (D7): re-inviting a pending email with another role is refused unless
 * --replace, and the result says what changed.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { addVerifiedDomain } from '../support/fixtures.js';
import { cliDatabase, cliJson, runCli, type CliDatabase } from './run-cli.js';

const SLOW = 180000;

let db: CliDatabase;
let orgSid: string;
beforeAll(async () => {
  db = await cliDatabase();
  orgSid = (await cliJson(['org', 'create', '--name', 'Inviters', '--owner', 'owner@inv.example'], db.env)).orgSid as string;
  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    await addVerifiedDomain(runtime, orgSid, 'inv.example');
  } finally {
    await runtime.close();
  }
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('orgward user invite', () => {
  it('a different role for a pending invitation needs --replace; the result says what changed', async () => {
    const first = await cliJson(['user', 'invite', '--org', orgSid, 'bob@inv.example', '--role', 'admin'], db.env);
    expect(first).toEqual({ invitationId: expect.any(String), email: 'bob@inv.example', role: 'admin', expiresAt: expect.any(String) });

    const refused = await cliJson(['user', 'invite', '--org', orgSid, 'bob@inv.example', '--role', 'standard'], db.env, 1);
    expect(refused.error).toMatchObject({ code: 'invitation_pending', message: expect.stringContaining('--replace') });
    const pending = await cliJson(['user', 'invitations', '--org', orgSid], db.env);
    expect(pending.invitations).toEqual([expect.objectContaining({ invitationId: first.invitationId, role: 'admin' })]);

    const replaced = await cliJson(['user', 'invite', '--org', orgSid, 'bob@inv.example', '--role', 'standard', '--replace'], db.env);
    expect(replaced).toMatchObject({ role: 'standard', replaced: { invitationId: first.invitationId, role: { from: 'admin', to: 'standard' } } });
    const again = await runCli(['user', 'invite', '--org', orgSid, 'bob@inv.example', '--role', 'admin', '--replace'], db.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`replaces the pending invitation ${replaced.invitationId}: role standard → admin`);
    const after = await cliJson(['user', 'invitations', '--org', orgSid], db.env);
    expect(after.invitations).toEqual([expect.objectContaining({ email: 'bob@inv.example', role: 'admin' })]);
  }, SLOW);
});
