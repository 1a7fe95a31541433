// SP-initiated SAML is bound to the browser that was sent to the IdP (login CSRF, session
// fixation), as OIDC is; IdP-initiated sign-in stays opt-in (S8). Secure cookies are `__Host-`.
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { silentLogger } from '../../../src/logger.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import {
  csrfOf, expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, samlCookieOf, samlRequestOf, sessionCookieOf, startSaml, writtenRows,
  type SamlConnection,
} from './support.js';

let ctx: TestContext;
let conn: SamlConnection;

beforeAll(async () => {
  ctx = await createTestContext();
  const a = await orgWithDomain(ctx, 'corp.test', 'auto_enrollment');
  conn = await samlConnection(ctx, a.org.sid);
});
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => { await ctx.close(); });

const setCookies = (res: { headers: Record<string, unknown> }): string[] => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);

describe('SAML bound to the browser (S3, S8)', () => {
  it('R-S3: the sign-in sets a login cookie that the ACS checks', async () => {
    const agent = request.agent(ctx.app);
    const { cookie } = await startSaml(agent, 'bea@corp.test');
    expect(cookie).toMatch(/^orgward_saml=[A-Za-z0-9_-]{43}$/);
  });

  it('R-S3: a response posted by another browser (no login cookie: login CSRF) is refused, and the right browser can still use it', async () => {
    const victim = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(victim, 'carl@corp.test');
    const xml = await mintFor(conn, { email: 'carl@corp.test', inResponseTo: requestId });
    const before = await writtenRows(ctx);
    const forged = await postResponse(request(ctx.app), conn.connectionId, xml, relayState);
    expect(forged.status).toBe(401);
    expectRefusalPage(forged, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
    // The refusal consumed nothing: the browser that started the sign-in completes it.
    const own = await postResponse(victim, conn.connectionId, xml, relayState).expect(303);
    expect(sessionCookieOf(own)).toBeDefined();
  });

  it('R-S3: an attacker\'s own login cookie does not carry the victim\'s response (session fixation)', async () => {
    const attacker = request.agent(ctx.app);
    const { requestId: attackerRequest, cookie: attackerCookie } = await startSaml(attacker, 'mallory@corp.test');
    const victim = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(victim, 'dana@corp.test');
    expect(attackerRequest).not.toBe(requestId);
    // The attacker posts a response to the victim's request from their own browser (or the other way round).
    const xml = await mintFor(conn, { email: 'dana@corp.test', inResponseTo: requestId });
    const res = await postResponse(request(ctx.app), conn.connectionId, xml, relayState, attackerCookie);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
  });

  it('R-S8: an unsolicited response needs no login cookie, but only on a connection that allows IdP-initiated sign-in', async () => {
    const b = await orgWithDomain(ctx, 'idpinit.test', 'auto_enrollment');
    const allowing = await samlConnection(ctx, b.org.sid, { allowIdpInitiated: true });
    const ok = await postResponse(request(ctx.app), allowing.connectionId, await mintFor(allowing, { email: 'ida@idpinit.test', inResponseTo: null })).expect(303);
    expect(sessionCookieOf(ok)).toBeDefined();
    const refused = await postResponse(request(ctx.app), conn.connectionId, await mintFor(conn, { email: 'ida@corp.test', inResponseTo: null }));
    expect(refused.status).toBe(401);
  });
});

describe('__Host- cookies behind https', () => {
  // The same services behind an app that serves Secure cookies (COOKIE_SECURE or an https base URL).
  const secureApp = () => createApp({ services: ctx.services, logger: silentLogger, baseUrl: ctx.baseUrl, secureCookies: true, health: async () => undefined });

  it('session, CSRF and SAML login cookies carry the __Host- prefix; the SAML one is SameSite=None (the ACS post is cross-site)', async () => {
    const app = secureApp();
    const page = await request(app).get('/login').expect(200);
    const csrf = setCookies(page).find((c) => c.startsWith('__Host-orgward_csrf='));
    expect(csrf).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const csrfPair = csrf!.split(';')[0]!;

    const started = await request(app).post('/login').set('Cookie', csrfPair).type('form').send({ email: 'hana@corp.test', _csrf: csrfOf(page.text) }).expect(303);
    const saml = setCookies(started).find((c) => c.startsWith('__Host-orgward_saml='));
    expect(saml).toBeDefined();
    expect(saml).toMatch(/; Path=\/; /);
    expect(saml).toMatch(/; Secure/);
    expect(saml).toMatch(/; SameSite=None/);
    expect(saml).not.toMatch(/Domain=/i);
    expect(setCookies(started).some((c) => c.startsWith('orgward_'))).toBe(false);

    const { requestId, relayState } = samlRequestOf(started.headers.location!);
    const xml = await mintFor(conn, { email: 'hana@corp.test', inResponseTo: requestId });
    // An unprefixed cookie (which a sibling subdomain could plant) does not count.
    const planted = await postResponse(request(app), conn.connectionId, xml, relayState, samlCookieOf(started).replace('__Host-', ''));
    expect(planted.status).toBe(401);
    const done = await postResponse(request(app), conn.connectionId, xml, relayState, samlCookieOf(started)).expect(303);
    const session = setCookies(done).find((c) => c.startsWith('__Host-orgward_session='));
    for (const attribute of ['; Path=/;', '; HttpOnly', '; Secure', '; SameSite=Lax']) expect(session).toContain(attribute);
    const me = await request(app).get('/api/v1/me').set('Cookie', session!.split(';')[0]!).expect(200);
    expect(me.body).toMatchObject({ email: 'hana@corp.test', signInMethod: 'saml' });
    // The same session under the plain name is not read behind https.
    await request(app).get('/api/v1/me').set('Cookie', session!.split(';')[0]!.replace('__Host-', '')).expect(401);
  });
});
