// Time conditions, audience/recipient/destination/issuer, algorithms, encryption, and hostile input.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { deeplyNested, doctypeXxe, entityBomb, oversized } from '../../../idp-fixtures/saml/hostile.js';
import { encodeResponse, type MintOptions } from '../../../idp-fixtures/saml/mint.js';
import {
  expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, sessionCookieOf, startSaml, writtenRows, type SamlConnection,
} from './support.js';

let ctx: TestContext;
let conn: SamlConnection;
let sha1Conn: SamlConnection;

beforeAll(async () => {
  ctx = await createTestContext();
  const a = await orgWithDomain(ctx, 'corp.test', 'auto_enrollment');
  conn = await samlConnection(ctx, a.org.sid);
  const legacy = await orgWithDomain(ctx, 'legacy.test', 'auto_enrollment');
  sha1Conn = await samlConnection(ctx, legacy.org.sid, { allowSha1: true });
});
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => { await ctx.close(); });

/** Starts a login for `email`, mints with `mint`, optionally reworks the XML, posts it. */
async function post(email: string, mint: Partial<MintOptions>, rework: (xml: string) => string = (x) => x, c = conn) {
  const agent = request.agent(ctx.app);
  const { requestId, relayState } = await startSaml(agent, email);
  const xml = rework(await mintFor(c, { email, inResponseTo: requestId, ...mint }));
  const before = await writtenRows(ctx);
  const started = performance.now();
  const res = await postResponse(agent, c.connectionId, xml, relayState);
  return { res, ms: performance.now() - started, before, after: await writtenRows(ctx) };
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe('SAML conditions and addressing (S3)', () => {
  it.each<[string, Partial<MintOptions>]>([
    ['expired conditions (NotOnOrAfter passed)', { notBefore: minutes(-20), notOnOrAfter: minutes(-10) }],
    ['not yet valid conditions (NotBefore ahead)', { notBefore: minutes(10), notOnOrAfter: minutes(20) }],
    ['expired subject confirmation (NotOnOrAfter passed)', { subjectNotOnOrAfter: minutes(-5) }],
    ['a subject confirmation without NotOnOrAfter', { subjectNotOnOrAfter: null }],
    ['another audience', { audience: 'https://other-sp.example.test/saml' }],
    ['another recipient', { recipient: 'https://evil.example.test/acs' }],
    ['no recipient', { recipient: null }],
    ['another destination', { destination: 'https://evil.example.test/acs' }],
    ['an assertion issuer other than the IdP entity ID', { issuer: 'https://evil-idp.example.test' }],
    ['a response issuer other than the IdP entity ID', { responseIssuer: 'https://evil-idp.example.test' }],
  ])('R-S3: a response with %s is refused and writes nothing', async (_name, mint) => {
    const { res, before, after } = await post('tess@corp.test', mint);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
  });

  it('R-S3: a response without Destination and without a response Issuer is still accepted (both are optional)', async () => {
    const { res } = await post('opt@corp.test', { destination: null, responseIssuer: null });
    expect(res.status).toBe(303);
  });
});

describe('SAML algorithms (S3)', () => {
  it.each<[string, Partial<MintOptions>]>([
    ['an RSA-SHA1 signature', { signatureAlgorithm: 'sha1' }],
    ['a SHA-1 digest', { digestAlgorithm: 'sha1' }],
  ])('R-S3: %s is refused unless the connection allows SHA-1', async (_name, mint) => {
    const refused = await post('sid@corp.test', mint);
    expect(refused.res.status).toBe(401);
    expectRefusalPage(refused.res, 'sso_response_invalid');
    expect(refused.after).toEqual(refused.before);
    const allowed = await post('sid@legacy.test', mint, undefined, sha1Conn);
    expect(allowed.res.status).toBe(303);
    expect(sessionCookieOf(allowed.res)).toBeDefined();
  });

  it.each<[string, NonNullable<MintOptions['encrypt']>['data'], NonNullable<MintOptions['encrypt']>['keyTransport']]>([
    ['AES-256-CBC', 'aes256-cbc', 'rsa-oaep-mgf1p'],
    ['AES-128-CBC', 'aes128-cbc', 'rsa-oaep-mgf1p'],
    ['RSA PKCS#1 v1.5 key transport', 'aes256-gcm', 'rsa-1_5'],
  ])('R-S3: an assertion encrypted with %s is refused', async (_name, data, keyTransport) => {
    const settings = await ctx.services.sso.samlSettings(conn.connectionId);
    const { res, before, after } = await post('enc@corp.test', { encrypt: { certificate: settings.spCertificate, data, keyTransport } });
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
  });

  it('R-S3: an assertion encrypted with AES-128-GCM is accepted', async () => {
    const settings = await ctx.services.sso.samlSettings(conn.connectionId);
    const { res } = await post('gcm128@corp.test', { encrypt: { certificate: settings.spCertificate, data: 'aes128-gcm' } });
    expect(res.status).toBe(303);
  });
});

describe('hostile XML is refused before parsing, in milliseconds', () => {
  it.each<[string, (xml: string) => string]>([
    ['a DOCTYPE with an external entity (XXE)', doctypeXxe],
    ['an entity expansion bomb', entityBomb],
    ['a plain DOCTYPE', (xml) => xml.replace(/^(<\?xml[^>]*\?>)?/, '$1<!DOCTYPE Response>')],
  ])('%s', async (_name, rework) => {
    const { res, ms, before, after } = await post('dtd@corp.test', {}, rework);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(res.text).not.toContain('root:');
    expect(after).toEqual(before);
    expect(ms).toBeLessThan(1000);
  });

  it.each<[string, (assertion: string) => string]>([
    ['a DOCTYPE with an entity bomb', (a) => `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${a}`],
    ['XML nested 1,000 deep', (a) => a.replace(/(<\/(\w+:)?Issuer>)/, `$1${'<x>'.repeat(1000)}${'</x>'.repeat(1000)}`)],
  ])('inside an encrypted assertion, %s is refused before node-saml parses it', async (_name, plaintext) => {
    const settings = await ctx.services.sso.samlSettings(conn.connectionId);
    const { res, before, after } = await post('hidden@corp.test', { encrypt: { certificate: settings.spCertificate, plaintext } });
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
  });

  it('XML nested 20,000 deep (about 140 KB) is refused quickly', async () => {
    const { res, ms } = await post('deep@corp.test', {}, (xml) => deeplyNested(xml, 20_000));
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(ms).toBeLessThan(1000);
  });

  it('XML nested 40 deep (under the size limit, over the depth limit) is refused', async () => {
    const { res } = await post('deep40@corp.test', {}, (xml) => deeplyNested(xml, 40));
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
  });

  it('a body over 256 KB is refused with 413 before it is read whole', async () => {
    const { res, ms } = await post('big@corp.test', {}, (xml) => oversized(xml, 300 * 1024));
    expect(res.status).toBe(413);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(ms).toBeLessThan(1000);
  });

  it('a field that is not base64, or a SAMLRequest instead of a SAMLResponse, is refused', async () => {
    const bad = await request(ctx.app).post(`/sso/saml/${conn.connectionId}/acs`).type('form').send({ SAMLResponse: '<samlp:Response/>' });
    expect(bad.status).toBe(401);
    expectRefusalPage(bad, 'sso_response_invalid');
    const req = await request(ctx.app).post(`/sso/saml/${conn.connectionId}/acs`).type('form').send({ SAMLRequest: encodeResponse('<x/>') });
    expect(req.status).toBe(401);
    expectRefusalPage(req, 'sso_response_invalid');
  });
});
