/**
 * `orgward domain remove` of a verified domain that members use needs --force and says what will
 * change (members on it, SSO, policy); `orgward domain holder` shows who verified a domain (D4).
 * Real child processes on the configured database, DNS on loopback.
 */
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { cliDatabase, cliJson, runCli, type CliDatabase } from './run-cli.js';

const SLOW = 240000;

let db: CliDatabase;
let dns: TestDnsServer;
let env: Record<string, string>;
beforeAll(async () => {
  db = await cliDatabase();
  dns = await startDnsServer();
  env = { ...db.env, DNS_SERVERS: dns.address };
  await cliJson(['migrate'], env);
}, SLOW);
afterAll(async () => {
  await dns.close();
  await db.close();
}, SLOW);

describe('orgward domain remove (D4, D6, U5)', () => {
  it('R-D4: refuses a verified domain in use without --force, saying what changes; removes it with --force', async () => {
    const { orgSid } = await cliJson(['org', 'create', '--name', 'Removers', '--owner', 'owner@remove.example'], env);
    const added = await cliJson(['domain', 'add', '--org', orgSid, 'remove.example'], env);
    dns.publish(added.txtName as string, added.txtValue as string);
    await cliJson(['domain', 'verify', '--org', orgSid, 'remove.example'], env);
    await cliJson(['domain', 'policy', '--org', orgSid, 'remove.example', 'auto-enrollment'], env);
    expect(await cliJson(['domain', 'holder', 'remove.example'], env)).toMatchObject({ domain: 'remove.example', orgSid, orgName: 'Removers' });

    const refused = await cliJson(['domain', 'remove', '--org', orgSid, 'remove.example'], env, 1);
    expect(refused).toEqual({
      error: {
        code: 'domain_in_use', message: expect.stringContaining('--force'),
        details: expect.objectContaining({ domain: 'remove.example', membersOnDomain: 1, ssoEnforced: false, policy: 'auto_enrollment' }),
      },
    });
    const human = await runCli(['domain', 'remove', '--org', orgSid, 'remove.example'], env);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/domain_in_use.*1 member.*auto-enrollment policy stops applying.*--force/s);
    expect(await cliJson(['domain', 'list', '--org', orgSid], env)).toMatchObject({ domains: [{ domain: 'remove.example', verified: true }] });

    const removed = await cliJson(['domain', 'remove', '--org', orgSid, 'remove.example', '--force'], env);
    expect(removed).toMatchObject({ domain: 'remove.example', removed: true, summary: { membersOnDomain: 1 } });
    expect(await cliJson(['domain', 'list', '--org', orgSid], env)).toEqual({ domains: [] });
  }, SLOW);
});
