/**
 * Secrets at rest: SECRET_KEY is required with DATABASE_URL (several instances must share it), and
 * a key rotation runs end to end: SECRET_KEYS=new,old opens both, `orgward secrets reencrypt`
 * moves every value to the new key, and the old key can then be removed.
 */
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { baseEnv, cliDatabase, cliJson, runCli, ROOT, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
const OLD = 'a1'.repeat(32);
const NEW = Buffer.alloc(32, 0xb2).toString('base64');

describe('SECRET_KEY with DATABASE_URL', () => {
  const env = { ...baseEnv(), DATABASE_URL: 'postgres://orgward@127.0.0.1:1/orgward' };

  it('the CLI refuses to start without it: exit 2, saying why and how to make one', async () => {
    const run = await runCli(['migrate', '--json'], env);
    expect(run.code).toBe(2);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('SECRET_KEY is required with DATABASE_URL');
    expect(error.message).toContain('openssl rand -hex 32');
  }, SLOW);

  it('the server refuses to start without it: exit 2', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...env, PORT: '0' }, encoding: 'utf8', timeout: 60000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SECRET_KEY is required with DATABASE_URL');
  }, SLOW);
});

describe('key rotation end to end', () => {
  let db: CliDatabase;
  beforeAll(async () => { db = await cliDatabase(); }, SLOW);
  afterAll(async () => { await db.close(); }, SLOW);

  /** The SSO connections' secrets as the services open them under `keys`. */
  async function openSecrets(keys: Record<string, string>, ids: { saml: string; oidc: string }) {
    const { SECRET_KEY: _k, SECRET_KEYS: _ks, ...rest } = db.env;
    const runtime = await createRuntime(loadConfig({ ...rest, ...keys }), silentLogger);
    try {
      const saml = await runtime.services.sso.samlSettings(ids.saml);
      const oidc = await runtime.services.sso.oidcSettings(ids.oidc);
      return { spPrivateKey: saml.spPrivateKey.split('\n')[0], clientSecret: oidc.clientSecret };
    } finally {
      await runtime.close();
    }
  }

  it('encrypts with the old key, rotates, re-encrypts, and reads the data with the new key alone', async () => {
    const { SECRET_KEY: _k, ...rest } = db.env;
    const oldEnv = { ...rest, SECRET_KEY: OLD };
    const orgSid = (await cliJson(['org', 'create', '--name', 'Rotation', '--owner', 'owner@rotation.example'], oldEnv)).orgSid as string;
    const certFile = `${db.dataDir}/idp.pem`;
    const { createSpKeyPair } = await import('../../src/services/sso-certificate.js');
    (await import('node:fs')).writeFileSync(certFile, createSpKeyPair('idp.example', new Date()).certificate);
    const saml = (await cliJson(['sso', 'add-saml', '--org', orgSid, '--idp-entity-id', 'https://idp.example', '--sso-url', 'https://idp.example/sso', '--cert', certFile], oldEnv)).connectionId as string;
    const oidc = (await cliJson(['sso', 'add-oidc', '--org', orgSid, '--issuer', 'https://login.example', '--client-id', 'orgward', '--client-secret', 'very-secret-value'], oldEnv)).connectionId as string;
    const ids = { saml, oidc };
    const plain = { spPrivateKey: '-----BEGIN PRIVATE KEY-----', clientSecret: 'very-secret-value' };
    expect(await openSecrets({ SECRET_KEY: OLD }, ids)).toEqual(plain);
    // The new key alone cannot open what the old one sealed.
    await expect(openSecrets({ SECRET_KEY: NEW }, ids)).rejects.toThrow(/none of the configured keys/);

    // Rotation: the new key first (it encrypts), the old one after it (it only decrypts).
    const rotating = { ...rest, SECRET_KEYS: `${NEW},${OLD}` };
    expect(await openSecrets({ SECRET_KEYS: `${NEW},${OLD}` }, ids)).toEqual(plain);
    const first = await cliJson(['secrets', 'reencrypt'], rotating);
    expect(first).toEqual({
      reencrypted: 2,
      tables: {
        second_factors: { reencrypted: 0, unchanged: 0 },
        sign_in_challenges: { reencrypted: 0, unchanged: 0 },
        sso_connections: { reencrypted: 2, unchanged: 0 },
        sso_oidc_transactions: { reencrypted: 0, unchanged: 0 },
        oidc_signing_keys: { reencrypted: 0, unchanged: 0 },
        webhook_endpoints: { reencrypted: 0, unchanged: 0 },
      },
    });
    expect((await cliJson(['secrets', 'reencrypt'], rotating)).tables.sso_connections).toEqual({ reencrypted: 0, unchanged: 2 });

    // The old key removed: everything still reads; the old key alone no longer opens anything.
    expect(await openSecrets({ SECRET_KEY: NEW }, ids)).toEqual(plain);
    await expect(openSecrets({ SECRET_KEY: OLD }, ids)).rejects.toThrow(/none of the configured keys/);

    // A value sealed with a key that is not configured stops the run with the fix, changing nothing.
    const missing = await cliJson(['secrets', 'reencrypt'], { ...rest, SECRET_KEYS: `${OLD}` }, 1);
    expect(missing.error).toMatchObject({ code: 'secret_key_missing', message: expect.stringContaining('SECRET_KEYS=new,old') });
    expect(await openSecrets({ SECRET_KEY: NEW }, ids)).toEqual(plain);
  }, SLOW);
});
