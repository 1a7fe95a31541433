/**
 * Attacks on the sign-in and reset pages over HTTP: parallel password guesses against the lockout,
 * TOTP guessing across challenges, a pending second-factor step that outlives a reset, and the
 * answers known and unknown addresses get.
 */
import request from 'supertest';
import { FREE_FAILURES, SECOND_FACTOR_FREE_FAILURES } from '../../../src/rules/sign-in-lockout.js';
import { totpCode } from '../../../src/services/totp.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { orgWithDomain, samlConnection } from '../sso/support.js';
import { csrfOf, PASSWORD, postForm, signInWithPassword, userWithPassword, type Agent } from './support.js';

let ctx: TestContext;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@bf.test' })).org.sid;
});
afterAll(async () => { await ctx.close(); });

/** One password attempt from its own browser, from `address` (the app trusts loopback proxies). */
async function attempt(email: string, password: string, address = '203.0.113.7') {
  const agent = request.agent(ctx.app);
  const page = await agent.get('/login');
  const res = await agent.post('/login/password').set('X-Forwarded-For', address).type('form').send({ email, password, _csrf: csrfOf(page.text) });
  return { res, agent };
}

/** Waits (bounded) until `email`'s password counters show `n` reserved attempts. */
async function reservedFailures(email: string, n: number): Promise<void> {
  for (let i = 0; i < 5000; i += 1) {
    const row = await ctx.testDb.db('sign_in_backoff').where({ scope: 'password', subject: email }).max('failures as most').first() as { most: number | null } | undefined;
    if (Number(row?.most ?? 0) >= n) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${email}: ${n} reservations never appeared`);
}

const count = (answers: { res: { status: number } }[], status: number) => answers.filter((a) => a.res.status === status).length;
const wrongCode = (secret: string) => (totpCode(secret, ctx.clock.now()) === '000000' ? '111111' : '000000');

describe('lockout race (parallel guesses)', () => {
  it('30 parallel wrong guesses: only the free attempts are checked, the rest answer 429 with Retry-After', async () => {
    await userWithPassword(ctx, 'ada@bf.test', orgSid);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt('ada@bf.test', `wrong guess ${i}`)));
    expect(count(answers, 401)).toBe(FREE_FAILURES);
    expect(count(answers, 429)).toBe(30 - FREE_FAILURES);
    const refused = answers.find((a) => a.res.status === 429)!.res;
    expect(refused.text).toContain('<code>too_many_attempts</code>');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a correct password sent as the 11th of 11 simultaneous attempts does not get past the lock', async () => {
    await userWithPassword(ctx, 'bo@bf.test', orgSid);
    const wrong = Array.from({ length: 10 }, (_, i) => attempt('bo@bf.test', `wrong guess ${i}`));
    // The correct one goes out once the wrong ones hold the free reservations (most of them still
    // hashing): the race the old code lost, where the lock was read before any of them was counted.
    await reservedFailures('bo@bf.test', FREE_FAILURES);
    const answers = await Promise.all([...wrong, attempt('bo@bf.test', PASSWORD)]);
    // Only FREE_FAILURES attempts were reserved and compared. When the correct one was among them,
    // the wrong ones reserved meanwhile locked the account before its hash was compared, and a
    // correct password never signs in while locked: it is refused like the rest (429).
    const correct = answers.at(-1)!.res;
    expect(correct.status).toBe(429);
    expect(count(answers, 303)).toBe(0);
    expect(count(answers, 401)).toBeGreaterThanOrEqual(FREE_FAILURES - 1);
    expect(count(answers, 401)).toBeLessThanOrEqual(FREE_FAILURES);
    // Never signs in while locked: the right password from the same address is refused now.
    const again = await attempt('bo@bf.test', PASSWORD);
    expect(again.res.status).toBe(429);
  });

  it('nobody can lock a chosen user out: the back-off is per address, the owner signs in from theirs', async () => {
    await userWithPassword(ctx, 'cy@bf.test', orgSid);
    await Promise.all(Array.from({ length: 12 }, (_, i) => attempt('cy@bf.test', `wrong guess ${i}`, '198.51.100.66')));
    expect((await attempt('cy@bf.test', PASSWORD, '198.51.100.66')).res.status).toBe(429);
    const own = await attempt('cy@bf.test', PASSWORD, '192.0.2.10');
    expect(own.res.status).toBe(303);
    expect(own.res.headers.location).toBe('/login/second-factor');
  });

  it('unknown emails back off exactly like known ones (same answers, same codes)', async () => {
    await userWithPassword(ctx, 'di@bf.test', orgSid);
    const known = await Promise.all(Array.from({ length: 8 }, () => attempt('di@bf.test', 'wrong guess')));
    const unknown = await Promise.all(Array.from({ length: 8 }, () => attempt('nobody-here@bf.test', 'wrong guess')));
    expect(known.map((a) => a.res.status).sort()).toEqual(unknown.map((a) => a.res.status).sort());
    expect(count(unknown, 429)).toBe(8 - FREE_FAILURES);
    const strip = (text: string) => text.replace(/request <code>[^<]+<\/code>/, '').replace(/name="_csrf" value="[^"]+"/, '');
    expect(strip(unknown.find((a) => a.res.status === 401)!.res.text)).toBe(strip(known.find((a) => a.res.status === 401)!.res.text));
  });
});

describe('TOTP guessing', () => {
  /** A fresh password step; returns the browser waiting for its second factor. */
  async function passwordStep(email: string): Promise<Agent> {
    const { res, agent } = await attempt(email, PASSWORD, '192.0.2.20');
    expect(res.status).toBe(303);
    return agent;
  }

  it('wrong codes count against the user across challenges; a correct password does not reset them', async () => {
    await userWithPassword(ctx, 'eve@bf.test', orgSid);
    const { secret } = await signInWithPassword(ctx, request.agent(ctx.app), 'eve@bf.test');
    ctx.clock.advance(30_000);
    const statuses: number[] = [];
    // Two wrong codes per challenge: each challenge alone would allow five.
    for (let i = 0; i < SECOND_FACTOR_FREE_FAILURES; i += 2) {
      const agent = await passwordStep('eve@bf.test');
      for (let j = i; j < Math.min(i + 2, SECOND_FACTOR_FREE_FAILURES); j++) {
        statuses.push((await postForm(agent, '/login/second-factor', { code: wrongCode(secret) })).status);
      }
    }
    expect(statuses).toEqual(Array(SECOND_FACTOR_FREE_FAILURES).fill(401));
    const agent = await passwordStep('eve@bf.test');
    const right = await postForm(agent, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) });
    expect(right.status).toBe(429);
    expect(right.text).toContain('<code>too_many_attempts</code>');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    await agent.get('/api/v1/me').expect(401);
    // After the lock, the right code works and the count starts again.
    ctx.clock.advance(61_000);
    expect((await postForm(agent, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) })).status).toBe(303);
    await agent.get('/api/v1/me').expect(200);
  });
});

describe('a pending second-factor step does not outlive what signs the user out (U3, U4, C4)', () => {
  async function pending(email: string, inOrg = orgSid) {
    const user = await userWithPassword(ctx, email, inOrg);
    const { secret } = await signInWithPassword(ctx, request.agent(ctx.app), email);
    ctx.clock.advance(30_000);
    const { res, agent } = await attempt(email, PASSWORD, '192.0.2.30');
    expect(res.status).toBe(303);
    return { user, secret, agent };
  }

  const finish = async (agent: Agent, secret: string) => {
    ctx.clock.advance(30_000);
    return postForm(agent, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) });
  };

  it('R-U3: after an administrator resets the password, finishing the 2FA step does not sign in', async () => {
    const { user, secret, agent } = await pending('fay@bf.test');
    await ctx.services.passwords.adminReset(OPERATOR, orgSid, user.sid);
    const done = await finish(agent, secret);
    expect(done.status).toBe(400);
    expect(done.text).toContain('<code>token_invalid</code>');
    await agent.get('/api/v1/me').expect(401);
  });

  it('R-U3: a challenge issued before password_changed_at is refused even if it was not deleted', async () => {
    const { user, secret, agent } = await pending('gus@bf.test');
    ctx.clock.advance(1000);
    await ctx.store.transaction((r) => r.users.update(user.sid, { passwordChangedAt: ctx.clock.now() }));
    expect((await finish(agent, secret)).status).toBe(400);
    await agent.get('/api/v1/me').expect(401);
  });

  it('R-U4: after an administrator resets 2FA, the pending step with the old factor does not sign in', async () => {
    const { user, secret, agent } = await pending('hal@bf.test');
    await ctx.services.twoFactor.adminReset(OPERATOR, orgSid, user.sid);
    expect((await finish(agent, secret)).status).toBe(400);
    await agent.get('/api/v1/me').expect(401);
  });

  it('R-S7: after SSO enforcement is switched on for the domain, the pending step does not sign in', async () => {
    const o = await orgWithDomain(ctx, 'enforced.bf.test', 'restricted');
    await samlConnection(ctx, o.org.sid, { tested: true });
    const { secret, agent } = await pending('jo@enforced.bf.test', o.org.sid);
    await ctx.services.sso.setEnforcement(OPERATOR, o.org.sid, 'enforced.bf.test', true);
    expect((await finish(agent, secret)).status).toBe(400);
    await agent.get('/api/v1/me').expect(401);
  });

  it('R-C4: after the user is removed from the organization, the pending step does not sign in', async () => {
    const { user, secret, agent } = await pending('ivy@bf.test');
    await ctx.services.members.remove(OPERATOR, orgSid, user.sid);
    expect((await finish(agent, secret)).status).toBe(400);
    await agent.get('/api/v1/me').expect(401);
  });
});
