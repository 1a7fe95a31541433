/**
 * Helpers of the SSO tests: organizations with verified domains, connections, a browser-like
 * agent for the sign-in pages, the SAML request our SP sent, and a cookie-keeping client that
 * walks an IdP's redirects until they come back to Orgward.
 */
import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import type { TestContext } from '../../support/app.js';
import { addVerifiedDomain, createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import type { DomainPolicy } from '../../../src/rules/types.js';
import { IDP_A_KEY, type TestKey } from '../../../idp-fixtures/keys.js';
import { encodeResponse, mintResponse, type MintOptions } from '../../../idp-fixtures/saml/mint.js';

export type Agent = ReturnType<typeof request.agent>;

export async function orgWithDomain(ctx: TestContext, domain: string, policy: DomainPolicy = 'auto_enrollment') {
  const o = await createOrgWithOwner(ctx, { ownerEmail: `owner@${domain}` });
  await addVerifiedDomain(ctx, o.org.sid, domain, policy);
  return o;
}

export interface SamlConnection {
  readonly connectionId: string;
  readonly orgSid: string;
  readonly idpEntityId: string;
  readonly key: TestKey;
  readonly spEntityId: string;
  readonly acsUrl: string;
}

/** A SAML connection (marked tested unless `tested: false`, so home-realm discovery uses it). */
export async function samlConnection(ctx: TestContext, orgSid: string, options: { key?: TestKey; idpEntityId?: string; allowIdpInitiated?: boolean; allowSha1?: boolean; tested?: boolean } = {}): Promise<SamlConnection> {
  const key = options.key ?? IDP_A_KEY;
  const idpEntityId = options.idpEntityId ?? `https://idp.example.test/${orgSid}`;
  const added = await ctx.services.sso.addSaml(OPERATOR, orgSid, {
    idpEntityId, ssoUrl: 'https://idp.example.test/sso', certificates: [key.cert],
    allowIdpInitiated: options.allowIdpInitiated, allowSha1: options.allowSha1,
  });
  if (options.tested !== false) await markTested(ctx, added.connectionId);
  return { connectionId: added.connectionId, orgSid, idpEntityId, key, spEntityId: added.spEntityId, acsUrl: added.acsUrl! };
}

export async function markTested(ctx: TestContext, connectionId: string): Promise<void> {
  await ctx.store.transaction((repos) => repos.ssoConnections.markTested(connectionId, ctx.clock.now()));
}

export const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** GET /login then POST /login with the email; returns the response (a redirect for SSO). */
export async function submitEmail(agent: Agent, email: string) {
  const page = await agent.get('/login').expect(200);
  return agent.post('/login').type('form').send({ email, _csrf: csrfOf(page.text) });
}

/** The AuthnRequest ID and RelayState of a redirect to the IdP (HTTP-Redirect binding). */
export function samlRequestOf(location: string): { requestId: string; relayState: string; xml: string } {
  const url = new URL(location);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
  return { requestId: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '', relayState: url.searchParams.get('RelayState') ?? '', xml };
}

/** The `name=value` pair of the SAML login cookie a response set (binds the request to the browser). */
export function samlCookieOf(res: { headers: Record<string, unknown> }): string {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  return cookies.find((c) => /^(__Host-)?orgward_saml=/.test(c))?.split(';')[0] ?? '';
}

/**
 * Starts an SP-initiated SAML sign-in for `email` and returns what the response must answer, and
 * the login cookie the browser got (`agent` sends it by itself; another client must send it).
 */
export async function startSaml(agent: Agent, email: string): Promise<{ requestId: string; relayState: string; cookie: string }> {
  const res = await submitEmail(agent, email);
  if (res.status !== 303) throw new Error(`expected a redirect to the IdP, got ${res.status}: ${res.text.slice(0, 200)}`);
  return { ...samlRequestOf(res.headers.location!), cookie: samlCookieOf(res) };
}

/** Mints a response for a connection (defaults: answers `inResponseTo`, signed by the connection's key). */
export function mintFor(c: SamlConnection, o: Partial<MintOptions> & { email: string; inResponseTo: string | null }): Promise<string> {
  return mintResponse({ issuer: c.idpEntityId, key: c.key, spEntityId: c.spEntityId, acsUrl: c.acsUrl, ...o });
}

/** Posts a response to the ACS as the IdP's form would; `cookie` is sent when given (a client without a jar). */
export function postResponse(agent: { post(url: string): request.Test }, connectionId: string, xml: string, relayState?: string, cookie?: string) {
  const post = agent.post(`/sso/saml/${connectionId}/acs`);
  if (cookie) post.set('Cookie', cookie);
  return post.type('form').send({ SAMLResponse: encodeResponse(xml), ...(relayState !== undefined && { RelayState: relayState }) });
}

/** The session cookie a response set, or undefined. */
export function sessionCookieOf(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  const found = cookies.find((c) => c.startsWith('orgward_session=') && !c.startsWith('orgward_session=;'));
  return found?.split(';')[0];
}

/**
 * A cookie-keeping client for an external IdP: follows redirects from `url` until one points at
 * `baseUrl`, and returns that path (with query) for supertest.
 */
export async function followIdp(url: string, baseUrl: string, jar = new Map<string, string>()): Promise<string> {
  let next = url;
  for (let hops = 0; hops < 20; hops++) {
    if (next.startsWith(baseUrl)) return next.slice(baseUrl.length);
    const target = new URL(next);
    const cookie = [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`IdP answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    next = new URL(location, target).href;
  }
  throw new Error('too many redirects');
}

/** Asserts a clean SSO refusal page: the code and request id, no stack trace and no XML. */
export function expectRefusalPage(res: { status: number; text: string; headers: Record<string, unknown> }, code: string): void {
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain(`<code>${code}</code>`);
  expect(res.text).toMatch(/request <code>[\w.-]+<\/code>/);
  expect(res.text).not.toMatch(/<saml|<samlp|<ds:|urn:oasis|xmlns|\bat \w+ \(|Error:|stack/i);
  expect(sessionCookieOf(res)).toBeUndefined();
}

/** Row counts of everything a sign-in writes, to prove that a refusal wrote nothing. */
export async function writtenRows(ctx: TestContext): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['users', 'memberships', 'sessions', 'sso_identities', 'sso_assertion_ids', 'audit_log']) {
    const row = await ctx.testDb.db(table).count<{ count: string }[]>('* as count').first();
    counts[table] = Number(row?.count ?? 0);
  }
  return counts;
}
