/**
 * `orgward move-to-postgres`: an embedded Orgward in use (SSO and password sign-ins with TOTP, SCIM
 * provisioning) is copied into an empty PostgreSQL database by the real CLI; then Orgward runs on
 * PostgreSQL with the same secret key, and the SSO sign-in, the SCIM token, the TOTP factor and
 * the open session all keep working. Needs a PostgreSQL server: DATABASE_URL, or PG_URL (CI sets
 * it for the embedded run too).
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { manualClock } from '../../src/clock.js';
import { totpCode } from '../../src/services/totp.js';
import { createTestContext } from '../support/app.js';
import type { TestDb } from '../support/db.js';
import { scimClient } from '../support/scim-fixtures.js';
import { mintFor, postResponse, sessionCookieOf, startSaml } from '../http/sso/support.js';
import { PASSWORD, postForm } from '../http/auth/support.js';
import { baseEnv, CLI_SECRET_KEY, cliJson, onlyJson, runCli } from './run-cli.js';
import { embeddedTestDb, emptyPostgres, populate, POSTGRES_URL, tableContents, type Populated } from './backup-support.js';

const SLOW = 240000;

(POSTGRES_URL ? describe : describe.skip)('move-to-postgres', () => {
  let source: TestDb & { dataDir: string };
  let populated: Populated;
  let before: Record<string, string[]>;
  let target: Awaited<ReturnType<typeof emptyPostgres>>;
  // The embedded database's usual set-up: no SECRET_KEY, the key in DATA_DIR/secret.key.
  let env: Record<string, string>;

  beforeAll(async () => {
    source = await embeddedTestDb();
    const ctx = await createTestContext({ testDb: source });
    populated = await populate(ctx);
    await ctx.close();
    before = await tableContents(source.db);
    await source.db.destroy();
    fs.writeFileSync(path.join(source.dataDir, 'secret.key'), CLI_SECRET_KEY + '\n', { mode: 0o600 });
    env = { ...baseEnv(), DATA_DIR: source.dataDir };
    target = await emptyPostgres();
  }, SLOW);

  afterAll(async () => {
    await target?.drop();
    fs.rmSync(source.dataDir, { recursive: true, force: true });
  }, SLOW);

  it('copies every table into the empty database, prints the one setting to change and where the key is (never the key); a second move is refused', async () => {
    const run = await runCli(['move-to-postgres', '--to', target.url, '--json'], env);
    expect(run.code).toBe(0);
    const out = onlyJson(run);
    const counts = Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, rows.length]));
    expect(out).toEqual({
      copied: counts,
      set: { DATABASE_URL: target.url },
      secretKey: { from: path.join(source.dataDir, 'secret.key'), fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), note: expect.stringContaining('SECRET_KEY') },
    });
    expect(run.stdout + run.stderr).not.toContain(CLI_SECRET_KEY);
    expect(await tableContents(target.db)).toEqual(before);
    // The human form says what to set, and still not the key.
    const again = await runCli(['move-to-postgres', '--to', target.url], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('restore_target_not_empty');
    expect(await tableContents(target.db)).toEqual(before);
    // DATABASE_URL set: the command is about the embedded database; a usage error.
    expect((await cliJson(['move-to-postgres', '--to', target.url], { ...env, DATABASE_URL: target.url, SECRET_KEY: CLI_SECRET_KEY }, 2)).error.code).toBe('usage');
  }, SLOW);

  it('Orgward on PostgreSQL after the move: the open session, an SSO sign-in, a SCIM request with the existing token and a password sign-in with TOTP all work', async () => {
    const testDb: TestDb = { db: target.db, url: target.url, kind: 'postgresql', destroy: async () => undefined };
    const ctx = await createTestContext({ testDb, clock: manualClock(new Date()) });
    try {
      // The session opened on the embedded database.
      const me = await request(ctx.app).get('/api/v1/me').set('Cookie', populated.passwordUser.cookie).expect(200);
      expect(me.body).toMatchObject({ email: populated.passwordUser.email, signInMethod: 'password' });

      // SCIM with the token issued before the move.
      const scim = scimClient(ctx.app, populated.scimToken);
      const users = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "bob@${populated.domain}"`)}`).expect(200);
      expect(users.body.totalResults).toBe(1);
      expect(users.body.Resources[0].externalId).toBe('okta-bob');

      // SAML: the AuthnRequest is signed with the connection's sealed SP key; the sign-in completes.
      const agent = request.agent(ctx.app);
      const { requestId, relayState } = await startSaml(agent, `alice@${populated.domain}`);
      const xml = await mintFor(populated.saml, { email: `alice@${populated.domain}`, inResponseTo: requestId });
      const sso = await postResponse(agent, populated.saml.connectionId, xml, relayState).expect(303);
      const ssoMe = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(sso)!).expect(200);
      expect(ssoMe.body).toMatchObject({ email: `alice@${populated.domain}`, signInMethod: 'saml' });

      // Password then the TOTP factor enrolled before the move (its seed sealed with the same key),
      // a minute later so the code is not a replay of the one used then.
      ctx.clock.set(new Date(Date.now() + 60_000));
      const browser = request.agent(ctx.app);
      const password = await postForm(browser, '/login/password', { email: populated.passwordUser.email, password: PASSWORD });
      expect(password.headers.location).toBe('/login/second-factor');
      const done = await postForm(browser, '/login/second-factor', { code: totpCode(populated.passwordUser.totpSecret, ctx.clock.now()) });
      expect(done.status).toBe(303);
      const totpMe = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(done)!).expect(200);
      expect(totpMe.body.email).toBe(populated.passwordUser.email);
    } finally {
      await ctx.close();
    }
  }, SLOW);
});
