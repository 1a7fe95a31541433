/**
 * `orgward sso …`: adding SAML and OIDC connections prints what the IdP needs, listing never shows
 * secrets, a test sign-in link is issued, and enforcement waits for a tested connection (S1).
 * The sign-in flows themselves are tested under test/http/sso.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { createSpKeyPair } from '../../src/services/sso-certificate.js';
import { addVerifiedDomain } from '../support/fixtures.js';
import { cliDatabase, cliJson, runCli, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
const BASE = 'https://orgward.example';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let db: CliDatabase;
let env: Record<string, string>;
let orgSid: string;
let certFile: string;
beforeAll(async () => {
  db = await cliDatabase();
  env = { ...db.env, BASE_URL: BASE };
  orgSid = (await cliJson(['org', 'create', '--name', 'Single Sign', '--owner', 'owner@sso.example'], env)).orgSid as string;
  const runtime = await createRuntime(loadConfig(env), silentLogger);
  try {
    await addVerifiedDomain(runtime, orgSid, 'sso.example');
  } finally {
    await runtime.close();
  }
  certFile = path.join(db.dataDir, 'idp.pem');
  fs.writeFileSync(certFile, createSpKeyPair('idp.example', new Date()).certificate);
}, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

describe('orgward sso', () => {
  it('adds SAML and OIDC connections, lists them without secrets, issues a test link, and refuses enforcement before a test sign-in', async () => {
    const saml = await cliJson(['sso', 'add-saml', '--org', orgSid, '--idp-entity-id', 'http://www.okta.com/exk1', '--sso-url', 'https://idp.example/sso', '--cert', certFile], env);
    expect(saml).toEqual({
      connectionId: expect.stringMatching(new RegExp(`^${UUID}$`)),
      spEntityId: `${BASE}/sso/saml/${saml.connectionId}`,
      acsUrl: `${BASE}/sso/saml/${saml.connectionId}/acs`,
      metadataUrl: `${BASE}/sso/saml/${saml.connectionId}/metadata`,
    });

    const oidc = await cliJson(['sso', 'add-oidc', '--org', orgSid, '--issuer', 'https://login.example', '--client-id', 'orgward', '--client-secret', 'very-secret-value'], env);
    expect(oidc).toEqual({
      connectionId: expect.stringMatching(new RegExp(`^${UUID}$`)),
      spEntityId: `${BASE}/sso/oidc/${oidc.connectionId}`,
      redirectUri: `${BASE}/sso/oidc/${oidc.connectionId}/callback`,
      metadataUrl: `${BASE}/sso/oidc/${oidc.connectionId}/metadata`,
    });

    const listed = await runCli(['sso', 'list', '--org', orgSid, '--json'], env);
    expect(listed.stdout).not.toContain('very-secret-value');
    const { connections } = JSON.parse(listed.stdout) as { connections: Record<string, unknown>[] };
    expect(connections.map((c) => [c.connectionId, c.protocol, c.testedAt]).sort()).toEqual(
      [[saml.connectionId, 'saml', null], [oidc.connectionId, 'oidc', null]].sort());

    expect(await cliJson(['sso', 'test', '--org', orgSid, saml.connectionId as string], env))
      .toEqual({ url: expect.stringMatching(new RegExp(`^${BASE}/sso/test/sst_`)), expiresAt: expect.any(String) });

    expect((await cliJson(['sso', 'enforce', '--org', orgSid, 'sso.example', 'on'], env, 1)).error.code).toBe('sso_not_ready');
    expect(await cliJson(['sso', 'enforce', '--org', orgSid, 'sso.example', 'off'], env)).toEqual({ domain: 'sso.example', ssoEnforced: false, sessionsRevoked: 0 });
  }, SLOW);

  it('R-S1: changing what a connection trusts says that a new test sign-in is required', async () => {
    const saml = await cliJson(['sso', 'add-saml', '--org', orgSid, '--idp-entity-id', 'http://www.okta.com/exk2', '--sso-url', 'https://idp.example/sso', '--cert', certFile], env);
    const id = saml.connectionId as string;
    expect(await cliJson(['sso', 'change-saml', '--org', orgSid, id, '--sso-url', 'https://idp.example/sso'], env))
      .toEqual({ connectionId: id, changed: [], testRequired: false });
    expect(await cliJson(['sso', 'change-saml', '--org', orgSid, id, '--sso-url', 'https://idp.example/other', '--idp-initiated', 'on'], env))
      .toEqual({ connectionId: id, changed: ['ssoUrl', 'allowIdpInitiated'], testRequired: true });
    const text = await runCli(['sso', 'change-saml', '--org', orgSid, id, '--idp-entity-id', 'http://www.okta.com/exk3'], env);
    expect(text.stdout).toContain(`orgward sso test --org … ${id}`);
    expect((await cliJson(['sso', 'change-oidc', '--org', orgSid, id, '--client-id', 'x'], env, 1)).error.code).toBe('invalid_input');
  }, SLOW);

  it('refuses an unreadable certificate file (usage, exit 2) and one that is not a certificate (exit 1)', async () => {
    const base = ['sso', 'add-saml', '--org', orgSid, '--idp-entity-id', 'idp', '--sso-url', 'https://idp.example/sso', '--cert'];
    expect(await cliJson([...base, '/nonexistent.pem'], env, 2))
      .toEqual({ error: { code: 'file_unreadable', message: 'Cannot read the certificate file /nonexistent.pem: ENOENT.' } });
    const junk = path.join(db.dataDir, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate');
    expect((await cliJson([...base, junk], env, 1)).error).toMatchObject({ code: 'invalid_input', message: 'Certificate 1 is not a PEM X.509 certificate.' });
  }, SLOW);
});
