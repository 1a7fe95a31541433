// Acceptance (issue 4): the README's steps, end to end against the mocked IdPs. An operator adds a
// SAML connection (Acme) and an OIDC connection (Globex), runs each test sign-in, enforces SSO on
// the verified domain, and people sign in through /login and see themselves at /api/v1/me.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { OPERATOR } from '../../support/fixtures.js';
import { IDP_A_KEY } from '../../../idp-fixtures/keys.js';
import { encodeResponse, mintResponse } from '../../../idp-fixtures/saml/mint.js';
import { startOidcProvider, type TestOidcProvider } from '../../../idp-fixtures/oidc/provider.js';
import { followIdp, orgWithDomain, samlRequestOf, sessionCookieOf, submitEmail } from './support.js';

let ctx: TestContext;
let idp: TestOidcProvider;

beforeAll(async () => {
  ctx = await createTestContext();
  idp = await startOidcProvider();
});
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => {
  await idp.close();
  await ctx.close();
});

/** What a person does in the browser at a SAML IdP: sign in and get posted back. */
async function samlIdpAnswers(agent: ReturnType<typeof request.agent>, redirect: string, sp: { spEntityId: string; acsUrl: string; connectionId: string }, email: string) {
  const { requestId, relayState } = samlRequestOf(redirect);
  const xml = await mintResponse({ issuer: 'https://acme.okta.example.test', key: IDP_A_KEY, spEntityId: sp.spEntityId, acsUrl: sp.acsUrl, inResponseTo: requestId, email });
  return agent.post(`/sso/saml/${sp.connectionId}/acs`).type('form').send({ SAMLResponse: encodeResponse(xml), RelayState: relayState });
}

describe('acceptance: configure, test, enforce, sign in', () => {
  it('SAML connection for Acme', async () => {
    const acme = await orgWithDomain(ctx, 'acme.test', 'auto_enrollment');
    // 1. Configure (what `orgward sso add-saml` calls).
    const added = await ctx.services.sso.addSaml(OPERATOR, acme.org.sid, {
      idpEntityId: 'https://acme.okta.example.test', ssoUrl: 'https://acme.okta.example.test/app/orgward/sso/saml', certificates: [IDP_A_KEY.cert],
    });
    expect(added).toEqual({
      connectionId: expect.any(String), spEntityId: `${ctx.baseUrl}/sso/saml/${added.connectionId}`,
      acsUrl: `${ctx.baseUrl}/sso/saml/${added.connectionId}/acs`, metadataUrl: `${ctx.baseUrl}/sso/saml/${added.connectionId}/metadata`,
    });
    await request(ctx.app).get(new URL(added.metadataUrl).pathname).expect(200);
    // Untested: nobody is sent to it yet, and enforcement is refused.
    expect((await submitEmail(request.agent(ctx.app), 'amy@acme.test')).status).toBe(200);
    await expect(ctx.services.sso.setEnforcement(OPERATOR, acme.org.sid, 'acme.test', true)).rejects.toMatchObject({ code: 'sso_not_ready' });
    // 2. Test sign-in.
    const { url } = await ctx.services.sso.startTest(OPERATOR, acme.org.sid, added.connectionId);
    const admin = request.agent(ctx.app);
    const toIdp = await admin.get(url.slice(ctx.baseUrl.length)).expect(303);
    const tested = await samlIdpAnswers(admin, toIdp.headers.location!, { ...added, acsUrl: added.acsUrl! }, 'owner@acme.test');
    expect(tested.status).toBe(200);
    expect(tested.text).toContain('Test sign-in succeeded');
    // 3. Enforce.
    expect(await ctx.services.sso.setEnforcement(OPERATOR, acme.org.sid, 'acme.test', true)).toMatchObject({ ssoEnforced: true });
    // 4. Sign in.
    const amy = request.agent(ctx.app);
    const start = await submitEmail(amy, 'amy@acme.test');
    expect(start.status).toBe(303);
    const signedIn = await samlIdpAnswers(amy, start.headers.location!, { ...added, acsUrl: added.acsUrl! }, 'amy@acme.test');
    expect(signedIn.status).toBe(303);
    expect(sessionCookieOf(signedIn)).toBeDefined();
    const me = await amy.get('/api/v1/me').expect(200);
    expect(me.body).toEqual({ sid: expect.stringMatching(/^US[0-9a-f]{32}$/), email: 'amy@acme.test', orgSid: acme.org.sid, role: 'standard', signInMethod: 'saml' });
  });

  it('OIDC connection for Globex', async () => {
    const globex = await orgWithDomain(ctx, 'globex.test', 'auto_enrollment');
    const added = await ctx.services.sso.addOidc(OPERATOR, globex.org.sid, { issuer: idp.issuer, clientId: 'globex-orgward', clientSecret: 'globex-client-secret', allowHttpIssuer: true });
    expect(added).toEqual({
      connectionId: expect.any(String), spEntityId: `${ctx.baseUrl}/sso/oidc/${added.connectionId}`,
      redirectUri: `${ctx.baseUrl}/sso/oidc/${added.connectionId}/callback`, metadataUrl: `${ctx.baseUrl}/sso/oidc/${added.connectionId}/metadata`,
    });
    // The IdP administrator registers the client with the redirect URI.
    idp.addClient({ clientId: 'globex-orgward', clientSecret: 'globex-client-secret', redirectUri: added.redirectUri! });
    idp.addAccount({ sub: 'globex-admin', email: 'owner@globex.test', emailVerified: true });
    idp.addAccount({ sub: 'globex-gus', email: 'gus@globex.test', emailVerified: true, name: 'Gus Globex' });
    const stored = await ctx.testDb.db('sso_connections').where({ id: added.connectionId }).first();
    expect(JSON.stringify(stored)).not.toContain('globex-client-secret');

    const { url } = await ctx.services.sso.startTest(OPERATOR, globex.org.sid, added.connectionId);
    const admin = request.agent(ctx.app);
    const toIdp = await admin.get(url.slice(ctx.baseUrl.length)).expect(303);
    idp.nextLogin('globex-admin');
    const tested = await admin.get(await followIdp(toIdp.headers.location!, ctx.baseUrl)).expect(200);
    expect(tested.text).toContain('Test sign-in succeeded');

    expect(await ctx.services.sso.setEnforcement(OPERATOR, globex.org.sid, 'globex.test', true)).toMatchObject({ ssoEnforced: true });
    const listed = await ctx.services.sso.list(OPERATOR, globex.org.sid);
    expect(listed).toEqual([expect.objectContaining({ connectionId: added.connectionId, protocol: 'oidc', enabled: true, testedAt: expect.any(Date), issuer: idp.issuer, clientId: 'globex-orgward' })]);

    const gus = request.agent(ctx.app);
    const start = await submitEmail(gus, 'gus@globex.test');
    expect(start.status).toBe(303);
    idp.nextLogin('globex-gus');
    const signedIn = await gus.get(await followIdp(start.headers.location!, ctx.baseUrl)).expect(303);
    expect(sessionCookieOf(signedIn)).toBeDefined();
    const me = await gus.get('/api/v1/me').expect(200);
    expect(me.body).toEqual({ sid: expect.stringMatching(/^US[0-9a-f]{32}$/), email: 'gus@globex.test', orgSid: globex.org.sid, role: 'standard', signInMethod: 'oidc' });
    const gusUser = await ctx.store.read.users.getByEmail('gus@globex.test');
    expect(gusUser?.displayName).toBe('Gus Globex');
  });
});
