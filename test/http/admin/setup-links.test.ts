/**
 * Setup links over HTTP (issue 11): the Admin Center page (create with kind and validity, the URL
 * shown once, revoke; O3), and the pages at /setup/{token} that the customer's IT admin uses
 * without an Orgward account: same CSP as the Admin Center, no referrer, CSRF on every form, a
 * clear page for an expired, revoked or unknown link, only the link's kind, and the attacks a
 * link's holder could try (enforce SSO, change roles, use the link as a credential elsewhere).
 * The SSO and SCIM walks run end to end: a SAML test sign-in through the loopback test IdP, and a
 * SCIM push whose first user and group the page then shows.
 */
import request from 'supertest';
import { startSamlIdp, type TestSamlIdp } from '../../../idp-fixtures/saml/idp-server.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, addVerifiedDomain, createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { GROUP_URN, scimClient, USER_URN } from '../../support/scim-fixtures.js';
import { CSRF, get, post, sessionCookie } from './support.js';

let ctx: TestContext;
let idp: TestSamlIdp;
let orgSid: string;
let ownerCookie: string;
let standardCookie: string;
const published = new Map<string, string[][]>();
/** The IT admin's browser: a CSRF cookie and nothing else (no Orgward session). */
const OUTSIDER = `orgward_csrf=${CSRF}`;

beforeAll(async () => {
  idp = await startSamlIdp();
  ctx = await createTestContext({ dns: { resolveTxt: async (name) => published.get(name) ?? [] } });
  const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@acme.test', name: 'Acme' });
  orgSid = org.org.sid;
  await addVerifiedDomain(ctx, orgSid, 'acme.test');
  ownerCookie = await sessionCookie(ctx, org.owner.sid);
  standardCookie = await sessionCookie(ctx, (await addMember(ctx, orgSid, 'std@acme.test')).sid);
});
afterAll(async () => {
  await ctx.close();
  await idp.close();
});

const secretOn = (html: string): string => /<code class="copyable" id="secret-value">([^<]+)<\/code>/.exec(html)?.[1] ?? '';
const pathOf = (url: string): string => new URL(url).pathname;

/** A link made on the Admin Center page; its path (/setup/sl_…). */
async function newLink(kind: 'sso' | 'scim' | 'domain', days = '7'): Promise<string> {
  const res = await post(ctx, ownerCookie, '/admin/setup-links', { kind, days }).expect(201);
  return pathOf(secretOn(res.text).replace(/&#x2F;|&#47;/g, '/'));
}

const outsiderGet = (path: string) => request(ctx.app).get(path).set('Cookie', OUTSIDER);
const outsiderPost = (path: string, fields: Record<string, string> = {}) => request(ctx.app).post(path).set('Cookie', OUTSIDER).type('form').send({ _csrf: CSRF, ...fields });

describe('the Admin Center page (O3)', () => {
  it('creates a link shown once, lists it without its URL, revokes it; a Standard User gets 403', async () => {
    const created = await post(ctx, ownerCookie, '/admin/setup-links', { kind: 'scim', days: '3' }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const url = secretOn(created.text);
    expect(url).toMatch(/^http:\/\/orgward\.test\/setup\/sl_[A-Za-z0-9_-]{43}$/);
    const list = await get(ctx, ownerCookie, '/admin/setup-links').expect(200);
    expect(list.text).toContain('SCIM provisioning');
    expect(list.text).not.toContain(pathOf(url).slice(7));
    const [link] = (await ctx.services.setupLinks.list(OPERATOR, orgSid)).filter((l) => l.kind === 'scim');
    expect(link!.expiresAt.getTime() - link!.createdAt.getTime()).toBe(3 * 24 * 3600 * 1000);
    await post(ctx, ownerCookie, '/admin/setup-links', { kind: 'scim', days: '31' }).expect(400);
    await post(ctx, ownerCookie, `/admin/setup-links/${link!.sid}/revoke`).expect(303);
    expect((await get(ctx, ownerCookie, '/admin/setup-links')).text).toContain('revoked');
    await get(ctx, standardCookie, '/admin/setup-links').expect(403);
    await post(ctx, standardCookie, '/admin/setup-links', { kind: 'sso' }).expect(403);
    await request(ctx.app).post('/admin/setup-links').set('Cookie', ownerCookie).type('form').send({ kind: 'sso' }).expect(403);
  });
});

describe('the pages behind a link', () => {
  it('carry the Admin Center CSP, no referrer and no-store, and need no session', async () => {
    const path = await newLink('domain');
    const res = await request(ctx.app).get(path).expect(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle=|<style/);
    expect(res.text).toContain('Acme');
    // No way into the Admin Center from here (its style sheet aside).
    expect(res.text).not.toMatch(/href="\/admin(?!\/assets\/)/);
  });

  it('an unknown link is 404, a revoked or expired one 410, each with a page that says so and no form', async () => {
    const unknown = await outsiderGet(`/setup/sl_${'A'.repeat(43)}`).expect(404);
    expect(unknown.text).toContain('does not exist');
    const revoked = await newLink('sso');
    const [link] = (await ctx.services.setupLinks.list(OPERATOR, orgSid)).filter((l) => l.kind === 'sso' && l.state === 'live');
    await ctx.services.setupLinks.revoke(OPERATOR, orgSid, link!.sid);
    const gone = await outsiderGet(revoked).expect(410);
    expect(gone.text).toContain('revoked');
    expect(gone.text).not.toContain('<form method="post" action="/setup');
    await outsiderPost(`${revoked}/idp`, { idp: 'okta' }).expect(410);
    const short = await newLink('domain', '1');
    const start = ctx.clock.now();
    ctx.clock.set(new Date(start.getTime() + 25 * 3600 * 1000));
    try {
      expect((await outsiderGet(short).expect(410)).text).toContain('expired');
    } finally {
      ctx.clock.set(start);
    }
  });

  it('CSRF: a form without the token, or from another origin, is refused and changes nothing', async () => {
    const path = await newLink('domain');
    await request(ctx.app).post(`${path}/domains`).set('Cookie', OUTSIDER).type('form').send({ domain: 'csrf.acme.test' }).expect(403);
    await request(ctx.app).post(`${path}/domains`).set('Cookie', OUTSIDER).set('Origin', 'https://evil.test').type('form').send({ _csrf: CSRF, domain: 'csrf.acme.test' }).expect(403);
    expect(await ctx.store.read.domains.get(orgSid, 'csrf.acme.test')).toBeUndefined();
  });

  it('serves only its own kind: an SSO link has no SCIM or domain form, a domain link no IdP', async () => {
    const sso = await newLink('sso');
    await outsiderPost(`${sso}/scim-tokens`).expect(404);
    await outsiderPost(`${sso}/domains`, { domain: 'kind.acme.test' }).expect(404);
    const domain = await newLink('domain');
    await outsiderPost(`${domain}/idp`, { idp: 'okta' }).expect(400);
    await outsiderPost(`${domain}/saml`, { entityId: 'x' }).expect(404);
  });

  it('attacks: the link enforces no SSO, changes no role, and is no credential anywhere else', async () => {
    const path = await newLink('sso');
    const token = path.slice('/setup/'.length);
    await outsiderPost(`${path}/enforcement`, { on: 'true' }).expect(404);
    // The Admin Center wants a session: the link's browser is sent to sign in.
    await request(ctx.app).post('/admin/domains/acme.test/enforcement').set('Cookie', OUTSIDER).type('form').send({ _csrf: CSRF, on: 'true' }).expect(303);
    await request(ctx.app).get(`/Organizations/${orgSid}/Users`).set('Authorization', `Bearer ${token}`).expect(401);
    await request(ctx.app).get('/scim/v2/Users').set('Authorization', `Bearer ${token}`).expect(401);
    await request(ctx.app).get('/admin').set('Cookie', `orgward_session=${token}`).expect(303);
    const domain = await ctx.services.domains.get(OPERATOR, orgSid, 'acme.test');
    expect(domain).toMatchObject({ ssoEnforced: false, policy: 'restricted' });
  });
});

describe('an SSO link, end to end', () => {
  it('Okta: the IT admin sees the SP values, gives the IdP metadata, runs the test sign-in at the IdP and sees the attributes received; every step audited', async () => {
    const path = await newLink('sso');
    const first = await outsiderGet(path).expect(200);
    expect(first.text).toContain('Which identity provider do you use?');
    for (const name of ['Okta', 'Microsoft Entra ID', 'Google Workspace', 'Another SAML 2.0 identity provider', 'Another OpenID Connect provider']) expect(first.text).toContain(name);
    await outsiderPost(`${path}/idp`, { idp: 'okta' }).expect(303);
    const page = await outsiderGet(path).expect(200);
    const acs = /id="sp-acs">([^<]+)</.exec(page.text)?.[1] ?? '';
    expect(acs).toMatch(/^http:\/\/orgward\.test\/sso\/saml\/[0-9a-f-]{36}\/acs$/);
    expect(page.text).toContain('user.firstName');
    expect(page.text).toContain('Create App Integration');
    await outsiderPost(`${path}/saml`, { metadata: idp.metadataXml }).expect(303);
    const ready = await outsiderGet(path).expect(200);
    expect(ready.text).toContain('Run a test sign-in');
    const test = await outsiderPost(`${path}/test`).expect(200);
    const testUrl = /id="test-link" href="([^"]+)"/.exec(test.text)![1]!.replace(/&amp;/g, '&');
    // The browser: the test link, the IdP, and back to the ACS with the login cookie.
    const browser = request.agent(ctx.app);
    const toIdp = await browser.get(pathOf(testUrl)).expect(303);
    idp.nextLogin({ email: 'pat@acme.test', givenName: 'Pat', familyName: 'Lee' });
    const idpPage = await (await fetch(toIdp.headers.location as string)).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(idpPage)?.[1]?.replace(/&quot;/g, '"').replace(/&amp;/g, '&') ?? '';
    const action = /action="([^"]+)"/.exec(idpPage)![1]!;
    const done = await browser.post(pathOf(action)).type('form').send({ SAMLResponse: field('SAMLResponse'), RelayState: field('RelayState') });
    expect(done.text).toContain('Test sign-in succeeded');
    const after = await outsiderGet(path).expect(200);
    expect(after.text).toMatch(/id="last-test">[^<]*<strong>succeeded<\/strong>/);
    expect(after.text).toContain('pat@acme.test');
    expect(after.text).toContain('Single sign-on is set up.');
    // Nobody was signed in, and SSO is not enforced.
    expect(done.headers['set-cookie']?.toString() ?? '').not.toMatch(/orgward_session=[^;]/);
    expect(await ctx.services.domains.get(OPERATOR, orgSid, 'acme.test')).toMatchObject({ ssoEnforced: false });
    const [link] = (await ctx.services.setupLinks.list(OPERATOR, orgSid)).filter((l) => l.idp === 'okta');
    const log = await ctx.store.read.audit.list(orgSid, { target: link!.connectionId! });
    expect(log.map((e) => [e.actor, e.action])).toEqual([
      [`setup:${link!.sid}`, 'sso.connection_added'], [`setup:${link!.sid}`, 'sso.test_started'], ['system', 'sso.connection_tested'],
    ]);
  });

  it('refuses metadata that is not IdP metadata, with the code and the way back', async () => {
    const path = await newLink('sso');
    await outsiderPost(`${path}/idp`, { idp: 'saml' }).expect(303);
    const res = await outsiderPost(`${path}/saml`, { metadata: '<nope/>' }).expect(400);
    expect(res.text).toContain('<code>invalid_input</code>');
    expect(res.text).toContain(`href="${path}"`);
  });

  it('an OIDC connection needs an https issuer (a link cannot make Orgward fetch from loopback)', async () => {
    const path = await newLink('sso');
    await outsiderPost(`${path}/idp`, { idp: 'oidc' }).expect(303);
    expect((await outsiderGet(path)).text).toContain('id="sp-redirect"');
    const res = await outsiderPost(`${path}/oidc`, { issuer: 'http://127.0.0.1:1/', clientId: 'c', clientSecret: 's' }).expect(400);
    expect(res.text).toContain('invalid_input');
  });
});

describe('a SCIM link and a domain link, end to end', () => {
  it('SCIM: the token is shown once; a push of a user and a group shows on the page as the first received', async () => {
    const path = await newLink('scim');
    await outsiderPost(`${path}/idp`, { idp: 'entra' }).expect(303);
    const page = await outsiderGet(path).expect(200);
    expect(page.text).toContain('http://orgward.test/scim/v2');
    expect(page.text).toContain('Provision on demand');
    const created = await outsiderPost(`${path}/scim-tokens`).expect(201);
    const token = secretOn(created.text);
    expect(token).toMatch(/^scim_/);
    const waiting = await outsiderGet(path).expect(200);
    expect(waiting.text).not.toContain(token);
    expect(waiting.text).toContain('<meta http-equiv="refresh" content="15">');
    expect(waiting.text).toMatch(/id="first-user">none yet/);
    const scim = scimClient(ctx.app, token);
    const user = await scim.post('/Users', { schemas: [USER_URN], userName: 'robin@acme.test', name: { givenName: 'Robin', familyName: 'Doe' }, active: true }).expect(201);
    await scim.post('/Groups', { schemas: [GROUP_URN], displayName: 'Engineering', members: [{ value: user.body.id }] }).expect(201);
    const received = await outsiderGet(path).expect(200);
    expect(received.text).toMatch(/id="first-user">robin@acme\.test/);
    expect(received.text).toMatch(/id="first-group">Engineering/);
    expect(received.text).not.toContain('http-equiv="refresh"');
    // C5: the group gives nobody a role: mappings stay with administrators.
    expect((await ctx.store.read.users.getByEmail('robin@acme.test'))?.role).toBe('standard');
  });

  it('domain: registers, shows the TXT record, verifies when it is published', async () => {
    const path = await newLink('domain');
    await outsiderPost(`${path}/domains`, { domain: 'eu.acme.test' }).expect(303);
    const page = await outsiderGet(path).expect(200);
    const name = /id="txt-name-eu\.acme\.test">([^<]+)</.exec(page.text)![1]!;
    const value = /id="txt-value-eu\.acme\.test">([^<]+)</.exec(page.text)![1]!;
    expect((await outsiderPost(`${path}/domains/eu.acme.test/verify`).expect(409)).text).toContain('dns_txt_missing');
    published.set(name, [[value]]);
    await outsiderPost(`${path}/domains/eu.acme.test/verify`).expect(303);
    expect((await outsiderGet(path)).text).toContain('Verified');
    const log = await get(ctx, ownerCookie, '/admin/audit?action=domain.verified').expect(200);
    expect(log.text).toMatch(/<code>setup:SL[0-9a-f]{32}<\/code>/);
  });
});
