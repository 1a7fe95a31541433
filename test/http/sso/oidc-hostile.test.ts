// A hostile OIDC issuer (jose): forged, mis-addressed and expired ID tokens are refused.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { OPERATOR } from '../../support/fixtures.js';
import { startHostileIssuer, type HostileBehaviour, type HostileIssuer } from '../../../idp-fixtures/oidc/hostile.js';
import { startOidcProvider, type TestOidcProvider } from '../../../idp-fixtures/oidc/provider.js';
import { expectRefusalPage, followIdp, markTested, orgWithDomain, sessionCookieOf, submitEmail, writtenRows } from './support.js';

const CLIENT = { clientId: 'orgward-hostile', clientSecret: 'a-shared-client-secret-of-some-length' };

let ctx: TestContext;
let hostile: HostileIssuer;
let userinfoIdp: TestOidcProvider;

beforeAll(async () => {
  ctx = await createTestContext();
  hostile = await startHostileIssuer(CLIENT, { sub: 'h-1', email: 'alice@corp.test' });
  const { org } = await orgWithDomain(ctx, 'corp.test', 'auto_enrollment');
  const added = await ctx.services.sso.addOidc(OPERATOR, org.sid, { issuer: hostile.issuer, ...CLIENT, allowHttpIssuer: true });
  await markTested(ctx, added.connectionId);

  userinfoIdp = await startOidcProvider({ claimsInIdToken: false });
  const other = await orgWithDomain(ctx, 'userinfo.test', 'auto_enrollment');
  const viaUserinfo = await ctx.services.sso.addOidc(OPERATOR, other.org.sid, { issuer: userinfoIdp.issuer, clientId: 'ui', clientSecret: 'ui-secret', allowHttpIssuer: true });
  userinfoIdp.addClient({ clientId: 'ui', clientSecret: 'ui-secret', redirectUri: viaUserinfo.redirectUri! });
  userinfoIdp.addAccount({ sub: 'u-1', email: 'uli@userinfo.test', emailVerified: true });
  await markTested(ctx, viaUserinfo.connectionId);

  const down = await orgWithDomain(ctx, 'down.test', 'auto_enrollment');
  const unreachable = await ctx.services.sso.addOidc(OPERATOR, down.org.sid, { issuer: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', allowHttpIssuer: true });
  await markTested(ctx, unreachable.connectionId);
});
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => {
  await hostile.close();
  await userinfoIdp.close();
  await ctx.close();
});

async function signInWith(behaviour: HostileBehaviour) {
  hostile.behave(behaviour);
  const agent = request.agent(ctx.app);
  const start = await submitEmail(agent, 'alice@corp.test');
  expect(start.status).toBe(303);
  const callback = await followIdp(start.headers.location!, ctx.baseUrl);
  const before = await writtenRows(ctx);
  const res = await agent.get(callback);
  return { res, before, after: await writtenRows(ctx) };
}

describe('OIDC ID token verification (S3)', () => {
  it('signs in when the issuer behaves (the hostile issuer works)', async () => {
    const { res } = await signInWith({ claims: { sub: 'honest-sub', email: 'honest@corp.test' } });
    expect(res.status).toBe(303);
    expect(sessionCookieOf(res)).toBeDefined();
  });

  it.each<[string, HostileBehaviour]>([
    ['alg: none', { token: 'alg-none' }],
    ['HS256 keyed with the client secret', { token: 'hs256-client-secret' }],
    ['a key that is not in the JWKS', { token: 'unknown-key' }],
    ['another iss', { claims: { iss: 'https://evil-issuer.example.test' } }],
    ['another aud', { claims: { aud: 'someone-else' } }],
    ['an azp that is not our client', { claims: { aud: [CLIENT.clientId, 'someone-else'], azp: 'someone-else' } }],
    ['an expired token', { shiftSeconds: -3600 }],
    ['another nonce', { claims: { nonce: 'not-the-nonce-we-sent' } }],
    ['no nonce', { claims: { nonce: undefined } }],
    ['email_verified false', { claims: { sub: 'h-2', email: 'bob@corp.test', email_verified: false } }],
  ])('R-S3: an ID token with %s is refused and writes nothing', async (_name, behaviour) => {
    const { res, before, after } = await signInWith({ ...behaviour, claims: { sub: `victim-${Math.random()}`, email: 'victim@corp.test', ...behaviour.claims } });
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
    expect(await ctx.store.read.users.getByEmail('victim@corp.test')).toBeUndefined();
  });

  it('an IdP that cannot be reached is a clean 503 (sso_unavailable)', async () => {
    const res = await submitEmail(request.agent(ctx.app), 'dan@down.test');
    expect(res.status).toBe(503);
    expectRefusalPage(res, 'sso_unavailable');
  });

  it('R-S3: takes the email from UserInfo when the ID token has none (same subject)', async () => {
    const agent = request.agent(ctx.app);
    const start = await submitEmail(agent, 'uli@userinfo.test');
    userinfoIdp.nextLogin('u-1');
    const res = await agent.get(await followIdp(start.headers.location!, ctx.baseUrl)).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body.email).toBe('uli@userinfo.test');
  });
});
