/**
 * Acceptance (issue 13): a product app, with openid-client as its relying party, signs a person
 * in through Orgward (password + TOTP), reads the claims, and loses the person at once when SCIM
 * suspends them: the back-channel logout arrives, signed with the published keys, and the refresh
 * token and userinfo fail. Runs on PostgreSQL and PGlite.
 */
import * as client from 'openid-client';
import request from 'supertest';
import { createTestContext } from '../../support/app.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createOidcLogoutWorker } from '../../../src/jobs/oidc-logout-worker.js';
import { BUILT_IN_ROLE_SIDS } from '../../../src/rules/role-catalogue.js';
import { addAccount, OPERATOR } from '../../support/fixtures.js';
import { createScimOrg, patchBody, type ScimOrg } from '../../support/scim-fixtures.js';
import { signInWithPassword, userWithPassword } from '../auth/support.js';
import { authorizationUrl, browser, follow, registerApp, REDIRECT_URI, startHarness, type Harness } from './support.js';

let h: Harness;
let org: ScimOrg;

beforeAll(async () => {
  h = await startHarness();
  org = await createScimOrg(h.ctx);
});
afterAll(async () => { await h.close(); });

async function signInThroughApp(email: string, app: Awaited<ReturnType<typeof registerApp>>) {
  const agent = browser(h);
  const start = await authorizationUrl(app);
  const first = await follow(h, agent, start.url);
  // Not signed in to Orgward: the provider hands the browser to Orgward's own sign-in page.
  expect(first.page?.path).toMatch(/^\/login\?next=%2Foauth%2Finteraction%2F/);
  await signInWithPassword(h.ctx, agent, email);
  const back = await follow(h, agent, '/login');
  expect(back.callback?.href.startsWith(REDIRECT_URI)).toBe(true);
  const tokens = await client.authorizationCodeGrant(app.config, back.callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  return { agent, tokens };
}

describe('a product app signs a person in through Orgward', () => {
  it('password + TOTP, claims in the ID token and userinfo (R2-R5 accounts), then SCIM suspension logs the app out (C3)', async () => {
    const person = await userWithPassword(h.ctx, `dev@${org.domain}`, org.org.sid, 'standard');
    const prod = await addAccount(h.ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, name: 'Production' });
    const sub = await addAccount(h.ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, name: 'Prod EU', parentSid: prod.sid });
    await addAccount(h.ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, name: 'Not theirs' });
    await h.ctx.services.roleAssignments.create(OPERATOR, org.org.sid, { identity: person.sid, scope: prod.sid, roleSid: BUILT_IN_ROLE_SIDS.account.Developer });
    const app = await registerApp(h);

    const { tokens } = await signInThroughApp(person.email, app);
    const idToken = tokens.claims()!;
    expect(idToken.iss).toBe(h.baseUrl);
    expect(idToken.sub).toBe(person.sid);
    expect(idToken.email).toBe(person.email);
    expect(idToken.email_verified).toBe(true);
    expect(idToken.org).toEqual({ id: org.org.sid, name: org.org.name });
    expect(idToken.org_role).toBe('standard');
    expect(idToken.amr).toEqual(['pwd', 'otp']);
    // R3: exactly the assigned account; R4: its subaccount through the parent; never the others.
    const accounts = idToken.accounts as { id: string; name: string; roles: string[]; permissions: string[] }[];
    expect(accounts.map((a) => a.id).sort()).toEqual([prod.sid, sub.sid].sort());
    expect(accounts.find((a) => a.id === prod.sid)!.roles).toEqual(['Developer']);
    expect(tokens.refresh_token).toBeTruthy();

    const info = await client.fetchUserInfo(app.config, tokens.access_token, person.sid);
    expect(info).toMatchObject({ sub: person.sid, email: person.email, org_role: 'standard', amr: ['pwd', 'otp'] });

    // Claims are computed at each issuance: a role change shows at the next refresh.
    await h.ctx.store.transaction((repos) => repos.users.setRole(person.sid, org.org.sid, 'admin'));
    const refreshed = await client.refreshTokenGrant(app.config, tokens.refresh_token!);
    expect(refreshed.claims()!.org_role).toBe('admin');
    const adminAccounts = refreshed.claims()!.accounts as { id: string; permissions: string[]; roles: string[] }[];
    expect(adminAccounts.find((a) => a.id === prod.sid)!.permissions).toEqual(['*']);
    expect(adminAccounts.find((a) => a.id === prod.sid)!.roles).toContain('Administrator');

    // C3: the IdP deactivates the person through SCIM.
    await org.client.patch(`/Users/${person.sid}`, patchBody({ op: 'replace', path: 'active', value: false })).expect(200);

    // The refresh token and the access token stop working at once.
    await expect(client.refreshTokenGrant(app.config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(app.config, refreshed.access_token, person.sid)).rejects.toBeDefined();
    const introspected = await client.tokenIntrospection(app.config, refreshed.refresh_token!);
    expect(introspected.active).toBe(false);

    // The app is told over the back channel, with a logout token signed by the published keys.
    const worker = createOidcLogoutWorker({ oidcLogout: h.ctx.services.oidcLogout, logger: h.ctx.services.deps.logger });
    expect(await worker.runOnce()).toBe(1);
    expect(h.logouts).toHaveLength(1);
    const token = new URLSearchParams(h.logouts[0]!.body).get('logout_token')!;
    const jwks = createRemoteJWKSet(new URL(`${h.baseUrl}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: h.baseUrl, audience: app.clientId, typ: 'logout+jwt' });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(person.sid);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    // Delivered once: nothing is due any more.
    expect(await worker.runOnce()).toBe(0);
  });

  it('shared state: a refresh token issued by one instance is rotated by another over the same database', async () => {
    const person = await userWithPassword(h.ctx, `two@${org.domain}`, org.org.sid, 'standard');
    const app = await registerApp(h);
    const { tokens } = await signInThroughApp(person.email, app);
    const other = await createTestContext({ testDb: h.ctx.testDb, baseUrl: h.baseUrl });
    try {
      const res = await request(other.app).post('/v1/token').auth(app.clientId, app.clientSecret!)
        .type('form').send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).not.toBe(tokens.refresh_token);
      // The first instance now sees the old token as used (rotation is shared): reuse is refused.
      await expect(client.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    } finally {
      await other.close();
    }
  });
});
