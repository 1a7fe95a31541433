// The invitation page, end to end over HTTP with the link followed out of real mail: a new person
// must choose a password (and can then sign in), SSO-enforced domains accept through SSO (S7),
// and a used, expired or replaced link says so at once.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addVerifiedDomain, OPERATOR } from '../../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp-server.js';
import { mailedLink, orgOwnedBy, submit } from './link-support.js';
import { PASSWORD, postForm, signInWithPassword, userWithPassword } from './support.js';

let smtp: TestSmtpServer;
let ctx: TestContext;
let orgSid: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ smtpUrl: smtp.url });
  orgSid = (await orgOwnedBy(ctx, 'owner@invite.test', 'Invite Corp')).org.sid;
  await addVerifiedDomain(ctx, orgSid, 'invite.test');
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

async function invited(email: string, role: 'admin' | 'standard' = 'standard') {
  await ctx.services.invitations.invite(OPERATOR, orgSid, { email, role });
  return (await mailedLink(smtp, email, '/invitations/')).path;
}

describe('invitation page', () => {
  it('a new person must choose a password to accept; then they can sign in (password, then TOTP enrolment)', async () => {
    const path = await invited('nora@invite.test', 'admin');
    const agent = request.agent(ctx.app);
    const page = await agent.get(path).expect(200);
    expect(page.text).toContain('Invite Corp');
    expect(page.text).toMatch(/name="password" type="password" autocomplete="new-password" required/);
    // Before: "Welcome" without a password, and a user who could never sign in.
    const without = await submit(agent, path, page, { displayName: 'Nora' });
    expect(without.status).toBe(400);
    expect(without.text).toContain('<code>password_required</code>');
    expect(await ctx.store.read.users.getByEmail('nora@invite.test')).toBeUndefined();

    const res = await submit(agent, path, page, { displayName: 'Nora', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.text).toContain('You joined the organization.');
    await signInWithPassword(ctx, agent, 'nora@invite.test');
    expect((await agent.get('/api/v1/me').expect(200)).body).toMatchObject({ email: 'nora@invite.test', orgSid, role: 'admin' });

    const again = await request(ctx.app).get(path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This invitation was already accepted.');
    expect(again.text).toContain('href="/login"');
    expect(again.text).not.toContain('<form');
  });

  it('a person who already has a password joins without choosing another', async () => {
    await userWithPassword(ctx, 'lena@invite.test', null);
    const path = await invited('lena@invite.test');
    const agent = request.agent(ctx.app);
    const page = await agent.get(path).expect(200);
    expect(page.text).not.toContain('name="password"');
    expect((await submit(agent, path, page)).status).toBe(200);
    await signInWithPassword(ctx, agent, 'lena@invite.test');
    expect((await agent.get('/api/v1/me').expect(200)).body).toMatchObject({ orgSid, role: 'standard' });
  });

  it('R-S7: on a domain that enforces SSO the page offers single sign-on, not a password', async () => {
    const domain = await addVerifiedDomain(ctx, orgSid, 'sso.invite.test');
    const path = await invited('sam@sso.invite.test');
    await ctx.store.transaction((repos) => repos.domains.update(domain.id, { ssoEnforced: true }));
    const page = await request(ctx.app).get(path).expect(200);
    expect(page.text).toContain('Continue with single sign-on');
    expect(page.text).toContain('<form method="post" action="/login">');
    expect(page.text).toContain('name="email" value="sam@sso.invite.test"');
    expect(page.text).not.toContain('name="password"');
  });

  it('an expired or replaced link says so at once, with the next step', async () => {
    const old = await invited('rex@invite.test');
    const fresh = await invited('rex@invite.test');
    const replaced = await request(ctx.app).get(old);
    expect(replaced.status).toBe(410);
    expect(replaced.text).toContain('replaced by a newer one');
    expect(replaced.text).toContain('ask your administrator for a new invitation');
    ctx.clock.advance(8 * 24 * 60 * 60 * 1000);
    try {
      const expired = await request(ctx.app).get(fresh);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('This link has expired.');
      expect(expired.text).not.toContain('name="password"');
    } finally {
      ctx.clock.advance(-8 * 24 * 60 * 60 * 1000);
    }
  });

  it('refuses an acceptance without the CSRF token', async () => {
    const path = await invited('cid@invite.test');
    const res = await request.agent(ctx.app).post(path).type('form').send({ password: PASSWORD });
    expect(res.status).toBe(403);
    expect(await ctx.store.read.users.getByEmail('cid@invite.test')).toBeUndefined();
  });
});

describe('password reset link page (U3)', () => {
  it('R-U3: a used link says so at once, with the way to a new one, instead of the form', async () => {
    await userWithPassword(ctx, 'rob@invite.test', orgSid);
    const agent = request.agent(ctx.app);
    await postForm(agent, '/password-reset', { email: 'rob@invite.test' });
    const { path } = await mailedLink(smtp, 'rob@invite.test', '/password-reset/');
    const form = await agent.get(path).expect(200);
    expect(form.text).toContain('name="password"');
    await submit(agent, path, form, { password: 'a brand new passphrase' }).expect(200);
    const used = await agent.get(path);
    expect(used.status).toBe(410);
    expect(used.text).toContain('This link was already used.');
    expect(used.text).toContain('href="/password-reset"');
    expect(used.text).not.toContain('name="password"');
    expect((await agent.get('/password-reset/not-a-token')).status).toBe(404);
  });
});
