/**
 * `orgward app …` and `orgward oidc rotate-keys` (issue 13): one JSON object on stdout, the
 * secret shown once (none for a public app), stored only as a digest, list without secrets,
 * delete; rotation keeps the former key published.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { hashToken } from '../../src/security/tokens.js';
import { cliDatabase, cliJson, type CliDatabase } from './run-cli.js';

const SLOW = 180000;
let db: CliDatabase;

beforeAll(async () => { db = await cliDatabase(); }, SLOW);
afterAll(async () => { await db.close(); }, SLOW);

it('creates a confidential and a public app, lists them without secrets, deletes one', async () => {
  const confidential = (await cliJson(['app', 'create', '--name', 'Console', '--redirect-uri', 'https://app.example/cb', '--redirect-uri', 'https://app.example/cb2',
    '--backchannel-logout-uri', 'https://app.example/logout'], db.env)) as Record<string, string>;
  expect(confidential).toEqual({ clientId: expect.stringMatching(/^AP[0-9a-f]{32}$/), clientSecret: expect.any(String) });
  const pub = (await cliJson(['app', 'create', '--name', 'SPA', '--redirect-uri', 'http://localhost:5173/cb', '--public'], db.env)) as Record<string, string>;
  expect(pub).toEqual({ clientId: expect.stringMatching(/^AP[0-9a-f]{32}$/) });

  const listed = (await cliJson(['app', 'list'], db.env)) as { apps: Record<string, unknown>[] };
  expect(listed.apps).toEqual([
    expect.objectContaining({ clientId: confidential.clientId, name: 'Console', public: false, redirectUris: ['https://app.example/cb', 'https://app.example/cb2'], backchannelLogoutUri: 'https://app.example/logout' }),
    expect.objectContaining({ clientId: pub.clientId, name: 'SPA', public: true, backchannelLogoutUri: null }),
  ]);
  expect(JSON.stringify(listed)).not.toContain(confidential.clientSecret);

  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    // Stored as a digest only.
    expect((await runtime.store.read.oidcApps.get(confidential.clientId!))!.secretHash).toBe(hashToken(confidential.clientSecret!));
  } finally {
    await runtime.close();
  }

  expect(await cliJson(['app', 'delete', pub.clientId!], db.env)).toEqual({ clientId: pub.clientId, deleted: true });
  expect(await cliJson(['app', 'delete', pub.clientId!], db.env, 1)).toEqual({ error: expect.objectContaining({ code: 'not_found' }) });
}, SLOW);

it('refuses a redirect URI that is not https (outside loopback) or has a fragment', async () => {
  expect(await cliJson(['app', 'create', '--name', 'Bad', '--redirect-uri', 'http://app.example/cb'], db.env, 1)).toEqual({ error: expect.objectContaining({ code: 'invalid_input' }) });
  expect(await cliJson(['app', 'create', '--name', 'Bad', '--redirect-uri', 'https://app.example/cb#x'], db.env, 1)).toEqual({ error: expect.objectContaining({ code: 'invalid_input' }) });
}, SLOW);

it('rotates the signing keys: the new key signs, the former stays published', async () => {
  const first = (await cliJson(['oidc', 'rotate-keys'], db.env)) as { kid: string; retired: string[] };
  const second = (await cliJson(['oidc', 'rotate-keys'], db.env)) as { kid: string; retired: string[]; retiredPublishedUntil: string };
  expect(second.retired).toEqual([first.kid]);
  expect(new Date(second.retiredPublishedUntil).getTime()).toBeGreaterThan(Date.now() + 3600_000);
  const runtime = await createRuntime(loadConfig(db.env), silentLogger);
  try {
    const keys = await runtime.services.oidcKeys.published();
    expect(keys.keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
  } finally {
    await runtime.close();
  }
}, SLOW);
