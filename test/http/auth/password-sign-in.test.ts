import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { silentLogger } from '../../../src/logger.js';
import { totpCode } from '../../../src/services/totp.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { createOrgWithOwner, OPERATOR } from '../../support/fixtures.js';
import { csrfOf, PASSWORD, postForm, secretOf, signInWithPassword, userWithPassword } from './support.js';

let ctx: TestContext;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@pw.test' })).org.sid;
});
afterAll(async () => { await ctx.close(); });

const me = (agent: ReturnType<typeof request.agent>) => agent.get('/api/v1/me');

describe('password sign-in with TOTP (U4, S2)', () => {
  it('R-S2: an email on no verified domain is asked for its password', async () => {
    const agent = request.agent(ctx.app);
    const res = await postForm(agent, '/login', { email: 'someone@pw.test' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('action="/login/password"');
    expect(res.text).toContain('value="someone@pw.test"');
  });

  it('R-U4: the first sign-in enrols TOTP; a wrong code is refused; the right one signs in', async () => {
    const user = await userWithPassword(ctx, 'pia@pw.test', orgSid, 'admin');
    const agent = request.agent(ctx.app);
    await postForm(agent, '/login/password', { email: 'PIA@pw.test', password: PASSWORD }).then((r) => expect(r.status).toBe(303));
    const page = await agent.get('/login/second-factor').expect(200);
    const secret = secretOf(page.text);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(page.text).toContain('otpauth://totp/Orgward:pia%40pw.test?secret=');
    const wrong = await postForm(agent, '/login/second-factor', { code: '000000' === totpCode(secret, ctx.clock.now()) ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('<code>invalid_credentials</code>');
    const ok = await postForm(agent, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) });
    expect(ok.status).toBe(303);
    expect((await me(agent).expect(200)).body).toEqual({ sid: user.sid, email: 'pia@pw.test', orgSid, role: 'admin', signInMethod: 'password' });
    const stored = await ctx.testDb.db('second_factors').where({ user_sid: user.sid }).first();
    expect(stored.secret_encrypted).not.toContain(secret);
  });

  it('R-U4: later sign-ins verify the enrolled factor; a code works once', async () => {
    await userWithPassword(ctx, 'quinn@pw.test', orgSid);
    const first = request.agent(ctx.app);
    const { secret } = await signInWithPassword(ctx, first, 'quinn@pw.test');
    const second = request.agent(ctx.app);
    await postForm(second, '/login/password', { email: 'quinn@pw.test', password: PASSWORD });
    const page = await second.get('/login/second-factor').expect(200);
    expect(secretOf(page.text)).toBe('');
    expect(page.text).toContain('Two-factor authentication');
    // The code just used at enrolment (same time step) does not work again.
    const replay = await postForm(second, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) });
    expect(replay.status).toBe(401);
    ctx.clock.advance(30_000);
    const ok = await postForm(second, '/login/second-factor', { code: totpCode(secret, ctx.clock.now()) });
    expect(ok.status).toBe(303);
    await me(second).expect(200);
  });

  it('R-U4: after an administrator resets 2FA, the next sign-in enrols a new factor', async () => {
    const user = await userWithPassword(ctx, 'rene@pw.test', orgSid);
    const { secret } = await signInWithPassword(ctx, request.agent(ctx.app), 'rene@pw.test');
    await ctx.services.twoFactor.adminReset(OPERATOR, orgSid, user.sid);
    const agent = request.agent(ctx.app);
    await postForm(agent, '/login/password', { email: 'rene@pw.test', password: PASSWORD });
    const page = await agent.get('/login/second-factor').expect(200);
    const fresh = secretOf(page.text);
    expect(fresh).toMatch(/^[A-Z2-7]{32}$/);
    expect(fresh).not.toBe(secret);
  });

  it('refuses a wrong password and an unknown user alike (invalid_credentials)', async () => {
    await userWithPassword(ctx, 'sam@pw.test', orgSid);
    const agent = request.agent(ctx.app);
    const wrong = await postForm(agent, '/login/password', { email: 'sam@pw.test', password: 'not the password at all' });
    const unknown = await postForm(agent, '/login/password', { email: 'nobody@pw.test', password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain('<code>invalid_credentials</code>');
      expect(res.text).toContain('The email address or password is not right.');
    }
  });

  it('locks after five wrong passwords (429 too_many_attempts, even with the right one) and lets in after the lock', async () => {
    await userWithPassword(ctx, 'lou@pw.test', orgSid);
    const agent = request.agent(ctx.app);
    for (let i = 0; i < 5; i++) {
      expect((await postForm(agent, '/login/password', { email: 'lou@pw.test', password: `wrong password ${i}` })).status).toBe(401);
    }
    const locked = await postForm(agent, '/login/password', { email: 'lou@pw.test', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('<code>too_many_attempts</code>');
    ctx.clock.advance(61_000);
    expect((await postForm(agent, '/login/password', { email: 'lou@pw.test', password: PASSWORD })).status).toBe(303);
    const rows = await ctx.testDb.db('sign_in_backoff').where({ scope: 'password', subject: 'lou@pw.test' }).select('failures', 'locked_until');
    expect(rows).toEqual([{ failures: 0, locked_until: null }, { failures: 0, locked_until: null }]);
  });

  it('refuses forms without the CSRF token or from another origin', async () => {
    const agent = request.agent(ctx.app);
    const page = await agent.get('/login');
    const noToken = await agent.post('/login').type('form').send({ email: 'x@pw.test' });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('<code>forbidden</code>');
    const foreign = await agent.post('/login').set('Origin', 'https://evil.test').type('form').send({ email: 'x@pw.test', _csrf: csrfOf(page.text) });
    expect(foreign.status).toBe(403);
    const ok = await agent.post('/login').set('Origin', ctx.baseUrl).type('form').send({ email: 'x@pw.test', _csrf: csrfOf(page.text) });
    expect(ok.status).toBe(200);
  });
});

describe('sessions (U3, C3)', () => {
  it('sign-out ends the session on every instance', async () => {
    await userWithPassword(ctx, 'tom@pw.test', orgSid);
    const agent = request.agent(ctx.app);
    await signInWithPassword(ctx, agent, 'tom@pw.test');
    await me(agent).expect(200);
    const out = await postForm(agent, '/logout', {});
    expect(out.status).toBe(303);
    const res = await me(agent).expect(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('a session ends when it expires, when the user is suspended, and when the password changes', async () => {
    const user = await userWithPassword(ctx, 'una@pw.test', orgSid);
    const agent = request.agent(ctx.app);
    const { secret } = await signInWithPassword(ctx, agent, 'una@pw.test');
    await me(agent).expect(200);
    await ctx.store.transaction((r) => r.users.update(user.sid, { status: 'suspended' }));
    await me(agent).expect(401);
    await ctx.store.transaction((r) => r.users.update(user.sid, { status: 'active' }));
    await me(agent).expect(200);
    // U3: a password changed after the session was issued ends it, even without revocation.
    ctx.clock.advance(1000);
    await ctx.store.transaction((r) => r.users.update(user.sid, { passwordChangedAt: ctx.clock.now() }));
    await me(agent).expect(401);
    ctx.clock.advance(30_000);
    const again = request.agent(ctx.app);
    await signInWithPassword(ctx, again, 'una@pw.test', secret);
    await me(again).expect(200);
    ctx.clock.advance(12 * 60 * 60 * 1000 + 1);
    await me(again).expect(401);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and Secure with the __Host- prefix when the service runs behind https', async () => {
    await userWithPassword(ctx, 'vic@pw.test', orgSid);
    const secureApp = createApp({ services: ctx.services, logger: silentLogger, baseUrl: ctx.baseUrl, secureCookies: true, health: async () => undefined });
    const agent = request.agent(secureApp);
    const page = await agent.get('/login');
    expect(String(page.headers['set-cookie'])).toMatch(/__Host-orgward_csrf=[\w-]+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    const csrf = csrfOf(page.text);
    const pw = await agent.post('/login/password').set('Cookie', `__Host-orgward_csrf=${csrf}`).type('form').send({ email: 'vic@pw.test', password: PASSWORD, _csrf: csrf });
    expect(pw.status).toBe(303);
    const challenge = String(pw.headers['set-cookie']).match(/__Host-orgward_challenge=([\w-]+)/)![1];
    const enrol = await agent.get('/login/second-factor').set('Cookie', `__Host-orgward_challenge=${challenge}`).expect(200);
    const done = await agent.post('/login/second-factor').set('Cookie', `__Host-orgward_csrf=${csrf}; __Host-orgward_challenge=${challenge}`).type('form')
      .send({ code: totpCode(secretOf(enrol.text), ctx.clock.now()), _csrf: csrf });
    expect(done.status).toBe(303);
    expect(String(done.headers['set-cookie'])).toMatch(/__Host-orgward_session=ows_[\w-]+; Max-Age=43200; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax/);
  });
});
