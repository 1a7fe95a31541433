// Self-service sign-up at /signup (O1, D6), email first, end to end over HTTP with the link
// followed out of real mail, then password and TOTP enrolment through the sign-in flow (U4).
import request from 'supertest';
import { totpCode } from '../../../src/services/totp.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addVerifiedDomain, OPERATOR } from '../../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp-server.js';
import { mintFor, postResponse, samlConnection, samlRequestOf } from '../sso/support.js';
import { linkIn, mailedLink, orgOwnedBy, submit } from './link-support.js';
import { PASSWORD, secretOf, userWithPassword, type Agent } from './support.js';

let smtp: TestSmtpServer;
let ctx: TestContext;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ smtpUrl: smtp.url });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** GET /signup, then POST the email with that page's CSRF token. */
async function askToSignUp(agent: Agent, email: string) {
  const page = await agent.get('/signup').expect(200);
  expect(page.text).toContain('action="/signup"');
  return submit(agent, '/signup', page, { email });
}

/** Follows the sign-up link of the mail to `email`, fills the form, and enrols TOTP: signed in. */
async function finishSignUp(agent: Agent, email: string, fields: Record<string, string> = {}) {
  const { path } = await mailedLink(smtp, email, '/signup/');
  const form = await agent.get(path).expect(200);
  const done = await submit(agent, path, form, { password: PASSWORD, displayName: 'New Person', ...fields });
  expect(done.status).toBe(303);
  expect(done.headers.location).toBe('/login/second-factor');
  const enrol = await agent.get('/login/second-factor').expect(200);
  const secret = secretOf(enrol.text);
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await submit(agent, '/login/second-factor', enrol, { code: totpCode(secret, ctx.clock.now()) }).expect(303);
  return { path, form, me: (await agent.get('/api/v1/me').expect(200)).body as { orgSid: string; role: string; email: string } };
}

describe('sign-up (O1, D6)', () => {
  it('R-O1: an address on a common domain gets a link by mail, chooses a password and enrols TOTP, and owns a new organization', async () => {
    const agent = request.agent(ctx.app);
    const asked = await askToSignUp(agent, 'Newbie@Gmail.com');
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Check your email');
    const { path, form, me } = await finishSignUp(agent, 'newbie@gmail.com', { organizationName: 'Newbie Labs' });
    expect(form.text).toContain('a new organization of your own');
    expect(form.text).toContain('name="organizationName"');
    expect(me).toMatchObject({ email: 'newbie@gmail.com', role: 'owner' });
    expect((await ctx.store.read.organizations.get(me.orgSid))?.name).toBe('Newbie Labs');
    // The link worked once; now it says so at once, with the next step.
    const again = await agent.get(path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link was already used.');
    expect(again.text).toContain('href="/signup"');
    expect(again.text).not.toContain('name="password"');
  });

  it('R-D6: on an Auto-enrollment domain the person joins that organization as a Standard User', async () => {
    const { org } = await orgOwnedBy(ctx, 'owner@auto.test', 'Auto Corp');
    await addVerifiedDomain(ctx, org.sid, 'auto.test', 'auto_enrollment');
    const agent = request.agent(ctx.app);
    await askToSignUp(agent, 'ann@auto.test');
    const { form, me } = await finishSignUp(agent, 'ann@auto.test');
    expect(form.text).toContain('You join <strong>Auto Corp</strong> as a Standard User.');
    expect(form.text).not.toContain('name="organizationName"');
    expect(me).toMatchObject({ orgSid: org.sid, role: 'standard' });
  });

  it('R-D6: on a Restricted domain the mail says to ask for an invitation; with a pending invitation the person joins with its role', async () => {
    const { org } = await orgOwnedBy(ctx, 'owner@restricted.test', 'Restricted Corp');
    await addVerifiedDomain(ctx, org.sid, 'restricted.test');
    const agent = request.agent(ctx.app);
    const refused = await askToSignUp(agent, 'rita@restricted.test');
    // The page answers the same as for anyone (no enumeration); the mail tells what to do.
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('Check your email');
    const mail = await smtp.waitFor('rita@restricted.test');
    expect(mail.text).toContain('Ask an administrator of your organization to invite you.');
    expect(() => linkIn(mail, '/signup/')).toThrow();

    await ctx.services.invitations.invite(OPERATOR, org.sid, { email: 'ivy@restricted.test', role: 'admin' });
    await smtp.waitFor('ivy@restricted.test');
    await askToSignUp(agent, 'ivy@restricted.test');
    const { me } = await finishSignUp(agent, 'ivy@restricted.test');
    expect(me).toMatchObject({ orgSid: org.sid, role: 'admin' });
    expect((await ctx.services.invitations.listPending(OPERATOR, org.sid)).map((i) => i.email)).not.toContain('ivy@restricted.test');
  });

  it('R-D6: a Blocked domain is refused at once, and nothing is mailed', async () => {
    const { org } = await orgOwnedBy(ctx, 'owner@blocked.test', 'Blocked Corp');
    await addVerifiedDomain(ctx, org.sid, 'blocked.test', 'blocked');
    const res = await askToSignUp(request.agent(ctx.app), 'bob@blocked.test');
    expect(res.status).toBe(403);
    expect(res.text).toContain('<code>domain_blocked</code>');
    await ctx.mailer.flush();
    expect(smtp.to('bob@blocked.test')).toHaveLength(0);
    expect(await ctx.store.read.users.getByEmail('bob@blocked.test')).toBeUndefined();
  });

  it('U1: an address that already has a user gets the same page, and a mail that says to sign in instead', async () => {
    await userWithPassword(ctx, 'known@example.org', null);
    const agent = request.agent(ctx.app);
    const known = await askToSignUp(agent, 'known@example.org');
    const unknown = await askToSignUp(agent, 'unknown@example.org');
    expect(known.status).toBe(200);
    expect(known.text.replace('known@', 'unknown@')).toBe(unknown.text);
    const mail = await smtp.waitFor('known@example.org');
    expect(mail.text).toContain('you already have a user');
    expect(() => linkIn(mail, '/signup/')).toThrow();
    expect(linkIn(mail, '/password-reset')).toBe('/password-reset');
    await smtp.waitFor('unknown@example.org');
  });

  it('R-S2: an address on a domain whose organization signs in through SSO goes to the IdP, and signing in there enrols the person (S5)', async () => {
    ctx.clock.set(new Date()); // node-saml checks times with the system clock
    const { org } = await orgOwnedBy(ctx, 'owner@sso-signup.test', 'SSO Corp');
    await addVerifiedDomain(ctx, org.sid, 'sso-signup.test', 'auto_enrollment');
    const conn = await samlConnection(ctx, org.sid);
    const agent = request.agent(ctx.app);
    const res = await askToSignUp(agent, 'sue@sso-signup.test');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^https:\/\/idp\.example\.test\/sso\?/);
    const { requestId, relayState } = samlRequestOf(res.headers.location!);
    const xml = await mintFor(conn, { email: 'sue@sso-signup.test', inResponseTo: requestId });
    await postResponse(agent, conn.connectionId, xml, relayState).expect(303);
    expect((await agent.get('/api/v1/me').expect(200)).body).toMatchObject({ orgSid: org.sid, role: 'standard', signInMethod: 'saml' });
    expect(smtp.to('sue@sso-signup.test')).toHaveLength(0);
  });

  it('a weak password does not use up the link; an expired link says so at once', async () => {
    const agent = request.agent(ctx.app);
    await askToSignUp(agent, 'slow@example.net');
    const { path } = await mailedLink(smtp, 'slow@example.net', '/signup/');
    const form = await agent.get(path).expect(200);
    const weak = await submit(agent, path, form, { password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('<code>weak_password</code>');
    ctx.clock.advance(25 * 60 * 60 * 1000);
    try {
      const expired = await agent.get(path);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('This link has expired.');
      expect((await submit(agent, path, form, { password: PASSWORD })).status).toBe(400);
    } finally {
      ctx.clock.advance(-25 * 60 * 60 * 1000);
    }
    expect(await ctx.store.read.users.getByEmail('slow@example.net')).toBeUndefined();
  });

  it('refuses a sign-up post without the CSRF token', async () => {
    const res = await request.agent(ctx.app).post('/signup').type('form').send({ email: 'csrf@example.net' });
    expect(res.status).toBe(403);
    await ctx.mailer.flush();
    expect(smtp.to('csrf@example.net')).toHaveLength(0);
  });
});
