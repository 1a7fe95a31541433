import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember } from '../../support/fixtures.js';
import {
  csrfOf, expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, sessionCookieOf, startSaml, submitEmail, type SamlConnection,
} from './support.js';

let ctx: TestContext;
let conn: SamlConnection;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await orgWithDomain(ctx, 'corp.test', 'auto_enrollment')).org.sid;
  conn = await samlConnection(ctx, orgSid);
});
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => { await ctx.close(); });

describe('SAML sign-in (S2, S3, S5, S6)', () => {
  it('R-S2: an email on a verified domain with a tested connection is sent to the IdP with a signed, recorded AuthnRequest', async () => {
    const agent = request.agent(ctx.app);
    const res = await submitEmail(agent, 'Someone@Corp.test');
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!);
    expect(location.origin + location.pathname).toBe('https://idp.example.test/sso');
    expect(location.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(location.searchParams.get('Signature')).toBeTruthy();
    expect(location.searchParams.get('RelayState')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('R-S3: an Okta-shaped response signs in, and /api/v1/me names the user and the method', async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'olivia@corp.test');
    const xml = await mintFor(conn, { shape: 'okta', email: 'olivia@corp.test', inResponseTo: requestId, givenName: 'Olivia', familyName: 'Okta' });
    const res = await postResponse(agent, conn.connectionId, xml, relayState).expect(303);
    expect(res.headers.location).toBe('/login');
    const cookie = sessionCookieOf(res)!;
    expect(res.headers['set-cookie']!.toString()).toMatch(/orgward_session=ows_[\w-]+; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual({ sid: expect.stringMatching(/^US[0-9a-f]{32}$/), email: 'olivia@corp.test', orgSid, role: 'standard', signInMethod: 'saml' });
    const user = await ctx.store.read.users.getByEmail('olivia@corp.test');
    expect(user).toMatchObject({ givenName: 'Olivia', familyName: 'Okta', orgSid });
  });

  it('R-S6: an Entra-shaped response (persistent NameID, claims by URI) signs in and is keyed by issuer and object ID', async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'erin@corp.test');
    const objectId = '5f0c6a3e-9a51-4a7b-8f0e-2c1d3b4a5e6f';
    const xml = await mintFor(conn, { shape: 'entra', email: 'erin@corp.test', nameId: objectId, inResponseTo: requestId, givenName: 'Erin', familyName: 'Entra' });
    const res = await postResponse(agent, conn.connectionId, xml, relayState).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body.email).toBe('erin@corp.test');
    const identity = await ctx.store.read.ssoIdentities.find(orgSid, conn.idpEntityId, objectId);
    expect(identity?.userSid).toBe(me.body.sid);
  });

  it('R-S6: a second sign-in by the same subject reuses the identity, even when the IdP now sends another email', async () => {
    const agent = request.agent(ctx.app);
    const first = await startSaml(agent, 'first@corp.test');
    const nameId = 'stable-subject-42';
    await postResponse(agent, conn.connectionId, await mintFor(conn, { email: 'first@corp.test', nameId, inResponseTo: first.requestId }), first.relayState).expect(303);
    const again = await startSaml(agent, 'first@corp.test');
    const res = await postResponse(agent, conn.connectionId, await mintFor(conn, { email: 'renamed@corp.test', nameId, inResponseTo: again.requestId }), again.relayState).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body.email).toBe('first@corp.test');
    expect(await ctx.store.read.users.getByEmail('renamed@corp.test')).toBeUndefined();
  });

  it('R-S3: an encrypted assertion with AES-256-GCM and RSA-OAEP to our SP certificate is accepted', async () => {
    const settings = await ctx.services.sso.samlSettings(conn.connectionId);
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'gina@corp.test');
    const xml = await mintFor(conn, { email: 'gina@corp.test', inResponseTo: requestId, encrypt: { certificate: settings.spCertificate, data: 'aes256-gcm' } });
    expect(xml).toContain('EncryptedAssertion');
    expect(xml).not.toContain('gina@corp.test');
    const res = await postResponse(agent, conn.connectionId, xml, relayState).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body.email).toBe('gina@corp.test');
  });

  it('R-S6: links an existing member by email at the first SSO sign-in, then never by email again', async () => {
    const member = await addMember(ctx, orgSid, 'mia@corp.test', 'admin');
    const agent = request.agent(ctx.app);
    const first = await startSaml(agent, 'mia@corp.test');
    const res = await postResponse(agent, conn.connectionId, await mintFor(conn, { email: 'mia@corp.test', nameId: 'mia-subject', inResponseTo: first.requestId }), first.relayState).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body).toMatchObject({ sid: member.sid, role: 'admin', signInMethod: 'saml' });
    // S6: the same email under a new subject is refused until an administrator links it.
    const second = await startSaml(agent, 'mia@corp.test');
    const refused = await postResponse(agent, conn.connectionId, await mintFor(conn, { email: 'mia@corp.test', nameId: 'another-subject', inResponseTo: second.requestId }), second.relayState);
    expect(refused.status).toBe(409);
    expectRefusalPage(refused, 'sso_identity_conflict');
  });

  it('serves SP metadata with our entity ID, ACS URL and certificate', async () => {
    const res = await request(ctx.app).get(`/sso/saml/${conn.connectionId}/metadata`).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/samlmetadata\+xml/);
    expect(res.text).toContain(`entityID="${conn.spEntityId}"`);
    expect(res.text).toContain(`Location="${conn.acsUrl}"`);
    const settings = await ctx.services.sso.samlSettings(conn.connectionId);
    const body = settings.spCertificate.replace(/-----[^-]+-----|\s/g, '');
    expect(res.text.replace(/\s/g, '')).toContain(body);
    expect(res.text).not.toContain('PRIVATE KEY');
  });

  it('answers an unknown connection with a clean 404 page', async () => {
    const res = await request(ctx.app).get('/sso/saml/00000000-0000-4000-8000-000000000000/metadata');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<code>not_found</code>');
    const page = await request(ctx.app).get('/login');
    expect(csrfOf(page.text)).toMatch(/^[\w-]{43}$/);
  });
});
