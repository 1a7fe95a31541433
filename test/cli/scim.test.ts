/**
 * `orgward scim-token …` (C1) and `orgward scim-group …` (C5) through the CLI: a preview saves
 * nothing, a mapping is saved and listed, a revoked token stops authenticating.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { addMember, addVerifiedDomain } from '../support/fixtures.js';
import { cliDatabase, cliJson, type CliDatabase } from './run-cli.js';
import { BUILT_IN_ROLE_SIDS, DEVELOPER_ROLE_SID } from '../../src/rules/role-catalogue.js';

const SUPPORT = BUILT_IN_ROLE_SIDS.account.Support;

const SLOW = 180000;

let db: CliDatabase;
let orgSid: string;
let ownerSid: string;
let token: { id: string; token: string };
let eveSid: string;
let accountSid: string;

/** Opens the runtime in this process (PGlite: only while no CLI runs). */
async function withRuntime<T>(work: (rt: Awaited<ReturnType<typeof createRuntime>>) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

beforeAll(async () => {
  db = await cliDatabase();
  ({ orgSid, ownerSid } = (await cliJson(['org', 'create', '--name', 'Provisioned', '--owner', 'owner@scim.example'], db.env)) as { orgSid: string; ownerSid: string });
  token = (await cliJson(['scim-token', 'create', '--org', orgSid, '--description', 'Okta'], db.env)) as { id: string; token: string };
  await withRuntime(async (rt) => {
    await addVerifiedDomain(rt, orgSid, 'scim.example');
    eveSid = (await addMember(rt, orgSid, 'eve@scim.example', 'standard')).sid;
    accountSid = (await rt.services.accounts.create({ kind: 'operator' }, orgSid, { name: 'Production', usage: 'twilio', ownerSid })).sid;
    const actor = await rt.services.scimTokens.authenticate(token.token);
    await rt.services.scimGroups.create(actor, { displayName: 'Engineering', externalId: null, members: [eveSid] });
  });
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('orgward scim-group', () => {
  it('R-C5: --preview shows the effective access without saving; map saves it and list shows it', async () => {
    const args = ['scim-group', 'map', '--org', orgSid, '--group', 'engineering', '--role', 'admin', '--account', accountSid];
    const preview = await cliJson([...args, '--preview'], db.env);
    expect(preview).toMatchObject({
      preview: true, group: 'engineering', role: 'admin', accountSids: [accountSid], mapped: true,
      groups: [{ displayName: 'Engineering' }],
      members: [{ userSid: eveSid, email: 'eve@scim.example', role: 'admin', accountSids: [accountSid], before: { role: 'standard', accountSids: [] }, changed: true }],
    });
    expect(await cliJson(['scim-group', 'list', '--org', orgSid], db.env)).toEqual({ mappings: [] });

    expect(await cliJson(args, db.env)).toMatchObject({ preview: false, mapped: true, members: [{ userSid: eveSid, role: 'admin', changed: true }] });
    expect(await cliJson(['scim-group', 'list', '--org', orgSid], db.env)).toEqual({
      mappings: [{ group: 'engineering', role: 'admin', accountSids: [accountSid], accountRoles: [{ accountSid, roleSid: DEVELOPER_ROLE_SID }], updatedAt: expect.any(String) }],
    });
  }, SLOW);

  it('R-C5, R1: --account AC…:ROLE maps the group to a role on the account (by name or IX SID); plain AC… stays Developer', async () => {
    const out = await cliJson(['scim-group', 'map', '--org', orgSid, '--group', 'engineering', '--role', 'admin',
      '--account', accountSid, `${accountSid}:billing manager`, `${accountSid}:${SUPPORT}`], db.env);
    expect(out).toMatchObject({ mapped: true, accountSids: [accountSid] });
    expect((out.accountRoles as unknown[]).length).toBe(3);
    expect(out.accountRoles).toEqual(expect.arrayContaining([
      { accountSid, roleSid: DEVELOPER_ROLE_SID }, { accountSid, roleSid: BUILT_IN_ROLE_SIDS.account['Billing Manager'] }, { accountSid, roleSid: SUPPORT },
    ]));
    const listed = await cliJson(['role-assignment', 'list', '--org', orgSid, '--identity', eveSid, '--scope', accountSid], db.env);
    expect((listed.roleAssignments as { roleSid: string; source: string }[]).map((a) => `${a.source}:${a.roleSid}`).sort())
      .toEqual([DEVELOPER_ROLE_SID, BUILT_IN_ROLE_SIDS.account['Billing Manager'], SUPPORT].map((r) => `scim:${r}`).sort());
    const bad = await cliJson(['scim-group', 'map', '--org', orgSid, '--group', 'engineering', '--account', `${accountSid}:Janitor`], db.env, 1);
    expect(bad.error).toMatchObject({ code: 'not_found' });
  }, SLOW);

  it('refuses an account that is not the organization\'s', async () => {
    const out = await cliJson(['scim-group', 'map', '--org', orgSid, '--group', 'x', '--account', `AC${'0'.repeat(32)}`], db.env, 1);
    expect(out.error).toMatchObject({ code: 'invalid_input', details: { accountSids: [`AC${'0'.repeat(32)}`] } });
  }, SLOW);
});

describe('orgward scim-token', () => {
  it('R-C1: revoke stops the token at once; revoking again reports it', async () => {
    expect(await cliJson(['scim-token', 'revoke', '--org', orgSid, token.id], db.env)).toEqual({ id: token.id, revoked: true });
    expect(await cliJson(['scim-token', 'revoke', '--org', orgSid, token.id], db.env)).toEqual({ id: token.id, revoked: false });
    await withRuntime(async (rt) => {
      await expect(rt.services.scimTokens.authenticate(token.token)).rejects.toMatchObject({ code: 'scim_token_invalid' });
    });
    const listed = await cliJson(['scim-token', 'list', '--org', orgSid], db.env);
    expect(listed.tokens).toEqual([expect.objectContaining({ id: token.id, description: 'Okta', revokedAt: expect.any(String) })]);
  }, SLOW);
});
