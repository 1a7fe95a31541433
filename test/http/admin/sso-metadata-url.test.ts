/**
 * A SAML connection from the IdP's metadata URL (issue 11, S1), through the real app: the Admin
 * Center form, a setup link's SAML step and the API fetch the loopback test IdP's metadata; the
 * SSRF guard (address-guard.ts, shared with webhooks) refuses loopback addresses and plain http
 * unless the operator allows private targets; a redirect is followed and each hop checked again;
 * an oversize body, a web page instead of XML, an error status and a silent server are refused
 * with a message that says what to do (paste the XML instead).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import request from 'supertest';
import type { Actor } from '../../../src/types.js';
import { IDP_A_KEY } from '../../../idp-fixtures/keys.js';
import { startSamlIdp, type TestSamlIdp } from '../../../idp-fixtures/saml/idp-server.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { apiClient, tokenFor } from '../api/support.js';
import { CSRF, get, post, sessionCookie } from './support.js';

let ctx: TestContext;
/** A second app over the same data, with the defaults: public https addresses only. */
let strict: TestContext;
let idp: TestSamlIdp;
let odd: http.Server;
let oddBase: string;
/** An https server whose certificate nobody trusts (self-signed). */
let untrusted: https.Server;
let orgSid: string;
let ownerActor: Actor;
let ownerCookie: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  idp = await startSamlIdp();
  // A server that answers as broken or hostile metadata hosts do.
  odd = http.createServer((req, res) => {
    if (req.url === '/oversize') res.writeHead(200, { 'content-type': 'application/xml' }).end(`<x>${'a'.repeat(300 * 1024)}</x>`);
    else if (req.url === '/oversize-chunked') { res.writeHead(200, { 'content-type': 'application/xml' }); res.write('<x>'); res.end('a'.repeat(300 * 1024)); }
    else if (req.url === '/login-page') res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Sign in</body></html>');
    else if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"nope"}');
    else if (req.url === '/missing') res.writeHead(404).end('not here');
    else if (req.url === '/moved') res.writeHead(302, { location: idp.metadataUrl }).end();
    else if (req.url === '/to-ftp') res.writeHead(302, { location: 'ftp://idp.example.test/metadata' }).end();
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    // /silent: never answers (the fetch's time limit ends it).
  });
  odd.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  oddBase = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  untrusted = https.createServer({ key: IDP_A_KEY.key, cert: IDP_A_KEY.cert }, (_req, res) => res.end(idp.metadataXml));
  await new Promise<void>((resolve) => untrusted.listen(0, '127.0.0.1', resolve));
  ctx = await createTestContext({ ssoMetadata: { allowPrivateTargets: true, timeoutMs: 400 } });
  strict = await createTestContext({ testDb: ctx.testDb });
  const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@meta.test', name: 'Meta' });
  orgSid = org.org.sid;
  ownerActor = org.ownerActor;
  ownerCookie = await sessionCookie(ctx, org.owner.sid);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => odd.close(resolve));
  untrusted.closeAllConnections();
  await new Promise((resolve) => untrusted.close(resolve));
  await idp.close();
  await strict.close();
  await ctx.close();
});

const addByUrl = (c: TestContext, url: string) => post(c, ownerCookie, '/admin/sso/saml', { metadataUrl: url });
const codeOf = (html: string) => /<code>([a-z_]+)<\/code>/.exec(html)?.[1];

describe('Admin Center: SAML from the metadata URL (S1)', () => {
  it('offers the URL field and creates the connection from the IdP metadata fetched from it', async () => {
    expect((await get(ctx, ownerCookie, '/admin/sso').expect(200)).text).toContain('name="metadataUrl"');
    const added = await addByUrl(ctx, idp.metadataUrl).expect(303);
    const page = await get(ctx, ownerCookie, added.headers.location as string).expect(200);
    expect(page.text).toContain(idp.entityId);
    const [c] = (await ctx.services.sso.list(OPERATOR, orgSid)).filter((x) => x.idpEntityId === idp.entityId);
    expect(c).toMatchObject({ ssoUrl: idp.ssoUrl, certificates: [expect.objectContaining({ fingerprint256: expect.any(String) })] });
  });

  it('follows a redirect, checking the next hop again (a redirect to ftp:// is refused)', async () => {
    await addByUrl(ctx, `${oddBase}/moved`).expect(303);
    const ftp = await addByUrl(ctx, `${oddBase}/to-ftp`).expect(400);
    expect(codeOf(ftp.text)).toBe('metadata_url_refused');
    expect(ftp.text).toContain('redirected to ftp://');
    const loop = await addByUrl(ctx, `${oddBase}/loop`).expect(400);
    expect(loop.text).toContain('more than 3 redirects');
  });

  it('refuses an oversize body, declared or streamed, and says to paste the XML instead', async () => {
    for (const path of ['/oversize', '/oversize-chunked']) {
      const res = await addByUrl(ctx, `${oddBase}${path}`).expect(400);
      expect(codeOf(res.text)).toBe('metadata_fetch_failed');
      expect(res.text).toContain('larger than 256 KiB');
      expect(res.text).toContain('paste the XML');
    }
  });

  it('refuses a web page, a JSON body and an error status with what to check', async () => {
    const page = await addByUrl(ctx, `${oddBase}/login-page`).expect(400);
    expect(page.text).toContain('did not answer with XML but with a web page');
    const json = await addByUrl(ctx, `${oddBase}/json`).expect(400);
    expect(json.text).toContain('did not answer with XML but with text');
    const missing = await addByUrl(ctx, `${oddBase}/missing`).expect(400);
    expect(missing.text).toContain('answered HTTP 404; check the URL');
  });

  it('gives up on a server that does not answer within the time limit', async () => {
    const started = Date.now();
    const res = await addByUrl(ctx, `${oddBase}/silent`).expect(400);
    expect(codeOf(res.text)).toBe('metadata_fetch_failed');
    expect(res.text).toContain('no complete answer within 0.4 s');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('verifies the https certificate, and says so when it is not trusted or nothing listens', async () => {
    const res = await addByUrl(ctx, `https://127.0.0.1:${(untrusted.address() as AddressInfo).port}/metadata`).expect(400);
    expect(codeOf(res.text)).toBe('metadata_fetch_failed');
    expect(res.text).toMatch(/TLS certificate is not trusted \([A-Z_]+\)/);
    const closed = await addByUrl(ctx, 'http://127.0.0.1:1/metadata').expect(400);
    expect(closed.text).toContain('refused the connection');
  });

  it('refuses both the XML and the URL at once, and a URL that is not one', async () => {
    const both = await post(ctx, ownerCookie, '/admin/sso/saml', { metadata: idp.metadataXml, metadataUrl: idp.metadataUrl }).expect(400);
    expect(both.text).toContain('not both');
    expect((await addByUrl(ctx, 'not a url').expect(400)).text).toContain('give an absolute https:// URL');
  });

  it('SSRF: by default a loopback address, a name resolving to one, and plain http are refused before any request', async () => {
    const port = new URL(idp.metadataUrl).port;
    for (const url of [`https://127.0.0.1:${port}/metadata`, `https://localhost:${port}/metadata`, `https://[::1]:${port}/metadata`]) {
      const res = await addByUrl(strict, url).expect(400);
      expect(codeOf(res.text)).toBe('metadata_url_refused');
      expect(res.text).toContain('public addresses only');
      expect(res.text).toContain('SSO_METADATA_ALLOW_PRIVATE_TARGETS=true');
    }
    const plain = await addByUrl(strict, idp.metadataUrl).expect(400);
    expect(codeOf(plain.text)).toBe('metadata_url_refused');
    expect(plain.text).toContain('give the https:// URL');
  });
});

describe('the setup link SAML step and the API take the URL too', () => {
  it('a setup link IT admin gives the metadata URL', async () => {
    const created = await post(ctx, ownerCookie, '/admin/setup-links', { kind: 'sso', days: '7' }).expect(201);
    const url = /<code class="copyable" id="secret-value">([^<]+)<\/code>/.exec(created.text)![1]!.replace(/&#x2F;|&#47;/g, '/');
    const path = new URL(url).pathname;
    const outsider = `orgward_csrf=${CSRF}`;
    const send = (to: string, fields: Record<string, string>) => request(ctx.app).post(to).set('Cookie', outsider).type('form').send({ _csrf: CSRF, ...fields });
    await send(`${path}/idp`, { idp: 'saml' }).expect(303);
    expect((await request(ctx.app).get(path).set('Cookie', outsider).expect(200)).text).toContain('name="metadataUrl"');
    const refused = await send(`${path}/saml`, { metadataUrl: `${oddBase}/login-page` }).expect(400);
    expect(refused.text).toContain('paste the XML');
    await send(`${path}/saml`, { metadataUrl: idp.metadataUrl }).expect(303);
    expect((await request(ctx.app).get(path).set('Cookie', outsider).expect(200)).text).toContain(`IdP ${idp.entityId}`);
  });

  it('POST SsoConnections with metadata_url (and refused with metadata_xml or fields alongside)', async () => {
    const token = await tokenFor(ctx, await apiClient(ctx, ownerActor, orgSid, 'admin'));
    const api = (c: TestContext, body: object) => request(c.app).post(`/Organizations/${orgSid}/SsoConnections`).set('Authorization', `Bearer ${token}`).send(body);
    const res = await api(ctx, { protocol: 'saml', metadata_url: idp.metadataUrl }).expect(201);
    expect(res.body).toMatchObject({ idp_entity_id: idp.entityId, sso_url: idp.ssoUrl, tested: false });
    expect((await api(ctx, { protocol: 'saml', metadata_url: idp.metadataUrl, metadata_xml: idp.metadataXml }).expect(400)).body.error.message).toContain('not both');
    expect((await api(ctx, { protocol: 'saml', metadata_url: idp.metadataUrl, sso_url: idp.ssoUrl }).expect(400)).body.error.code).toBe('invalid_input');
    const refused = await api(strict, { protocol: 'saml', metadata_url: `https://127.0.0.1/metadata` }).expect(400);
    expect(refused.body.error.code).toBe('metadata_url_refused');
    expect(refused.body.error.details).toMatchObject({ field: 'metadata_url' });
  });
});
