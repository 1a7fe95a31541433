// S1 readiness, S7 enforcement on every password path, S5/D6/U1 just-in-time enrolment.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, addUnverifiedDomain, addVerifiedDomain, asUser, lastLinkTo, OPERATOR } from '../../support/fixtures.js';
import { PASSWORD, postForm, signInWithPassword, userWithPassword } from '../auth/support.js';
import {
  expectRefusalPage, mintFor, orgWithDomain, postResponse, samlConnection, samlRequestOf, sessionCookieOf, startSaml, writtenRows, type SamlConnection,
} from './support.js';

let ctx: TestContext;
let orgSid: string;
let ownerSid: string;
let conn: SamlConnection;

beforeAll(async () => {
  ctx = await createTestContext();
  const o = await orgWithDomain(ctx, 'corp.test', 'restricted');
  orgSid = o.org.sid;
  ownerSid = o.owner.sid;
  await addVerifiedDomain(ctx, orgSid, 'auto.test', 'auto_enrollment');
  await addVerifiedDomain(ctx, orgSid, 'blocked.test', 'blocked');
  await addUnverifiedDomain(ctx, orgSid, 'pending.test');
  conn = await samlConnection(ctx, orgSid, { tested: false });
});
beforeEach(() => { ctx.clock.set(new Date()); });
afterAll(async () => { await ctx.close(); });

async function samlSignIn(email: string, loginEmail = email) {
  const agent = request.agent(ctx.app);
  const { requestId, relayState } = await startSaml(agent, loginEmail);
  const before = await writtenRows(ctx);
  const res = await postResponse(agent, conn.connectionId, await mintFor(conn, { email, inResponseTo: requestId }), relayState);
  return { res, before, after: await writtenRows(ctx) };
}

describe('switching enforcement on (S1, S7)', () => {
  it('R-S1: refused with sso_not_ready until an enabled connection passed a test sign-in; refused on an unverified domain', async () => {
    await expect(ctx.services.sso.setEnforcement(OPERATOR, orgSid, 'corp.test', true)).rejects.toMatchObject({ code: 'sso_not_ready' });
    await expect(ctx.services.sso.setEnforcement(OPERATOR, orgSid, 'pending.test', true)).rejects.toMatchObject({ code: 'domain_not_verified' });
    expect((await ctx.store.read.domains.get(orgSid, 'corp.test'))?.ssoEnforced).toBe(false);
  });

  it('R-S1: a test sign-in through the link records the test, signs nobody in, and works once', async () => {
    const { url } = await ctx.services.sso.startTest(OPERATOR, orgSid, conn.connectionId);
    const path = url.slice(ctx.baseUrl.length);
    const agent = request.agent(ctx.app);
    const go = await agent.get(path).expect(303);
    const { requestId, relayState } = samlRequestOf(go.headers.location!);
    const res = await postResponse(agent, conn.connectionId, await mintFor(conn, { email: 'owner@corp.test', inResponseTo: requestId }), relayState).expect(200);
    expect(res.text).toContain('Test sign-in succeeded');
    expect(sessionCookieOf(res)).toBeUndefined();
    const listed = await ctx.services.sso.list(OPERATOR, orgSid);
    expect(listed.find((c) => c.connectionId === conn.connectionId)?.testedAt).toBeInstanceOf(Date);
    const again = await request(ctx.app).get(path);
    expect(again.status).toBe(400);
    expect(again.text).toContain('<code>token_invalid</code>');
  });

  it('R-O3: a Standard User cannot switch enforcement', async () => {
    const standard = await addMember(ctx, orgSid, 'stan@corp.test');
    await expect(ctx.services.sso.setEnforcement(asUser(standard), orgSid, 'corp.test', true)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('R-S7: switching on ends the password sessions of users on the domain, and only theirs', async () => {
    await userWithPassword(ctx, 'paula@corp.test', orgSid);
    await userWithPassword(ctx, 'outside@elsewhere.test', null);
    const onDomain = request.agent(ctx.app);
    const offDomain = request.agent(ctx.app);
    await signInWithPassword(ctx, onDomain, 'paula@corp.test');
    await signInWithPassword(ctx, offDomain, 'outside@elsewhere.test');
    await onDomain.get('/api/v1/me').expect(200);
    const result = await ctx.services.sso.setEnforcement(asUser({ sid: ownerSid }), orgSid, 'corp.test', true);
    expect(result).toEqual({ domain: 'corp.test', ssoEnforced: true, sessionsRevoked: 1 });
    await onDomain.get('/api/v1/me').expect(401);
    await offDomain.get('/api/v1/me').expect(200);
    const audit = await ctx.store.read.audit.list(orgSid, { action: 'domain.sso_enforced' });
    expect(audit).toHaveLength(1);
  });

  it('R-U5: password sign-in is refused with sso_required, and the email step goes to the IdP', async () => {
    const agent = request.agent(ctx.app);
    const res = await postForm(agent, '/login/password', { email: 'paula@corp.test', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<code>sso_required</code>');
    expect(res.text).toContain('single sign-on');
    const start = await postForm(agent, '/login', { email: 'paula@corp.test' });
    expect(start.status).toBe(303);
    expect(start.headers.location).toMatch(/^https:\/\/idp\.example\.test\/sso\?SAMLRequest=/);
  });

  it('R-S7: a password-reset request is refused with sso_required', async () => {
    const agent = request.agent(ctx.app);
    const res = await postForm(agent, '/password-reset', { email: 'paula@corp.test' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<code>sso_required</code>');
    expect(await ctx.store.read.outbox.listTo('paula@corp.test')).toHaveLength(0);
  });

  it('R-S7: invitation acceptance is refused with sso_required', async () => {
    await ctx.services.sso.setEnforcement(OPERATOR, orgSid, 'corp.test', false);
    await ctx.services.invitations.invite(OPERATOR, orgSid, { email: 'ivy@corp.test' });
    const token = await lastLinkTo(ctx, 'ivy@corp.test', '/invitations/');
    await ctx.services.sso.setEnforcement(OPERATOR, orgSid, 'corp.test', true);
    const agent = request.agent(ctx.app);
    await agent.get(`/invitations/${token}`).expect(200);
    const res = await postForm(agent, `/invitations/${token}`, { password: 'a long enough password', displayName: 'Ivy' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<code>sso_required</code>');
    expect(await ctx.store.read.users.getByEmail('ivy@corp.test')).toBeUndefined();
  });
});

describe('just-in-time enrolment at the first SSO sign-in (S5, D6, U1)', () => {
  it('R-S5: on a Restricted domain an unknown person is refused (sso_enrollment_refused) and nothing is written', async () => {
    const { res, before, after } = await samlSignIn('newbie@corp.test');
    expect(res.status).toBe(403);
    expectRefusalPage(res, 'sso_enrollment_refused');
    expect(after).toEqual(before);
  });

  it('R-S5: with a pending invitation the person joins with the invited role', async () => {
    await ctx.services.invitations.invite(OPERATOR, orgSid, { email: 'invited@corp.test', role: 'admin' });
    const { res } = await samlSignIn('invited@corp.test');
    expect(res.status).toBe(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body).toMatchObject({ email: 'invited@corp.test', orgSid, role: 'admin', signInMethod: 'saml' });
  });

  it('R-S5: on an Auto-enrollment domain an unknown person joins as a Standard User', async () => {
    const { res } = await samlSignIn('auto@auto.test', 'paula@corp.test');
    expect(res.status).toBe(303);
    const me = await request(ctx.app).get('/api/v1/me').set('Cookie', sessionCookieOf(res)!).expect(200);
    expect(me.body).toMatchObject({ email: 'auto@auto.test', orgSid, role: 'standard' });
  });

  it('R-D6: a person on a Blocked domain never joins through SSO', async () => {
    const { res, before, after } = await samlSignIn('blocked@blocked.test', 'paula@corp.test');
    expect(res.status).toBe(403);
    expectRefusalPage(res, 'domain_blocked');
    expect(after).toEqual(before);
  });

  it('R-U1: a person who belongs to another organization is never enrolled', async () => {
    const other = await orgWithDomain(ctx, 'other-org.test', 'restricted');
    const stray = await addMember(ctx, other.org.sid, 'pat@auto.test');
    const { res, before, after } = await samlSignIn('pat@auto.test', 'paula@corp.test');
    expect(res.status).toBe(409);
    expectRefusalPage(res, 'member_of_other_org');
    expect(after).toEqual(before);
    expect((await ctx.store.read.users.get(stray.sid))?.orgSid).toBe(other.org.sid);
  });
});
