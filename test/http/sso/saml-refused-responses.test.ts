// SAML responses a hostile IdP sends that must be refused (S3), each named after what is wrong
// with it, each refused by a deliberate check whose reason code is logged.
import request from 'supertest';
import { createLogger } from '../../../src/logger.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { statusNotSuccess, unsignedAssertionAppended, unsignedAssertionInExtensions } from '../../../idp-fixtures/saml/hostile.js';
import type { MintOptions } from '../../../idp-fixtures/saml/mint.js';
import {
  expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, sessionCookieOf, startSaml, writtenRows, type SamlConnection,
} from './support.js';

let ctx: TestContext;
let conn: SamlConnection;
const logLines: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ logger: createLogger('debug', (line) => logLines.push(line)) });
  const a = await orgWithDomain(ctx, 'corp.test', 'auto_enrollment');
  conn = await samlConnection(ctx, a.org.sid);
});
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); logLines.length = 0; });
afterAll(async () => { await ctx.close(); });

async function post(email: string, rework: (xml: string) => string, mint: Partial<MintOptions> = {}) {
  const agent = request.agent(ctx.app);
  const { requestId, relayState } = await startSaml(agent, email);
  const xml = rework(await mintFor(conn, { email, inResponseTo: requestId, ...mint }));
  const before = await writtenRows(ctx);
  const res = await postResponse(agent, conn.connectionId, xml, relayState);
  return { res, before, after: await writtenRows(ctx) };
}

/** The reason the one SSO error mapping logged for the refusal. */
const loggedReason = (): string => logLines.filter((l) => l.includes('sso response invalid')).join('\n');

describe('SAML responses that must be refused (S3)', () => {
  it.each<[string, (xml: string) => string, Partial<MintOptions>, string]>([
    ['status-requester-request-denied: a Requester/RequestDenied status around a validly signed assertion',
      (xml) => statusNotSuccess(xml, 'Requester', 'RequestDenied'), {}, 'status_not_success'],
    ['status-responder: a Responder status around a validly signed assertion',
      (xml) => statusNotSuccess(xml, 'Responder', null), {}, 'status_not_success'],
    ['unsigned-assertion-in-extensions: a second, unsigned assertion inside samlp:Extensions',
      (xml) => unsignedAssertionInExtensions(xml, 'mallory@corp.test'), {}, 'assertion_count'],
    ['unsigned-assertion-appended: a second, unsigned assertion after the signed one',
      (xml) => unsignedAssertionAppended(xml, 'mallory@corp.test'), {}, 'assertion_count'],
    ['assertion-without-conditions: a signed assertion with no Conditions element',
      (xml) => xml, { omitConditions: true }, 'conditions_missing'],
  ])('R-S3: %s is refused, writes nothing, and logs its reason', async (_name, rework, mint, reason) => {
    const { res, before, after } = await post('victor@corp.test', rework, mint);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
    expect(loggedReason()).toContain(`${reason}:`);
  });

  it('R-S3: the same response with a Success status and one assertion signs in (the checks refuse only what is wrong)', async () => {
    const { res } = await post('valerie@corp.test', (xml) => xml);
    expect(res.status).toBe(303);
    expect(sessionCookieOf(res)).toBeDefined();
  });

  it('R-S3: an encrypted assertion without Conditions is refused by the same check', async () => {
    const { res } = await post('eve@corp.test', (xml) => xml, { omitConditions: true, encrypt: { certificate: (await ctx.services.sso.samlSettings(conn.connectionId)).spCertificate } });
    expect(res.status).toBe(401);
    expect(loggedReason()).toContain('conditions_missing:');
  });
});
