/**
 * Rate limits kept in the database: 429 with Retry-After, shared by two app instances over one
 * database, per client address and per target; failed SCIM authentication counted per address.
 * And the reset-request page: same answer for known and unknown addresses, given before the work.
 */
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { silentLogger } from '../../../src/logger.js';
import { createServices } from '../../../src/services/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTestContext, TEST_SECRET_KEY, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, lastLinkTo, OPERATOR } from '../../support/fixtures.js';
import { csrfOf, userWithPassword } from './support.js';

const LIMITS = {
  perClient: { points: 3, durationSeconds: 600 },
  perTarget: { points: 4, durationSeconds: 600 },
  scimAuthFailures: { points: 2, durationSeconds: 600, blockSeconds: 600 },
};

let a: TestContext;
let b: TestContext;
let orgSid: string;

beforeAll(async () => {
  a = await createTestContext({ rateLimits: LIMITS });
  // A second instance over the same database, as behind a load balancer.
  b = await createTestContext({ testDb: a.testDb, rateLimits: LIMITS });
  orgSid = (await createOrgWithOwner(a, { ownerEmail: 'owner@rl.test' })).org.sid;
});
afterAll(async () => { await b.close(); await a.close(); });

async function resetRequest(ctx: TestContext, email: string, address: string) {
  const agent = request.agent(ctx.app);
  const page = await agent.get('/password-reset');
  return agent.post('/password-reset').set('X-Forwarded-For', address).type('form').send({ email, _csrf: csrfOf(page.text) });
}

describe('rate limits shared by every instance', () => {
  it('answers 429 with Retry-After once one address exceeds its limit, across two instances', async () => {
    const statuses = [
      (await resetRequest(a, 'x1@rl.test', '203.0.113.1')).status,
      (await resetRequest(b, 'x2@rl.test', '203.0.113.1')).status,
      (await resetRequest(a, 'x3@rl.test', '203.0.113.1')).status,
    ];
    expect(statuses).toEqual([200, 200, 200]);
    const over = await resetRequest(b, 'x4@rl.test', '203.0.113.1');
    expect(over.status).toBe(429);
    expect(over.text).toContain('<code>too_many_attempts</code>');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await resetRequest(a, 'x4@rl.test', '203.0.113.2')).status).toBe(200);
  });

  it('limits requests aimed at one target from many addresses', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await resetRequest(i % 2 ? a : b, 'target@rl.test', `198.51.100.${i + 10}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('counts sign-in attempts per address before the password is checked', async () => {
    const post = async (ctx: TestContext) => {
      const agent = request.agent(ctx.app);
      const page = await agent.get('/login');
      return agent.post('/login').set('X-Forwarded-For', '203.0.113.9').type('form').send({ email: 'someone@rl.test', _csrf: csrfOf(page.text) });
    };
    const statuses = [(await post(a)).status, (await post(b)).status, (await post(a)).status, (await post(b)).status];
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('counts failed SCIM authentications per address (429 with Retry-After); a valid token still works', async () => {
    const { token } = await a.services.scimTokens.create(OPERATOR, orgSid);
    const bad = (ctx: TestContext) => request(ctx.app).get('/scim/v2/Users').set('X-Forwarded-For', '203.0.113.50').set('Authorization', 'Bearer not-a-token');
    expect((await bad(a)).status).toBe(401);
    expect((await bad(b)).status).toBe(401);
    const over = await bad(a);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    await request(b.app).get('/scim/v2/Users').set('X-Forwarded-For', '203.0.113.50').set('Authorization', `Bearer ${token}`).expect(200);
  });
});

describe('password-reset requests (enumeration)', () => {
  it('known and unknown addresses get the same answer', async () => {
    await userWithPassword(a, 'kim@rl.test', orgSid);
    const known = await resetRequest(a, 'kim@rl.test', '192.0.2.1');
    const unknown = await resetRequest(a, 'nobody@rl.test', '192.0.2.2');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const strip = (text: string) => text.replace(/name="_csrf" value="[^"]+"/, '');
    expect(strip(known.text)).toBe(strip(unknown.text));
  });

  it('answers before the lookup, the link and the mail are done, so timing tells nothing', async () => {
    await userWithPassword(a, 'lee@rl.test', orgSid);
    // An instance whose writes wait until released: the answer must not wait for them.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const gated: Store = { ...a.store, transaction: (work) => gate.then(() => a.store.transaction(work)) };
    const services = createServices({ ...a.services.deps, store: gated, logger: silentLogger, secretKey: TEST_SECRET_KEY });
    const app = createApp({ services, logger: silentLogger, baseUrl: a.baseUrl, secureCookies: false, health: async () => undefined, rateLimits: LIMITS });
    const agent = request.agent(app);
    const page = await agent.get('/password-reset');
    const res = await agent.post('/password-reset').set('X-Forwarded-For', '192.0.2.3').type('form').send({ email: 'lee@rl.test', _csrf: csrfOf(page.text) }).timeout(4000);
    expect(res.status).toBe(200);
    expect(await a.store.read.outbox.listTo('lee@rl.test')).toEqual([]);
    release();
    await services.passwords.settled();
    expect(await lastLinkTo(a, 'lee@rl.test', '/password-reset/')).toMatch(/^[\w-]{43}$/);
  });

  it('a new request does not cancel the link mailed earlier (nobody can block a legitimate reset)', async () => {
    await userWithPassword(a, 'max@rl.test', orgSid);
    await resetRequest(a, 'max@rl.test', '192.0.2.4');
    const first = await lastLinkTo(a, 'max@rl.test', '/password-reset/');
    await resetRequest(a, 'max@rl.test', '192.0.2.5');
    expect(await lastLinkTo(a, 'max@rl.test', '/password-reset/')).not.toBe(first);
    await expect(a.services.passwords.completeReset(first, 'a brand new passphrase')).resolves.toMatchObject({});
  });
});
