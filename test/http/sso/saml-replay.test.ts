// Single use across instances (S3, S8), InResponseTo, and responses for another organization.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createDb } from '../../../src/store/db.js';
import type { TestDb } from '../../support/db.js';
import { IDP_B_KEY } from '../../../idp-fixtures/keys.js';
import { newSamlId } from '../../../idp-fixtures/saml/mint.js';
import {
  expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, sessionCookieOf, startSaml, writtenRows, type SamlConnection,
} from './support.js';

let ctx: TestContext;
let second: TestContext;
let secondDb: TestDb | undefined;
let connA: SamlConnection;
let connB: SamlConnection;
let unsolicited: SamlConnection;

beforeAll(async () => {
  ctx = await createTestContext();
  // A second app instance over the same database: on PostgreSQL with its own connection pool.
  if (ctx.testDb.url) {
    const db = createDb({ databaseUrl: ctx.testDb.url, dataDir: 'unused', poolMax: 5 });
    secondDb = { db, url: ctx.testDb.url, kind: 'postgresql', destroy: () => db.destroy() };
  }
  second = await createTestContext({ testDb: secondDb ?? ctx.testDb, clock: ctx.clock });
  const a = await orgWithDomain(ctx, 'corp.test', 'auto_enrollment');
  const b = await orgWithDomain(ctx, 'other.test', 'auto_enrollment');
  connA = await samlConnection(ctx, a.org.sid);
  connB = await samlConnection(ctx, b.org.sid, { key: IDP_B_KEY });
  // Added after connA (a second later: the manual clock stands still, and a tie in created_at is
  // broken by a random id), so home-realm discovery keeps using connA; IdP-initiated responses need no discovery.
  ctx.clock.advance(1000);
  unsolicited = await samlConnection(ctx, a.org.sid, { allowIdpInitiated: true, idpEntityId: 'https://idp-initiated.example.test' });
});
// node-saml checks time with the system clock; keep the services' clock on the same time.
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => {
  await second.close();
  await secondDb?.destroy();
  await ctx.close();
});

describe('SAML single use and request matching (S3, S8)', () => {
  it('R-S3: the same response posted twice signs in once', async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'rita@corp.test');
    const xml = await mintFor(connA, { email: 'rita@corp.test', inResponseTo: requestId });
    const first = await postResponse(agent, connA.connectionId, xml, relayState).expect(303);
    expect(sessionCookieOf(first)).toBeDefined();
    const before = await writtenRows(ctx);
    const replay = await postResponse(agent, connA.connectionId, xml, relayState);
    expect(replay.status).toBe(401);
    expectRefusalPage(replay, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
  });

  it('R-S3: the same response posted at once to two instances on one database signs in exactly once', async () => {
    for (let round = 0; round < 3; round++) {
      const agent = request.agent(ctx.app);
      const email = `race${round}@corp.test`;
      const { requestId, relayState, cookie } = await startSaml(agent, email);
      const xml = await mintFor(connA, { email, inResponseTo: requestId });
      const results = await Promise.all([
        postResponse(request(ctx.app), connA.connectionId, xml, relayState, cookie),
        postResponse(request(second.app), connA.connectionId, xml, relayState, cookie),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([303, 401]);
      const sessions = await ctx.testDb.db('sessions as s').join('users as u', 'u.sid', 's.user_sid').where('u.email', email).count<{ count: string }[]>('* as count').first();
      expect(Number(sessions?.count)).toBe(1);
    }
  });

  it('R-S8: an unsolicited response is accepted once when the connection allows it; its replay is refused', async () => {
    const xml = await mintFor(unsolicited, { email: 'ursula@corp.test', inResponseTo: null });
    const first = await postResponse(request(ctx.app), unsolicited.connectionId, xml).expect(303);
    expect(sessionCookieOf(first)).toBeDefined();
    const again = await Promise.all([
      postResponse(request(ctx.app), unsolicited.connectionId, xml),
      postResponse(request(second.app), unsolicited.connectionId, xml),
    ]);
    expect(again.map((r) => r.status)).toEqual([401, 401]);
  });

  it('R-S8: an unsolicited response is refused on a connection that does not allow IdP-initiated sign-in', async () => {
    const xml = await mintFor(connA, { email: 'ivan@corp.test', inResponseTo: null });
    const before = await writtenRows(ctx);
    const res = await postResponse(request(ctx.app), connA.connectionId, xml);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
  });

  it('R-S8: an unsolicited response whose SubjectConfirmationData NotOnOrAfter passed is refused (conditions still valid)', async () => {
    const now = Date.now();
    const xml = await mintFor(unsolicited, {
      email: 'late@corp.test', inResponseTo: null, issueInstant: new Date(now - 2 * 60_000), subjectNotOnOrAfter: new Date(now - 61_000), notOnOrAfter: new Date(now + 10 * 60_000),
    });
    const res = await postResponse(request(ctx.app), unsolicited.connectionId, xml);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(await ctx.store.read.users.getByEmail('late@corp.test')).toBeUndefined();
  });

  it('R-S8: an unsolicited response issued more than five minutes ago is refused', async () => {
    const now = Date.now();
    const xml = await mintFor(unsolicited, { email: 'stale@corp.test', inResponseTo: null, issueInstant: new Date(now - 7 * 60_000), notOnOrAfter: new Date(now + 60 * 60_000), subjectNotOnOrAfter: new Date(now + 60 * 60_000) });
    const res = await postResponse(request(ctx.app), unsolicited.connectionId, xml);
    expect(res.status).toBe(401);
    expect(await ctx.store.read.users.getByEmail('stale@corp.test')).toBeUndefined();
  });

  it('R-S3: an unknown InResponseTo is refused', async () => {
    const xml = await mintFor(connA, { email: 'una@corp.test', inResponseTo: newSamlId() });
    const res = await postResponse(request(ctx.app), connA.connectionId, xml);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
  });

  it('R-S3: an InResponseTo of a request issued for another connection is refused', async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'bob@other.test');
    const xml = await mintFor(connA, { email: 'bob@corp.test', inResponseTo: requestId });
    const res = await postResponse(agent, connA.connectionId, xml, relayState);
    expect(res.status).toBe(401);
    expect(await ctx.store.read.users.getByEmail('bob@corp.test')).toBeUndefined();
    // The request of the other connection is still usable there.
    const ok = await postResponse(agent, connB.connectionId, await mintFor(connB, { email: 'bob@other.test', inResponseTo: requestId }), relayState);
    expect(ok.status).toBe(303);
  });

  it("R-S4: a response for organization B posted to organization A's ACS is refused", async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'carl@corp.test');
    const forB = await mintFor(connB, { email: 'carl@corp.test', inResponseTo: requestId });
    const before = await writtenRows(ctx);
    const res = await postResponse(agent, connA.connectionId, forB, relayState);
    expect(res.status).toBe(401);
    expectRefusalPage(res, 'sso_response_invalid');
    expect(await writtenRows(ctx)).toEqual(before);
  });

  it("R-S4: organization B's IdP cannot sign in people of organization A's domain", async () => {
    const agent = request.agent(ctx.app);
    const { requestId, relayState } = await startSaml(agent, 'dora@other.test');
    const res = await postResponse(agent, connB.connectionId, await mintFor(connB, { email: 'dora@corp.test', inResponseTo: requestId }), relayState);
    expect(res.status).toBe(403);
    expectRefusalPage(res, 'sso_domain_mismatch');
    expect(await ctx.store.read.users.getByEmail('dora@corp.test')).toBeUndefined();
  });

  it('R-S8: a RelayState that is a URL, or not the one we sent, is refused', async () => {
    const agent = request.agent(ctx.app);
    const { requestId } = await startSaml(agent, 'rhea@corp.test');
    const xml = await mintFor(connA, { email: 'rhea@corp.test', inResponseTo: requestId });
    expect((await postResponse(agent, connA.connectionId, xml, 'https://evil.test/after-login')).status).toBe(401);
    expect((await postResponse(agent, connA.connectionId, xml, 'A'.repeat(43))).status).toBe(401);
    expect(await ctx.store.read.users.getByEmail('rhea@corp.test')).toBeUndefined();
  });
});
