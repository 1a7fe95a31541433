/**
 * SSO connections over the Organizations API (issue 10, S1): SAML from IdP metadata XML (with the
 * XXE/DOCTYPE guard) or fields, OIDC from an issuer through discovery against the real test
 * provider, update resetting the test, disable/enable, delete, SP metadata, a test sign-in through
 * the real IdP and its recorded result, secrets never returned; roles (O3) and isolation (U6).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { IDP_A_KEY, IDP_B_KEY } from '../../../idp-fixtures/keys.js';
import { startOidcProvider, type TestOidcProvider } from '../../../idp-fixtures/oidc/provider.js';
import { followIdp, markTested, orgWithDomain } from '../sso/support.js';
import { apiClient, tokenFor } from './support.js';

let ctx: TestContext;
let idp: TestOidcProvider;
let a: Awaited<ReturnType<typeof orgWithDomain>>;
let adminToken: string;
let readOnlyToken: string;
let operatorToken: string;

beforeAll(async () => {
  ctx = await createTestContext();
  idp = await startOidcProvider();
  a = await orgWithDomain(ctx, 'sso-api.test', 'auto_enrollment');
  adminToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'admin'));
  readOnlyToken = await tokenFor(ctx, await apiClient(ctx, a.ownerActor, a.org.sid, 'read-only'));
  operatorToken = await tokenFor(ctx, await ctx.services.apiClients.createOperatorClient(OPERATOR, { name: 'ops' }));
  idp.addAccount({ sub: 'sub-tina', email: 'tina@sso-api.test', emailVerified: true, name: 'Tina Test' });
  idp.addAccount({ sub: 'sub-out', email: 'out@elsewhere.test', emailVerified: true });
});
afterAll(async () => {
  await idp.close();
  await ctx.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const base = () => `/Organizations/${a.org.sid}/SsoConnections`;
const der = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

function metadata(entityId: string, options: { doctype?: string; cert?: string } = {}): string {
  return `<?xml version="1.0"?>${options.doctype ?? ''}
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der(IDP_B_KEY.cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      ${der(options.cert ?? IDP_A_KEY.cert)}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

describe('SAML connections', () => {
  it('R-S1: created from IdP metadata XML: entityID, the HTTP-Redirect SSO URL and only the signing certificate; untested', async () => {
    const res = await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: metadata('https://idp.example.test/meta') }).expect(201);
    expect(res.body).toMatchObject({
      protocol: 'saml', enabled: true, tested: false, idp_entity_id: 'https://idp.example.test/meta', sso_url: 'https://idp.example.test/redirect',
      metadata_url: expect.stringContaining(`/sso/saml/${res.body.id}/metadata`), client_id: null,
    });
    expect(res.body.certificates).toHaveLength(1);
    expect(res.body.date_certificate_expires).toBe(res.body.certificates[0].date_expires);
    const list = await request(ctx.app).get(base()).set(bearer(adminToken)).expect(200);
    expect(list.body.connections.map((c: { id: string }) => c.id)).toContain(res.body.id);
  });

  it('refuses metadata with a DOCTYPE (XXE, entity expansion), malformed XML and metadata without a Redirect SSO service; nothing is created', async () => {
    const before = (await ctx.services.sso.list(OPERATOR, a.org.sid)).length;
    const xxe = metadata('https://idp.example.test/xxe', { doctype: '<!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' });
    const res = await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: xxe }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('DOCTYPE') });
    await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: '<md:EntityDescriptor' }).expect(400);
    const noRedirect = metadata('https://idp.example.test/nr').replace(/<md:SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*>/, '');
    await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: noRedirect }).expect(400);
    await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: metadata('https://x.test', { cert: 'bm90IGEgY2VydA==' }) }).expect(400);
    expect(await ctx.services.sso.list(OPERATOR, a.org.sid)).toHaveLength(before);
  });

  it('R-S1: created from fields; changing its certificate resets the test; a stale If-Match is 412', async () => {
    const created = await request(ctx.app).post(base()).set(bearer(adminToken))
      .send({ protocol: 'saml', idp_entity_id: 'https://idp.example.test/fields', sso_url: 'https://idp.example.test/sso', certificates: [IDP_A_KEY.cert] }).expect(201);
    await markTested(ctx, created.body.id);
    const tested = await request(ctx.app).get(`${base()}/${created.body.id}`).set(bearer(adminToken)).expect(200);
    expect(tested.body.tested).toBe(true);
    await request(ctx.app).post(`${base()}/${created.body.id}`).set(bearer(adminToken)).set('If-Match', created.headers.etag!).send({ allow_sha1: false }).expect(412);
    const changed = await request(ctx.app).post(`${base()}/${created.body.id}`).set(bearer(adminToken)).set('If-Match', tested.headers.etag!)
      .send({ certificates: [IDP_B_KEY.cert] }).expect(200);
    expect(changed.body).toMatchObject({ tested: false, date_tested: null });
    await request(ctx.app).post(`${base()}/${created.body.id}`).set(bearer(adminToken)).send({ client_id: 'x' }).expect(400);
  });

  it('serves our SP metadata as XML', async () => {
    const created = await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: metadata('https://idp.example.test/sp') }).expect(201);
    const res = await request(ctx.app).get(`${base()}/${created.body.id}/Metadata`).set(bearer(adminToken)).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    expect(res.text).toContain(`entityID="${created.body.sp_entity_id}"`);
    expect(res.text).toContain(created.body.acs_url);
    expect(res.text).not.toMatch(/PRIVATE KEY/);
  });

  it('R-S1, R-U5: disable and enable; the only working connection of an enforced domain cannot be disabled or deleted; otherwise deleted', async () => {
    const org = await orgWithDomain(ctx, 'enforced-api.test');
    const url = `/Organizations/${org.org.sid}/SsoConnections`;
    const before = await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'admin'));
    const c = await request(ctx.app).post(url).set(bearer(before)).send({ protocol: 'saml', metadata_xml: metadata('https://idp.example.test/enf') }).expect(201);
    await markTested(ctx, c.body.id);
    await ctx.services.sso.setEnforcement(org.ownerActor, org.org.sid, 'enforced-api.test', true);
    // S7: clients made before enforcement stop; one made after it works (as in accounts.test.ts).
    const token = await tokenFor(ctx, await apiClient(ctx, org.ownerActor, org.org.sid, 'admin'));
    const listed = await request(ctx.app).get(`${url}/${c.body.id}`).set(bearer(token)).expect(200);
    expect(listed.body.enforced_domains).toEqual(['enforced-api.test']);
    const refused = await request(ctx.app).post(`${url}/${c.body.id}`).set(bearer(token)).send({ enabled: false }).expect(409);
    expect(refused.body.error.code).toBe('sso_connection_in_use');
    await request(ctx.app).delete(`${url}/${c.body.id}`).set(bearer(token)).expect(409);
    await ctx.services.sso.setEnforcement(org.ownerActor, org.org.sid, 'enforced-api.test', false);
    expect((await request(ctx.app).post(`${url}/${c.body.id}`).set(bearer(token)).send({ enabled: false }).expect(200)).body.enabled).toBe(false);
    expect((await request(ctx.app).post(`${url}/${c.body.id}`).set(bearer(token)).send({ enabled: true }).expect(200)).body.enabled).toBe(true);
    await request(ctx.app).delete(`${url}/${c.body.id}`).set(bearer(token)).expect(204);
    await request(ctx.app).get(`${url}/${c.body.id}`).set(bearer(token)).expect(404);
    const log = await ctx.services.auditLog.list(OPERATOR, org.org.sid, { action: 'sso.connection_removed' });
    expect(log.entries.map((e) => e.target)).toEqual([c.body.id]);
  });
});

describe('OIDC connections and test sign-ins', () => {
  it('R-S1: created from an issuer through discovery; a test sign-in through the real IdP records its result; the secret is never returned', async () => {
    const created = await request(ctx.app).post(base()).set(bearer(operatorToken))
      .send({ protocol: 'oidc', issuer: idp.issuer, client_id: 'api-oidc', client_secret: 'api-oidc-secret-value', allow_http_issuer: true }).expect(201);
    expect(created.body).toMatchObject({ protocol: 'oidc', issuer: idp.issuer, client_id: 'api-oidc', tested: false, redirect_uri: expect.stringContaining('/callback') });
    idp.addClient({ clientId: 'api-oidc', clientSecret: 'api-oidc-secret-value', redirectUri: created.body.redirect_uri });
    const none = await request(ctx.app).get(`${base()}/${created.body.id}/Tests/Last`).set(bearer(adminToken)).expect(200);
    expect(none.body).toMatchObject({ outcome: 'none', date_tested: null });

    const started = await request(ctx.app).post(`${base()}/${created.body.id}/Tests`).set(bearer(adminToken)).expect(201);
    expect(started.body.url).toMatch(new RegExp(`^${ctx.baseUrl}/sso/test/sst_`));
    const browser = request.agent(ctx.app);
    const toIdp = await browser.get(started.body.url.slice(ctx.baseUrl.length)).expect(303);
    idp.nextLogin('sub-tina');
    await browser.get(await followIdp(toIdp.headers.location!, ctx.baseUrl)).expect(200);
    const result = await request(ctx.app).get(`${base()}/${created.body.id}/Tests/Last`).set(bearer(adminToken)).expect(200);
    expect(result.body).toMatchObject({
      outcome: 'succeeded', error_code: null, date_tested: expect.any(String),
      attributes: { issuer: idp.issuer, subject: 'sub-tina', email: 'tina@sso-api.test', email_verified: true },
    });
    // The link is single-use.
    await browser.get(started.body.url.slice(ctx.baseUrl.length)).expect((r) => expect(r.status).toBeGreaterThanOrEqual(400));
    const fetched = await request(ctx.app).get(`${base()}/${created.body.id}`).set(bearer(adminToken)).expect(200);
    expect(fetched.body.tested).toBe(true);

    // A test refused by S4 (an email outside the organization's domains) is recorded as failed.
    const again = await request(ctx.app).post(`${base()}/${created.body.id}/Tests`).set(bearer(adminToken)).expect(201);
    const second = request.agent(ctx.app);
    const toIdp2 = await second.get(again.body.url.slice(ctx.baseUrl.length)).expect(303);
    idp.nextLogin('sub-out');
    await second.get(await followIdp(toIdp2.headers.location!, ctx.baseUrl)).expect((r) => expect(r.status).toBeGreaterThanOrEqual(400));
    const failed = await request(ctx.app).get(`${base()}/${created.body.id}/Tests/Last`).set(bearer(adminToken)).expect(200);
    expect(failed.body).toMatchObject({ outcome: 'failed', error_code: 'sso_domain_mismatch', attributes: { email: 'out@elsewhere.test' } });

    const everything = JSON.stringify([(await request(ctx.app).get(base()).set(bearer(adminToken))).body, fetched.body, created.body]);
    expect(everything).not.toContain('api-oidc-secret-value');
  });

  it('an issuer without a discovery document is 400; an http issuer is for operators only; fields of the other protocol are 400', async () => {
    const unreachable = await request(ctx.app).post(base()).set(bearer(operatorToken))
      .send({ protocol: 'oidc', issuer: 'http://127.0.0.1:1', client_id: 'c', client_secret: 's', allow_http_issuer: true }).expect(400);
    expect(unreachable.body.error.message).toContain('/.well-known/openid-configuration');
    await request(ctx.app).post(base()).set(bearer(adminToken))
      .send({ protocol: 'oidc', issuer: idp.issuer, client_id: 'c', client_secret: 's', allow_http_issuer: true }).expect(403);
    // Refused before any discovery request: an administrator cannot probe the server's loopback (403, not 400).
    await request(ctx.app).post(base()).set(bearer(adminToken))
      .send({ protocol: 'oidc', issuer: 'http://127.0.0.1:1', client_id: 'c', client_secret: 's', allow_http_issuer: true }).expect(403);
    await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'oidc', issuer: idp.issuer, client_id: 'c', client_secret: 's' }).expect(400);
    await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', issuer: idp.issuer }).expect(400);
    await request(ctx.app).post(base()).set(bearer(adminToken)).send({ protocol: 'saml', metadata_xml: metadata('https://m.test'), color: 'red' }).expect(400);
  });
});

describe('who may call it', () => {
  it('R-U6: another organization\'s client gets 404 for every route of this organization\'s connections', async () => {
    const id = (await ctx.services.sso.addSaml(OPERATOR, a.org.sid, { idpEntityId: 'https://iso.test', ssoUrl: 'https://iso.test/sso', certificates: [IDP_A_KEY.cert] })).connectionId;
    const b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@sso-b.test' });
    const bToken = await tokenFor(ctx, await apiClient(ctx, b.ownerActor, b.org.sid, 'admin'));
    await request(ctx.app).get(base()).set(bearer(bToken)).expect(404);
    await request(ctx.app).get(`${base()}/${id}`).set(bearer(bToken)).expect(404);
    await request(ctx.app).post(`${base()}/${id}`).set(bearer(bToken)).send({ enabled: false }).expect(404);
    await request(ctx.app).delete(`${base()}/${id}`).set(bearer(bToken)).expect(404);
    await request(ctx.app).get(`${base()}/${id}/Metadata`).set(bearer(bToken)).expect(404);
    await request(ctx.app).post(`${base()}/${id}/Tests`).set(bearer(bToken)).expect(404);
    await request(ctx.app).get(`${base()}/${id}/Tests/Last`).set(bearer(bToken)).expect(404);
    // By reference through its own organization: still not found.
    const bBase = `/Organizations/${b.org.sid}/SsoConnections`;
    await request(ctx.app).get(`${bBase}/${id}`).set(bearer(bToken)).expect(404);
    await request(ctx.app).post(`${bBase}/${id}`).set(bearer(bToken)).send({ enabled: false }).expect(404);
    await request(ctx.app).delete(`${bBase}/${id}`).set(bearer(bToken)).expect(404);
    await request(ctx.app).post(`${bBase}/${id}/Tests`).set(bearer(bToken)).expect(404);
    await request(ctx.app).get(`${bBase}/${id}/Tests/Last`).set(bearer(bToken)).expect(404);
    expect((await ctx.services.sso.list(OPERATOR, a.org.sid)).find((c) => c.connectionId === id)?.enabled).toBe(true);
  });

  it('R-O3: a read-only client and a Standard User cannot add, change or test connections; the Owner\'s session lists them', async () => {
    const id = (await ctx.services.sso.addSaml(OPERATOR, a.org.sid, { idpEntityId: 'https://roles.test', ssoUrl: 'https://roles.test/sso', certificates: [IDP_A_KEY.cert] })).connectionId;
    await request(ctx.app).post(base()).set(bearer(readOnlyToken)).send({ protocol: 'saml', metadata_xml: metadata('https://ro.test') }).expect(403);
    await request(ctx.app).post(`${base()}/${id}`).set(bearer(readOnlyToken)).send({ enabled: false }).expect(403);
    await request(ctx.app).delete(`${base()}/${id}`).set(bearer(readOnlyToken)).expect(403);
    await request(ctx.app).post(`${base()}/${id}/Tests`).set(bearer(readOnlyToken)).expect(403);
    const session = async (userSid: string) => `orgward_session=${(await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }))).token}`;
    const std = await addMember(ctx, a.org.sid, 'std@sso-api.test');
    await request(ctx.app).get(base()).set('Cookie', await session(std.sid)).expect(403);
    const owner = await request(ctx.app).get(base()).set('Cookie', await session(a.owner.sid)).expect(200);
    expect(owner.body.connections.map((c: { id: string }) => c.id)).toContain(id);
  });
});
