/**
 * The OpenID provider's guarantees to the product (issue 13): sign-in is Orgward's own, so an app
 * never bypasses SSO enforcement (S7); SSO sign-in through the mocked IdP gives amr "saml";
 * redirect URIs are exact; public apps must use PKCE; refresh tokens rotate and a reused one ends
 * the grant; both client authentication methods work and a wrong secret does not; an app never
 * gets an Organizations API token; the signing keys rotate with the old key published until its
 * tokens expire; a too large accounts claim is left out. PostgreSQL and PGlite.
 */
import * as client from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { addVerifiedDomain, asUser, createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { signInWithPassword, userWithPassword } from '../auth/support.js';
import { mintFor, postResponse, samlConnection, startSaml } from '../sso/support.js';
import { RETIRED_KEY_PUBLISHED_MS } from '../../../src/services/oidc-keys.js';
import { authorizationUrl, browser, follow, registerApp, REDIRECT_URI, startHarness, type Agent, type Harness, type ProductApp } from './support.js';

let h: Harness;
let n = 0;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

async function orgOnDomain() {
  const domain = `corp${++n}.test`;
  const o = await createOrgWithOwner(h.ctx, { ownerEmail: `owner@${domain}` });
  await addVerifiedDomain(h.ctx, o.org.sid, domain, 'auto_enrollment');
  return { ...o, domain };
}

/** Signs in with password + TOTP through the app and returns the tokens. */
async function passwordSignIn(app: ProductApp, email: string, agent: Agent = browser(h)) {
  const start = await authorizationUrl(app);
  const first = await follow(h, agent, start.url);
  expect(first.page?.path).toMatch(/^\/login\?next=/);
  await signInWithPassword(h.ctx, agent, email);
  const back = await follow(h, agent, '/login');
  const tokens = await client.authorizationCodeGrant(app.config, back.callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  return { agent, tokens };
}

describe('sign-in is Orgward\'s own (S7)', () => {
  it('R-S7: an app cannot get a password sign-in for a person on an SSO-enforced domain, login_hint or not', async () => {
    const o = await orgOnDomain();
    const conn = await samlConnection(h.ctx, o.org.sid);
    await h.ctx.services.sso.setEnforcement(OPERATOR, o.org.sid, o.domain, true);
    const person = await userWithPassword(h.ctx, `pat@${o.domain}`, o.org.sid);
    const app = await registerApp(h);
    const agent = browser(h);
    const start = await authorizationUrl(app, { login_hint: person.email, prompt: 'login consent' });
    const first = await follow(h, agent, start.url);
    expect(first.page?.path).toMatch(/^\/login\?next=%2Foauth%2Finteraction%2F/);
    // The password step refuses; the email step sends the browser to the organization's IdP.
    const page = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const refused = await agent.post('/login/password').type('form').send({ email: person.email, password: 'correct horse battery staple', _csrf: csrf });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('<code>sso_required</code>');
    const back = await follow(h, agent, '/login');
    expect(back.callback).toBeUndefined();
    expect(conn.connectionId).toBeTruthy();
  });

  it('R-S7: switching enforcement on ends what a password sign-in gave the app: refresh fails, prompt=none needs a sign-in', async () => {
    const o = await orgOnDomain();
    await samlConnection(h.ctx, o.org.sid);
    const person = await userWithPassword(h.ctx, `lee@${o.domain}`, o.org.sid);
    const app = await registerApp(h);
    const { agent, tokens } = await passwordSignIn(app, person.email);
    await h.ctx.services.sso.setEnforcement(asUser(o.owner), o.org.sid, o.domain, true);
    await expect(client.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const silent = await authorizationUrl(app, { prompt: 'none', scope: 'openid' });
    const back = await follow(h, agent, silent.url);
    expect(back.callback?.searchParams.get('error')).toBe('login_required');
    expect(back.callback?.searchParams.get('code')).toBeNull();
  });

  it('R-S2: SSO through the IdP signs the person in to the app, with amr saml', async () => {
    const o = await orgOnDomain();
    const conn = await samlConnection(h.ctx, o.org.sid);
    await h.ctx.services.sso.setEnforcement(OPERATOR, o.org.sid, o.domain, true);
    const app = await registerApp(h);
    const agent = browser(h);
    const start = await authorizationUrl(app);
    await follow(h, agent, start.url);
    const email = `sam@${o.domain}`;
    const saml = await startSaml(agent, email);
    const acs = await postResponse(agent, conn.connectionId, await mintFor(conn, { email, inResponseTo: saml.requestId }), saml.relayState);
    expect(acs.status).toBe(303);
    const back = await follow(h, agent, acs.headers.location!);
    const tokens = await client.authorizationCodeGrant(app.config, back.callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
    const claims = tokens.claims()!;
    expect(claims.email).toBe(email);
    expect(claims.amr).toEqual(['saml']);
    expect(claims.org).toEqual({ id: o.org.sid, name: o.org.name });
    expect(claims.org_role).toBe('standard');
  });
});

describe('clients and tokens', () => {
  it('discovery: the issuer is BASE_URL, with the endpoints the app needs', async () => {
    const res = await fetch(`${h.baseUrl}/.well-known/openid-configuration`);
    const doc = await res.json() as Record<string, unknown>;
    expect(doc.issuer).toBe(h.baseUrl);
    expect(doc.token_endpoint).toBe(`${h.baseUrl}/v1/token`);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.backchannel_logout_supported).toBe(true);
    expect(doc.end_session_endpoint).toBe(`${h.baseUrl}/oauth/logout`);
    expect(doc.introspection_endpoint).toBe(`${h.baseUrl}/oauth/introspect`);
    expect(doc.revocation_endpoint).toBe(`${h.baseUrl}/oauth/revoke`);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'email', 'organization']));
  });

  it('a redirect URI that is not registered exactly is refused without a redirect', async () => {
    const app = await registerApp(h);
    const agent = browser(h);
    for (const uri of [`${REDIRECT_URI}/`, `${REDIRECT_URI}?x=1`, 'http://localhost:4999/callbacK', 'https://evil.example/callback']) {
      const start = await authorizationUrl(app, { redirect_uri: uri });
      const res = await agent.get(start.url.slice(h.baseUrl.length)).redirects(0);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('a public app must use PKCE with S256', async () => {
    const app = await registerApp(h, { public: true });
    const agent = browser(h);
    const noPkce = client.buildAuthorizationUrl(app.config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 's' });
    const back = await follow(h, agent, noPkce.href);
    expect(back.callback?.searchParams.get('error')).toBe('invalid_request');
    const plain = client.buildAuthorizationUrl(app.config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect((await follow(h, agent, plain.href)).callback?.searchParams.get('error')).toBe('invalid_request');
  });

  it('a public app signs in with PKCE and no secret; refresh tokens rotate and a reused one ends the grant', async () => {
    const person = await userWithPassword(h.ctx, `pub${++n}@nowhere.test`, null);
    const app = await registerApp(h, { public: true });
    const { tokens } = await passwordSignIn(app, person.email);
    expect(tokens.claims()!.org).toBeNull();
    const second = await client.refreshTokenGrant(app.config, tokens.refresh_token!);
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    // Reuse of the rotated-out token: refused, and the grant with the new token ends too.
    await expect(client.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(app.config, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('two refreshes with one refresh token at once: exactly one succeeds, and the grant ends', async () => {
    const person = await userWithPassword(h.ctx, `race${++n}@nowhere.test`, null);
    const app = await registerApp(h);
    const { tokens } = await passwordSignIn(app, person.email);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => client.refreshTokenGrant(app.config, tokens.refresh_token!)));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof client.refreshTokenGrant>>> => r.status === 'fulfilled');
    expect(won.length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ error: 'invalid_grant' });
    // Reuse ended the grant: the winner's new refresh token does not work either.
    if (won[0]) await expect(client.refreshTokenGrant(app.config, won[0].value.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('RP-initiated logout ends the provider session and tells the apps over the back channel', async () => {
    const person = await userWithPassword(h.ctx, `bye${++n}@nowhere.test`, null);
    const app = await registerApp(h);
    const { agent, tokens } = await passwordSignIn(app, person.email);
    h.logouts.length = 0;
    const end = client.buildEndSessionUrl(app.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT_URI, state: 'bye' });
    const confirm = await agent.get(end.href.slice(h.baseUrl.length)).redirects(0);
    expect(confirm.status).toBe(200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const done = await agent.post('/oauth/logout/confirm').type('form').send({ xsrf, logout: 'yes' }).redirects(0);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`${REDIRECT_URI}?state=bye`);
    expect(h.logouts).toHaveLength(1);
    expect(new URLSearchParams(h.logouts[0]!.body).get('logout_token')).toBeTruthy();
    // The person's Orgward session ends too: nothing signs them back in without their password.
    expect(String(done.headers['set-cookie'])).toMatch(/orgward_session=;/);
    await agent.get('/api/v1/me').expect(401);
  });

  it('RP-initiated logout where the person chooses to stay signed in keeps their Orgward session', async () => {
    const person = await userWithPassword(h.ctx, `stay${++n}@nowhere.test`, null);
    const app = await registerApp(h);
    const { agent, tokens } = await passwordSignIn(app, person.email);
    const end = client.buildEndSessionUrl(app.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT_URI });
    const confirm = await agent.get(end.href.slice(h.baseUrl.length)).redirects(0);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    await agent.post('/oauth/logout/confirm').type('form').send({ xsrf }).redirects(0).expect(303);
    await agent.get('/api/v1/me').expect(200);
  });

  it('client_secret_post works as well as basic; a wrong secret is invalid_client; revocation ends a refresh token', async () => {
    const person = await userWithPassword(h.ctx, `post${++n}@nowhere.test`, null);
    const app = await registerApp(h, { basic: false });
    const { tokens } = await passwordSignIn(app, person.email);
    const wrong = await client.discovery(new URL(h.baseUrl), app.clientId, undefined, client.ClientSecretBasic('not-the-secret'), { execute: [client.allowInsecureRequests] });
    await expect(client.refreshTokenGrant(wrong, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_client' });
    await client.tokenRevocation(app.config, tokens.refresh_token!);
    await expect(client.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('an app never gets an Organizations API token', async () => {
    const app = await registerApp(h);
    const res = await fetch(`${h.baseUrl}/v1/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret!, resource: `${h.baseUrl}/Organizations` }),
    });
    expect(res.status).toBe(400);
    const body = await res.json() as { error: string; access_token?: string };
    expect(body.error).toBe('invalid_request');
    expect(body.access_token).toBeUndefined();
  });

  it('key rotation: the new key signs, the former stays in the JWKS until its tokens expire, then leaves', async () => {
    const person = await userWithPassword(h.ctx, `keys${++n}@nowhere.test`, null);
    const app = await registerApp(h);
    const before = await passwordSignIn(app, person.email);
    const oldKid = decodeProtectedHeader(before.tokens.id_token!).kid!;
    const rotated = await h.ctx.services.oidcKeys.rotate(OPERATOR);
    expect(rotated.retired).toEqual([oldKid]);
    h.ctx.clock.advance(10_000);
    const jwks = await (await fetch(`${h.baseUrl}/oauth/jwks`)).json() as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, oldKid]);
    // Only public keys are published.
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const after = await client.refreshTokenGrant(app.config, before.tokens.refresh_token!);
    expect(decodeProtectedHeader(after.id_token!).kid).toBe(rotated.kid);
    h.ctx.clock.advance(RETIRED_KEY_PUBLISHED_MS);
    const later = await (await fetch(`${h.baseUrl}/oauth/jwks`)).json() as { keys: { kid: string }[] };
    expect(later.keys.map((k) => k.kid)).toEqual([rotated.kid]);
  });

  it('the accounts claim is left out above the configured size', async () => {
    const o = await orgOnDomain();
    const full = await h.ctx.services.oidcClaims.claimsOf(o.owner.sid);
    expect(full?.accounts).toEqual([]);
    const tiny = await h.ctx.services.oidcClaims.claimsOf(o.owner.sid, 1);
    expect(tiny).toBeDefined();
    expect(tiny).not.toHaveProperty('accounts');
  });
});
