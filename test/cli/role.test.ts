/**
 * `orgward role …` (R1: the catalogue; custom roles; permissions) and `orgward role-assignment …`
 * (R1-R4, O2) through the CLI, each with --json printing one JSON object.
 */
import { BUILT_IN_ROLE_SIDS, DEVELOPER_ROLE_SID } from '../../src/rules/role-catalogue.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { cliDatabase, cliJson, SID, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
const ORG_ADMIN = BUILT_IN_ROLE_SIDS.organization.Administrator;

let db: CliDatabase;
let orgSid: string;
let ownerSid: string;
let accountSid: string;

beforeAll(async () => {
  db = await cliDatabase();
  ({ orgSid, ownerSid } = (await cliJson(['org', 'create', '--name', 'Roles', '--owner', 'owner@roles-cli.example'], db.env)) as { orgSid: string; ownerSid: string });
  // The runtime in this process (PGlite: only while no CLI runs) creates the account.
  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    accountSid = (await runtime.services.accounts.create({ kind: 'operator' }, orgSid, { name: 'Production', usage: 'twilio', ownerSid })).sid;
  } finally {
    await runtime.close();
  }
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('orgward role', () => {
  it('R1: list shows the built-in roles; create defines a custom role; set changes permissions; Administrator is refused', async () => {
    const listed = await cliJson(['role', 'list'], db.env);
    expect(listed.roles).toEqual(expect.arrayContaining([
      { sid: DEVELOPER_ROLE_SID, name: 'Developer', kind: 'built_in', scopeType: 'account', permissions: [] },
      expect.objectContaining({ sid: ORG_ADMIN, name: 'Administrator', scopeType: 'organization' }),
    ]));
    const created = await cliJson(['role', 'create', '--name', 'Campaigns', '--permission', 'messages:send', '--permission', 'campaigns:write'], db.env);
    expect(created).toEqual({ sid: expect.stringMatching(SID('IX')), name: 'Campaigns', kind: 'custom', scopeType: 'account', permissions: ['campaigns:write', 'messages:send'] });
    const set = await cliJson(['role', 'set', '--role', DEVELOPER_ROLE_SID, '--permission', 'messages:send'], db.env);
    expect(set).toMatchObject({ sid: DEVELOPER_ROLE_SID, permissions: ['messages:send'] });
    const refused = await cliJson(['role', 'set', '--role', BUILT_IN_ROLE_SIDS.account.Administrator, '--permission', 'messages:send'], db.env, 1);
    expect(refused.error).toMatchObject({ code: 'role_built_in' });
  }, SLOW);
});

describe('orgward role-assignment', () => {
  it('R1: create, list and delete an account role', async () => {
    const assigned = await cliJson(['role-assignment', 'create', '--org', orgSid, '--identity', ownerSid, '--scope', accountSid, '--role', BUILT_IN_ROLE_SIDS.account.Support], db.env);
    expect(assigned).toMatchObject({ sid: expect.stringMatching(SID('IY')), identity: ownerSid, scope: accountSid, roleSid: BUILT_IN_ROLE_SIDS.account.Support, source: 'direct' });
    const listed = await cliJson(['role-assignment', 'list', '--org', orgSid, '--scope', accountSid], db.env);
    expect(listed.roleAssignments).toEqual([expect.objectContaining({ sid: assigned.sid })]);
    expect(await cliJson(['role-assignment', 'delete', '--org', orgSid, assigned.sid as string], db.env)).toMatchObject({ deleted: true, sid: assigned.sid });
    expect(await cliJson(['role-assignment', 'list', '--org', orgSid, '--identity', ownerSid], db.env)).toEqual({ roleAssignments: [] });
  }, SLOW);

  it('O2, U6: the Owner is never assigned; another organization is not found; identity or scope is required', async () => {
    const invited = await cliJson(['org', 'create', '--name', 'Elsewhere', '--owner', 'other@roles-cli.example'], db.env);
    const owner = await cliJson(['role-assignment', 'create', '--org', orgSid, '--identity', ownerSid, '--scope', orgSid, '--role', ORG_ADMIN], db.env, 1);
    expect(owner.error).toMatchObject({ code: 'owner_required' });
    const elsewhere = await cliJson(['role-assignment', 'list', '--org', orgSid, '--scope', invited.orgSid as string], db.env, 1);
    expect(elsewhere.error).toMatchObject({ code: 'not_found' });
    const none = await cliJson(['role-assignment', 'list', '--org', orgSid], db.env, 1);
    expect(none.error).toMatchObject({ code: 'invalid_input' });
  }, SLOW);
});
