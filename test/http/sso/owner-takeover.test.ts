// Issue 9: an Administrator signed in as the Owner. They added a SAML connection to an IdP they
// control; the ACS accepted sign-ins through it although it never passed its test sign-in, and the
// first SSO sign-in linked to the Owner by email (S6). Now: an untested connection signs nobody in
// (S1), the Owner is never linked by email and links their own identity while signed in with
// password and second factor (S6), every link by email is audited and mailed, and changing what a
// connection trusts requires a new test (S1).
import request from 'supertest';
import { newSid } from '../../../src/ids.js';
import type { Member } from '../../../src/types.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, addVerifiedDomain, asUser, OPERATOR } from '../../support/fixtures.js';
import { signInWithPassword, userWithPassword } from '../auth/support.js';
import { IDP_A_KEY, IDP_B_KEY } from '../../../idp-fixtures/keys.js';
import {
  expectRefusalPage, markTested, mintFor, postResponse, samlRequestOf, sessionCookieOf, submitEmail, type Agent, type SamlConnection,
} from './support.js';

let ctx: TestContext;

beforeAll(async () => { ctx = await createTestContext(); });
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => { await ctx.close(); });

const LINKED_SUBJECT = 'A new sign-in method was linked to your user';

/** An organization whose Owner has a password (and so a second factor), with an Administrator. */
async function organization(domain: string): Promise<{ orgSid: string; owner: Member; admin: Member }> {
  const orgSid = newSid('OR');
  await ctx.store.transaction((repos) => repos.organizations.insert({ sid: orgSid, name: `Org ${domain}` }));
  const owner = await userWithPassword(ctx, `olga@${domain}`, orgSid, 'owner');
  const admin = await addMember(ctx, orgSid, `adam@${domain}`, 'admin');
  await addVerifiedDomain(ctx, orgSid, domain, 'auto_enrollment');
  return { orgSid, owner, admin };
}

/** A SAML connection added through the service by `actor`, trusting `key` (never marked tested here). */
async function addConnection(orgSid: string, actor: Parameters<typeof ctx.services.sso.addSaml>[0], idpEntityId: string, key = IDP_B_KEY, allowIdpInitiated = true): Promise<SamlConnection> {
  const added = await ctx.services.sso.addSaml(actor, orgSid, { idpEntityId, ssoUrl: `${idpEntityId}/sso`, certificates: [key.cert], allowIdpInitiated });
  return { connectionId: added.connectionId, orgSid, idpEntityId, key, spEntityId: added.spEntityId, acsUrl: added.acsUrl! };
}

/** Opens a test sign-in link in `agent` and answers at the IdP with `email`; returns the ACS response. */
async function runTest(agent: Agent, url: string, c: SamlConnection, email: string) {
  const toIdp = await agent.get(url.slice(ctx.baseUrl.length)).expect(303);
  const { requestId, relayState } = samlRequestOf(toIdp.headers.location!);
  return postResponse(agent, c.connectionId, await mintFor(c, { email, inResponseTo: requestId }), relayState);
}

/** An SP-initiated sign-in through /login, answered by the IdP with `email`. */
async function ssoSignIn(agent: Agent, c: SamlConnection, email: string) {
  const started = await submitEmail(agent, email);
  expect(started.status).toBe(303);
  expect(started.headers.location).toContain(`${c.idpEntityId}/sso`);
  const { requestId, relayState } = samlRequestOf(started.headers.location!);
  return postResponse(agent, c.connectionId, await mintFor(c, { email, inResponseTo: requestId }), relayState);
}

const identitiesOf = (userSid: string) => ctx.testDb.db('sso_identities').where({ user_sid: userSid });
const mailsTo = async (email: string) => (await ctx.store.read.outbox.listTo(email)).map((m) => m.subject);

describe('an Administrator cannot sign in as the Owner (S1, S6)', () => {
  it('R-S1: the observed attack: an admin-added, untested connection to an attacker IdP asserting the Owner\'s email signs nobody in', async () => {
    const { orgSid, owner, admin } = await organization('acme.test');
    const evil = await addConnection(orgSid, asUser(admin), 'https://evil-idp.example.test');
    const agent = request.agent(ctx.app);
    const res = await postResponse(agent, evil.connectionId, await mintFor(evil, { email: owner.email, inResponseTo: null }));
    expect(res.status).toBe(409);
    expectRefusalPage(res, 'sso_not_ready');
    await agent.get('/api/v1/me').expect(401);
    expect(await identitiesOf(owner.sid)).toHaveLength(0);
    // Home-realm discovery does not send the domain's people to the untested connection either.
    const discovered = await submitEmail(request.agent(ctx.app), owner.email);
    expect(discovered.headers.location ?? '').not.toContain('evil-idp');
  });

  it('R-S6: after the admin passes the test with their own IdP, a sign-in with the Owner\'s email is still never linked to the Owner', async () => {
    const { orgSid, owner, admin } = await organization('initech.test');
    const evil = await addConnection(orgSid, asUser(admin), 'https://evil-idp2.example.test');
    // The Administrator runs the test sign-in (their own link, their browser, no Owner session), asserting the Owner's email.
    const ticket = await ctx.services.sso.startTest(asUser(admin), orgSid, evil.connectionId);
    const tested = await runTest(request.agent(ctx.app), ticket.url, evil, owner.email);
    expect(tested.status).toBe(200);
    expect(tested.text).toContain('Test sign-in succeeded');
    expect(tested.text).not.toContain('linked to you');
    expect(await identitiesOf(owner.sid)).toHaveLength(0);

    // IdP-initiated and SP-initiated, the Owner's email is refused.
    const unsolicited = request.agent(ctx.app);
    const direct = await postResponse(unsolicited, evil.connectionId, await mintFor(evil, { email: owner.email, inResponseTo: null }));
    expect(direct.status).toBe(409);
    expectRefusalPage(direct, 'sso_identity_conflict');
    await unsolicited.get('/api/v1/me').expect(401);
    const browser = request.agent(ctx.app);
    const solicited = await ssoSignIn(browser, evil, owner.email);
    expect(solicited.status).toBe(409);
    expectRefusalPage(solicited, 'sso_identity_conflict');
    await browser.get('/api/v1/me').expect(401);
    expect(await identitiesOf(owner.sid)).toHaveLength(0);
  });

  it('R-S6: a test link an Administrator made and forwarded to the signed-in Owner links nobody', async () => {
    const { orgSid, owner, admin } = await organization('hooli.test');
    const evil = await addConnection(orgSid, asUser(admin), 'https://evil-idp3.example.test');
    const ownerBrowser = request.agent(ctx.app);
    await signInWithPassword(ctx, ownerBrowser, owner.email);
    const ticket = await ctx.services.sso.startTest(asUser(admin), orgSid, evil.connectionId);
    const tested = await runTest(ownerBrowser, ticket.url, evil, owner.email);
    expect(tested.status).toBe(200);
    expect(tested.text).not.toContain('linked to you');
    expect(await identitiesOf(owner.sid)).toHaveLength(0);
  });
});

describe('the Owner links their own identity; links by email are audited and mailed (S6)', () => {
  it('R-S6: the Owner, signed in with password and second factor, links their identity by completing the test sign-in', async () => {
    const { orgSid, owner } = await organization('globex.test');
    const okta = await addConnection(orgSid, OPERATOR, 'https://globex.okta.example.test', IDP_A_KEY, false);
    const ownerBrowser = request.agent(ctx.app);
    await signInWithPassword(ctx, ownerBrowser, owner.email);
    const ticket = await ctx.services.sso.startTest(OPERATOR, orgSid, okta.connectionId);
    const tested = await runTest(ownerBrowser, ticket.url, okta, owner.email);
    expect(tested.status).toBe(200);
    expect(tested.text).toContain('linked to you');
    expect(await identitiesOf(owner.sid)).toHaveLength(1);
    const audit = await ctx.store.read.audit.list(orgSid, { action: 'sso.identity_linked' });
    expect(audit.map((e) => e.target)).toContain(owner.sid);
    expect(await mailsTo(owner.email)).toContain(LINKED_SUBJECT);

    // The linked identity now signs the Owner in through SSO.
    const browser = request.agent(ctx.app);
    const signedIn = await ssoSignIn(browser, okta, owner.email);
    expect(signedIn.status).toBe(303);
    expect(sessionCookieOf(signedIn)).toBeDefined();
    const me = await browser.get('/api/v1/me').expect(200);
    expect(me.body).toMatchObject({ sid: owner.sid, role: 'owner', signInMethod: 'saml' });
  });

  it('R-S6: a member linked by email at their first SSO sign-in gets an audit entry and a mail', async () => {
    const { orgSid } = await organization('umbrella.test');
    const okta = await addConnection(orgSid, OPERATOR, 'https://umbrella.okta.example.test', IDP_A_KEY, false);
    await markTested(ctx, okta.connectionId);
    const sam = await addMember(ctx, orgSid, 'sam@umbrella.test', 'standard');
    const browser = request.agent(ctx.app);
    expect((await ssoSignIn(browser, okta, sam.email)).status).toBe(303);
    const audit = await ctx.store.read.audit.list(orgSid, { action: 'sso.identity_linked' });
    expect(audit.find((e) => e.target === sam.sid)?.after).toMatchObject({ via: 'linked', connectionId: okta.connectionId });
    expect(await mailsTo(sam.email)).toEqual([LINKED_SUBJECT]);
    // A later sign-in with the known identity is no new link: no second mail.
    expect((await ssoSignIn(request.agent(ctx.app), okta, sam.email)).status).toBe(303);
    expect(await mailsTo(sam.email)).toEqual([LINKED_SUBJECT]);
  });
});

describe('changing what a connection trusts requires a new test (S1)', () => {
  it('R-S1: a new certificate, issuer, SSO URL or IdP-initiated setting clears the test; the connection signs nobody in until tested again', async () => {
    const { orgSid, admin } = await organization('wayne.test');
    const okta = await addConnection(orgSid, OPERATOR, 'https://wayne.okta.example.test', IDP_A_KEY, true);
    const changes = [
      { certificates: [IDP_B_KEY.cert] }, { idpEntityId: 'https://wayne2.okta.example.test' }, { ssoUrl: 'https://wayne.okta.example.test/other' },
      { allowIdpInitiated: false },
    ];
    for (const change of changes) {
      await markTested(ctx, okta.connectionId);
      const changed = await ctx.services.sso.changeSaml(asUser(admin), orgSid, okta.connectionId, change);
      expect(changed.testRequired).toBe(true);
      const [view] = (await ctx.services.sso.list(OPERATOR, orgSid)).filter((c) => c.connectionId === okta.connectionId);
      expect(view!.testedAt).toBeNull();
      await expect(ctx.services.sso.setEnforcement(OPERATOR, orgSid, 'wayne.test', true)).rejects.toMatchObject({ code: 'sso_not_ready' });
    }
    // Signs nobody in now: an unsolicited response is refused as not ready (IdP-initiated switched back on, still untested).
    await ctx.services.sso.changeSaml(OPERATOR, orgSid, okta.connectionId, { allowIdpInitiated: true, certificates: [IDP_A_KEY.cert], idpEntityId: okta.idpEntityId });
    const res = await postResponse(request(ctx.app), okta.connectionId, await mintFor(okta, { email: 'bruce@wayne.test', inResponseTo: null }));
    expect(res.status).toBe(409);
    expectRefusalPage(res, 'sso_not_ready');
    // The same values again are no change: the test stays.
    await markTested(ctx, okta.connectionId);
    expect(await ctx.services.sso.changeSaml(OPERATOR, orgSid, okta.connectionId, { ssoUrl: `${okta.idpEntityId}/other` })).toMatchObject({ testRequired: false, changed: [] });
    expect((await postResponse(request(ctx.app), okta.connectionId, await mintFor(okta, { email: 'bruce@wayne.test', inResponseTo: null }))).status).toBe(303);
  });

  it('R-S1: a new OIDC issuer or client id clears the test; a new client secret does not', async () => {
    const { orgSid } = await organization('stark.test');
    const added = await ctx.services.sso.addOidc(OPERATOR, orgSid, { issuer: 'https://stark.example.test', clientId: 'client-1', clientSecret: 'secret-1' });
    const testedAt = async () => (await ctx.services.sso.list(OPERATOR, orgSid)).find((c) => c.connectionId === added.connectionId)!.testedAt;
    await markTested(ctx, added.connectionId);
    expect(await ctx.services.sso.changeOidc(OPERATOR, orgSid, added.connectionId, { clientSecret: 'secret-2' })).toMatchObject({ testRequired: false, changed: ['clientSecret'] });
    expect(await testedAt()).not.toBeNull();
    expect(await ctx.services.sso.changeOidc(OPERATOR, orgSid, added.connectionId, { clientId: 'client-2' })).toMatchObject({ testRequired: true });
    expect(await testedAt()).toBeNull();
    await markTested(ctx, added.connectionId);
    expect(await ctx.services.sso.changeOidc(OPERATOR, orgSid, added.connectionId, { issuer: 'https://evil.example.test' })).toMatchObject({ testRequired: true });
    expect(await testedAt()).toBeNull();
  });
});
