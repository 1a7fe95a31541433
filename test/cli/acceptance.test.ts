/**
 * The CLI contract end to end, as a real child process on the configured database: migrate,
 * create an organization, register a domain, verify it against a real DNS server on loopback,
 * create a SCIM token (and check it authenticates), set the domain policy, invite a user, change
 * operator settings, and read the audit log, which records
 * every change as made by the operator (L1). Each command prints exactly one JSON object.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { cliDatabase, cliJson, runCli, SID, type CliDatabase } from './run-cli.js';

const SLOW = 240000;

let db: CliDatabase;
let dns: TestDnsServer;
let env: Record<string, string>;
beforeAll(async () => {
  db = await cliDatabase();
  dns = await startDnsServer();
  env = { ...db.env, DNS_SERVERS: dns.address };
}, SLOW);
afterAll(async () => {
  await dns.close();
  await db.close();
}, SLOW);

describe(`orgward CLI end to end (${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  it('migrate applies what is pending once, then reports the schema current', async () => {
    const first = await cliJson(['migrate'], env);
    // PostgreSQL test databases are clones of a migrated template; PGlite starts empty.
    expect(first).toEqual({ applied: db.kind === 'pglite' ? expect.arrayContaining(['20261123000000_create_foundation']) : [] });
    expect(await cliJson(['migrate'], env)).toEqual({ applied: [] });
    const human = await runCli(['migrate'], env);
    expect(human).toMatchObject({ code: 0, stdout: 'The database schema is current.\n' });
  }, SLOW);

  it('creates an organization, registers and verifies its domain over real DNS, sets the policy, invites, and records it all as the operator', async () => {
    const org = await cliJson(['org', 'create', '--name', 'Acme Corp', '--owner', 'Owner@Acme.example'], env);
    expect(org).toEqual({ orgSid: expect.stringMatching(SID('OR')), ownerSid: expect.stringMatching(SID('US')) });
    const orgSid = org.orgSid as string;

    const domain = await cliJson(['domain', 'add', '--org', orgSid, 'WWW.Acme.Example.'.slice(4)], env);
    expect(domain).toEqual({ domain: 'acme.example', txtName: expect.stringMatching(/\.acme\.example$/), txtValue: expect.any(String) });

    // Not published yet: refused with the record to publish, exit 1.
    const missing = await cliJson(['domain', 'verify', '--org', orgSid, 'acme.example'], env, 1);
    expect(missing).toEqual({
      error: { code: 'dns_txt_missing', message: expect.any(String), details: { txtName: domain.txtName, txtValue: domain.txtValue } },
    });

    dns.publish(domain.txtName as string, domain.txtValue as string);
    expect(await cliJson(['domain', 'verify', '--org', orgSid, 'acme.example'], env)).toEqual({ domain: 'acme.example', verified: true });
    expect(dns.queries(domain.txtName as string)).toBeGreaterThanOrEqual(2);

    // C1: the token printed once is the one the SCIM endpoint accepts for this organization.
    const scim = await cliJson(['scim-token', 'create', '--org', orgSid], env);
    expect(scim).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), token: expect.stringMatching(/^scim_/) });
    const runtime = await createRuntime(loadConfig(env), silentLogger);
    try {
      expect(await runtime.services.scimTokens.authenticate(scim.token as string)).toMatchObject({ kind: 'scim', tokenId: scim.id, orgSid });
    } finally {
      await runtime.close();
    }
    expect(await cliJson(['scim-token', 'list', '--org', orgSid], env)).toEqual({
      tokens: [{ id: scim.id, description: null, createdBy: 'operator', createdAt: expect.any(String), lastUsedAt: expect.any(String), revokedAt: null }],
    });

    expect(await cliJson(['domain', 'policy', '--org', orgSid, 'acme.example', 'auto-enrollment'], env))
      .toEqual({ domain: 'acme.example', policy: 'auto-enrollment' });
    expect(await cliJson(['domain', 'list', '--org', orgSid], env)).toEqual({
      domains: [{
        domain: 'acme.example', verified: true, verifiedAt: expect.any(String), policy: 'auto-enrollment', ssoEnforced: false,
        txtName: domain.txtName, txtValue: domain.txtValue,
      }],
    });

    const invited = await cliJson(['user', 'invite', '--org', orgSid, 'Ada@acme.example', '--role', 'admin'], env);
    expect(invited).toEqual({ invitationId: expect.any(String), email: 'ada@acme.example', role: 'admin', expiresAt: expect.any(String) });
    expect(await cliJson(['user', 'invitations', '--org', orgSid], env)).toEqual({ invitations: [invited] });

    expect(await cliJson(['org', 'set', '--org', orgSid, '--account-limit', '25', '--bulk-import', 'on', '--baa', 'on'], env)).toEqual({
      orgSid, name: 'Acme Corp', accountLimit: 25, bulkImportEnabled: true, baaExecutedAt: expect.any(String),
    });
    expect(await cliJson(['org', 'show', '--org', orgSid], env)).toEqual({
      orgSid, name: 'Acme Corp', accountLimit: 25, bulkImportEnabled: true, baaExecutedAt: expect.any(String),
      ownerSid: org.ownerSid, memberCount: 1, createdAt: expect.any(String),
    });

    const audit = await cliJson(['org', 'audit', '--org', orgSid], env);
    expect(audit.nextAfterId).toBeNull();
    const entries = audit.entries as { actor: string; action: string; target: string | null }[];
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ['operator', 'organization.created'],
      ['operator', 'user.joined'],
      ['operator', 'domain.added'],
      ['operator', 'domain.verified'],
      ['operator', 'scim.token_created'],
      ['operator', 'domain.policy_changed'],
      ['operator', 'invitation.created'],
      ['operator', 'organization.settings_changed'],
    ]);
  }, SLOW);

  it('prints readable text without --json', async () => {
    const created = await runCli(['org', 'create', '--name', 'Readable', '--owner', 'owner@readable.example'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created organization OR[0-9a-f]{32}; its Owner is US[0-9a-f]{32}\.\n$/);
  }, SLOW);
});
