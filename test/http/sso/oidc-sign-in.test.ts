// OIDC against a real provider (oidc-provider, in process): code + PKCE, state, nonce, transactions.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { OPERATOR } from '../../support/fixtures.js';
import { startOidcProvider, type TestOidcProvider } from '../../../idp-fixtures/oidc/provider.js';
import { expectRefusalPage, followIdp, markTested, orgWithDomain, sessionCookieOf, submitEmail, writtenRows, type Agent } from './support.js';

let ctx: TestContext;
let idp: TestOidcProvider;
let connA: string;
let connB: string;
let orgA: string;

async function oidcConnection(orgSid: string, clientId: string): Promise<string> {
  const added = await ctx.services.sso.addOidc(OPERATOR, orgSid, { issuer: idp.issuer, clientId, clientSecret: `${clientId}-secret`, allowHttpIssuer: true });
  idp.addClient({ clientId, clientSecret: `${clientId}-secret`, redirectUri: added.redirectUri! });
  await markTested(ctx, added.connectionId);
  return added.connectionId;
}

beforeAll(async () => {
  ctx = await createTestContext();
  idp = await startOidcProvider();
  orgA = (await orgWithDomain(ctx, 'corp.test', 'auto_enrollment')).org.sid;
  const orgB = (await orgWithDomain(ctx, 'other.test', 'auto_enrollment')).org.sid;
  await orgWithDomain(ctx, 'third.test', 'auto_enrollment');
  connA = await oidcConnection(orgA, 'orgward-a');
  connB = await oidcConnection(orgB, 'orgward-b');
  idp.addAccount({ sub: 'sub-olga', email: 'olga@corp.test', emailVerified: true, name: 'Olga Oidc' });
  idp.addAccount({ sub: 'sub-unverified', email: 'uma@corp.test', emailVerified: false });
  idp.addAccount({ sub: 'sub-nostatus', email: 'noel@corp.test' });
  idp.addAccount({ sub: 'sub-foreign', email: 'fred@third.test', emailVerified: true });
  idp.addAccount({ sub: 'sub-nowhere', email: 'nora@unverified.test', emailVerified: true });
});
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => {
  await idp.close();
  await ctx.close();
});

/** Starts at /login for `email`, signs in at the IdP as `sub`, returns our callback path. */
async function throughIdp(agent: Agent, email: string, sub: string): Promise<{ callback: string; authorize: URL }> {
  const res = await submitEmail(agent, email);
  expect(res.status).toBe(303);
  idp.nextLogin(sub);
  const authorize = new URL(res.headers.location!);
  return { callback: await followIdp(authorize.href, ctx.baseUrl), authorize };
}

describe('OIDC sign-in (S2, S3)', () => {
  it('R-S3: the full code + PKCE flow signs in; /api/v1/me says oidc', async () => {
    const agent = request.agent(ctx.app);
    const { callback, authorize } = await throughIdp(agent, 'olga@corp.test', 'sub-olga');
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(callback).toMatch(new RegExp(`^/sso/oidc/${connA}/callback\\?code=`));
    const res = await agent.get(callback).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body).toEqual({ sid: expect.stringMatching(/^US/), email: 'olga@corp.test', orgSid: orgA, role: 'standard', signInMethod: 'oidc' });
    const identity = await ctx.store.read.ssoIdentities.find(orgA, idp.issuer, 'sub-olga');
    expect(identity?.userSid).toBe(me.body.sid);
  });

  it('R-S3: a replayed callback is refused', async () => {
    const agent = request.agent(ctx.app);
    const { callback } = await throughIdp(agent, 'olga@corp.test', 'sub-olga');
    await agent.get(callback).expect(303);
    const before = await writtenRows(ctx);
    const replay = await agent.get(callback);
    expect(replay.status).toBe(401);
    expectRefusalPage(replay, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
  });

  it('R-S3: a callback delivered to another browser is refused, and the right browser can still finish', async () => {
    const victim = request.agent(ctx.app);
    const { callback } = await throughIdp(victim, 'olga@corp.test', 'sub-olga');
    const other = request.agent(ctx.app);
    await other.get('/login');
    const stolen = await other.get(callback);
    expect(stolen.status).toBe(401);
    expectRefusalPage(stolen, 'sso_response_invalid');
    expect((await victim.get(callback)).status).toBe(303);
  });

  it('R-S3: a callback with a state we did not issue is refused', async () => {
    const agent = request.agent(ctx.app);
    const { callback } = await throughIdp(agent, 'olga@corp.test', 'sub-olga');
    const forged = callback.replace(/state=[^&]+/, 'state=forged-state-value');
    const res = await agent.get(forged);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
  });

  it("R-S3: mix-up: organization A's authorization response delivered to organization B's callback is refused", async () => {
    const agent = request.agent(ctx.app);
    const { callback } = await throughIdp(agent, 'olga@corp.test', 'sub-olga');
    const before = await writtenRows(ctx);
    const res = await agent.get(callback.replace(connA, connB));
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
  });

  it.each([
    ['email_verified false', 'uma@corp.test', 'sub-unverified'],
    ['email_verified missing', 'noel@corp.test', 'sub-nostatus'],
  ])('R-S3: %s is refused and writes nothing', async (_name, email, sub) => {
    const agent = request.agent(ctx.app);
    const { callback } = await throughIdp(agent, email, sub);
    const before = await writtenRows(ctx);
    const res = await agent.get(callback);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
    expect(await ctx.store.read.users.getByEmail(email)).toBeUndefined();
  });

  it.each([
    ['a domain verified by another organization', 'sub-foreign', 'fred@third.test'],
    ['a domain nobody verified', 'sub-nowhere', 'nora@unverified.test'],
  ])('R-S4: an email on %s is refused (sso_domain_mismatch)', async (_name, sub, email) => {
    const agent = request.agent(ctx.app);
    const { callback } = await throughIdp(agent, 'olga@corp.test', sub);
    const before = await writtenRows(ctx);
    const res = await agent.get(callback);
    expect(res.status).toBe(403);
    expectRefusalPage(res, 'sso_domain_mismatch');
    expect(await writtenRows(ctx)).toEqual(before);
    expect(await ctx.store.read.users.getByEmail(email)).toBeUndefined();
  });

  it('serves the client registration hints for the IdP', async () => {
    const res = await request(ctx.app).get(`/sso/oidc/${connA}/metadata`).expect(200);
    expect(res.body).toMatchObject({ client_id: 'orgward-a', redirect_uris: [`${ctx.baseUrl}/sso/oidc/${connA}/callback`], token_endpoint_auth_method: 'client_secret_basic' });
    expect(JSON.stringify(res.body)).not.toContain('secret"');
  });
});
