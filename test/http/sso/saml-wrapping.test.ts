// Signature wrapping, duplicate IDs, comment injection, unsigned / wrong-key / tampered responses.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { ATTACKER_KEY } from '../../../idp-fixtures/keys.js';
import { commentInNameId, tamperedAfterSigning, WRAPPING } from '../../../idp-fixtures/saml/hostile.js';
import {
  expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, sessionCookieOf, startSaml, writtenRows, type SamlConnection,
} from './support.js';

let ctx: TestContext;
let conn: SamlConnection;

beforeAll(async () => {
  ctx = await createTestContext();
  const { org } = await orgWithDomain(ctx, 'corp.test', 'auto_enrollment');
  conn = await samlConnection(ctx, org.sid);
});
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => { await ctx.close(); });

/** Starts a login, mints the attacker's own valid response, lets `spoil` rework it, posts it. */
async function attempt(spoil: (signedXml: string) => string | Promise<string>, mint: Partial<Parameters<typeof mintFor>[1]> = {}) {
  const agent = request.agent(ctx.app);
  const { requestId, relayState } = await startSaml(agent, 'attacker@corp.test');
  const valid = await mintFor(conn, { email: 'attacker@corp.test', inResponseTo: requestId, ...mint });
  const before = await writtenRows(ctx);
  const res = await postResponse(agent, conn.connectionId, await spoil(valid), relayState);
  return { res, before, after: await writtenRows(ctx) };
}

describe('SAML signature wrapping and tampering (S3)', () => {
  it.each(Object.keys(WRAPPING))('R-S3: %s is refused and writes nothing', async (name) => {
    // XSW1 and XSW2 wrap a signed response; the others a signed assertion.
    const sign = /^xsw[12]-/.test(name) ? 'both' as const : 'assertion' as const;
    const { res, before, after } = await attempt((xml) => WRAPPING[name]!(xml, 'victim@corp.test'), { sign });
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
    expect(await ctx.store.read.users.getByEmail('victim@corp.test')).toBeUndefined();
  });

  it.each([
    ['assertion-unsigned', { sign: 'none' as const }],
    ['only-the-response-signed', { sign: 'response' as const }],
    ['signed-by-an-unknown-key', { key: ATTACKER_KEY }],
  ])('R-S3: %s is refused and writes nothing', async (_name, mint) => {
    const { res, before, after } = await attempt((xml) => xml, mint);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
  });

  it('R-S3: a response changed after signing (email swapped) is refused and writes nothing', async () => {
    const { res, before, after } = await attempt((xml) => tamperedAfterSigning(xml, 'attacker@corp.test', 'victim@corp.test'));
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(after).toEqual(before);
  });

  it('R-S6: a comment inside the NameID does not cut it: the full value comes out', async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'alice@corp.test');
    const signed = await mintFor(conn, { email: 'alice@corp.test', inResponseTo: requestId });
    const res = await postResponse(agent, conn.connectionId, commentInNameId(signed, 'alice@corp.test', 3), relayState).expect(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body.email).toBe('alice@corp.test');
  });

  it('R-S4: a comment that would truncate victim@corp.test.evil.test to victim@corp.test is refused as the full, foreign address', async () => {
    const { res, before, after } = await attempt((xml) => commentInNameId(xml.split('attacker@corp.test').join('victim@corp.test.evil.test'), 'victim@corp.test.evil.test', 'victim@corp.test'.length),
      { email: 'victim@corp.test.evil.test' });
    // The signature covers the full value (comments are not canonicalised), so it verifies; the
    // full email is then on a domain the organization never verified.
    expect(res.status).toBe(403);
    expectRefusalPage(res, 'sso_domain_mismatch');
    expect(after).toEqual(before);
    expect(await ctx.store.read.users.getByEmail('victim@corp.test')).toBeUndefined();
  });
});
