// OIDC side of issue 9: an OIDC connection that lost its test signs nobody in (S1), the Owner
// links their own OIDC identity through a test sign-in while signed in with password and second
// factor (S6), and the OIDC login cookie is `__Host-` behind https.
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { newSid } from '../../../src/ids.js';
import { silentLogger } from '../../../src/logger.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addVerifiedDomain, OPERATOR } from '../../support/fixtures.js';
import { startOidcProvider, type TestOidcProvider } from '../../../idp-fixtures/oidc/provider.js';
import { signInWithPassword, userWithPassword } from '../auth/support.js';
import { csrfOf, expectRefusalPage, followIdp, markTested, submitEmail } from './support.js';

let ctx: TestContext;
let idp: TestOidcProvider;
let orgSid: string;
let connectionId: string;
const OWNER_EMAIL = 'olga@oidcowner.test';

beforeAll(async () => {
  ctx = await createTestContext();
  idp = await startOidcProvider();
  orgSid = newSid('OR');
  await ctx.store.transaction((repos) => repos.organizations.insert({ sid: orgSid, name: 'OIDC Owner' }));
  await userWithPassword(ctx, OWNER_EMAIL, orgSid, 'owner');
  await addVerifiedDomain(ctx, orgSid, 'oidcowner.test', 'auto_enrollment');
  const added = await ctx.services.sso.addOidc(OPERATOR, orgSid, { issuer: idp.issuer, clientId: 'owner-link', clientSecret: 'owner-link-secret', allowHttpIssuer: true });
  idp.addClient({ clientId: 'owner-link', clientSecret: 'owner-link-secret', redirectUri: added.redirectUri! });
  connectionId = added.connectionId;
  idp.addAccount({ sub: 'sub-owner', email: OWNER_EMAIL, emailVerified: true, name: 'Olga Owner' });
  idp.addAccount({ sub: 'sub-tess', email: 'tess@oidcowner.test', emailVerified: true });
});
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => {
  await idp.close();
  await ctx.close();
});

describe('OIDC connections and the Owner (S1, S6)', () => {
  it('R-S1: a sign-in started while the connection was tested, completed after its test was cleared, signs nobody in', async () => {
    await markTested(ctx, connectionId);
    const agent = request.agent(ctx.app);
    const started = await submitEmail(agent, 'tess@oidcowner.test');
    expect(started.status).toBe(303);
    idp.nextLogin('sub-tess');
    const callback = await followIdp(started.headers.location!, ctx.baseUrl);
    // Meanwhile its trust settings changed (what changeOidc does to tested_at).
    await ctx.testDb.db('sso_connections').where({ id: connectionId }).update({ tested_at: null });
    const res = await agent.get(callback);
    expect(res.status).toBe(409);
    expectRefusalPage(res, 'sso_not_ready');
    await agent.get('/api/v1/me').expect(401);
  });

  it('R-S6: the Owner completes the test sign-in in their password session and the OIDC identity becomes theirs', async () => {
    const owner = request.agent(ctx.app);
    await signInWithPassword(ctx, owner, OWNER_EMAIL);
    const ticket = await ctx.services.sso.startTest(OPERATOR, orgSid, connectionId);
    const toIdp = await owner.get(ticket.url.slice(ctx.baseUrl.length)).expect(303);
    idp.nextLogin('sub-owner');
    const tested = await owner.get(await followIdp(toIdp.headers.location!, ctx.baseUrl)).expect(200);
    expect(tested.text).toContain('linked to you');
    const identities = await ctx.testDb.db('sso_identities').where({ org_sid: orgSid, subject: 'sub-owner' });
    expect(identities).toHaveLength(1);

    const browser = request.agent(ctx.app);
    const started = await submitEmail(browser, OWNER_EMAIL);
    idp.nextLogin('sub-owner');
    await browser.get(await followIdp(started.headers.location!, ctx.baseUrl)).expect(303);
    expect((await browser.get('/api/v1/me').expect(200)).body).toMatchObject({ email: OWNER_EMAIL, role: 'owner', signInMethod: 'oidc' });
  });

  it('the OIDC login cookie is __Host- prefixed (Path=/, Secure, SameSite=Lax) behind https', async () => {
    await markTested(ctx, connectionId);
    const app = createApp({ services: ctx.services, logger: silentLogger, baseUrl: ctx.baseUrl, secureCookies: true, health: async () => undefined });
    const page = await request(app).get('/login').expect(200);
    const csrf = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-orgward_csrf='))!.split(';')[0]!;
    const started = await request(app).post('/login').set('Cookie', csrf).type('form').send({ email: 'tess@oidcowner.test', _csrf: csrfOf(page.text) }).expect(303);
    const cookie = ([] as string[]).concat(started.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-orgward_sso='));
    expect(cookie).toBeDefined();
    for (const attribute of ['; Path=/;', '; HttpOnly', '; Secure', '; SameSite=Lax']) expect(cookie).toContain(attribute);
  });
});
