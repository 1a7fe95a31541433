// The pages behind mailed links: forgot password, password reset (U3), invitation acceptance.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addVerifiedDomain, createOrgWithOwner, lastLinkTo, OPERATOR } from '../../support/fixtures.js';
import { PASSWORD, postForm, signInWithPassword, userWithPassword } from './support.js';

let ctx: TestContext;
let orgSid: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@links.test' })).org.sid;
  await addVerifiedDomain(ctx, orgSid, 'links.test');
});
afterAll(async () => { await ctx.close(); });

describe('password reset pages (U3)', () => {
  it('R-U3: forgot password mails a link; the link sets a new password once; old sessions end', async () => {
    await userWithPassword(ctx, 'rosa@links.test', orgSid);
    const old = request.agent(ctx.app);
    await signInWithPassword(ctx, old, 'rosa@links.test');
    await old.get('/api/v1/me').expect(200);

    const agent = request.agent(ctx.app);
    expect((await agent.get('/password-reset')).text).toContain('action="/password-reset"');
    const asked = await postForm(agent, '/password-reset', { email: 'rosa@links.test' });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('If an account exists for that address');
    const unknown = await postForm(agent, '/password-reset', { email: 'nobody@links.test' });
    expect(unknown.text).toBe(asked.text);

    const token = await lastLinkTo(ctx, 'rosa@links.test', '/password-reset/');
    const form = await agent.get(`/password-reset/${token}`).expect(200);
    expect(form.headers['referrer-policy']).toBe('no-referrer');
    const weak = await postForm(agent, `/password-reset/${token}`, { password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('<code>weak_password</code>');
    const done = await postForm(agent, `/password-reset/${token}`, { password: 'a brand new passphrase' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Password changed');
    const reused = await postForm(agent, `/password-reset/${token}`, { password: 'another new passphrase' });
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('<code>token_invalid</code>');
    await old.get('/api/v1/me').expect(401);

    expect((await postForm(request.agent(ctx.app), '/login/password', { email: 'rosa@links.test', password: PASSWORD })).status).toBe(401);
    expect((await postForm(request.agent(ctx.app), '/login/password', { email: 'rosa@links.test', password: 'a brand new passphrase' })).status).toBe(303);
  });
});

describe('invitation pages', () => {
  it('accepting an invitation with a password joins the organization; the link then stops working', async () => {
    await ctx.services.invitations.invite(OPERATOR, orgSid, { email: 'nina@links.test', role: 'admin' });
    const token = await lastLinkTo(ctx, 'nina@links.test', '/invitations/');
    const agent = request.agent(ctx.app);
    expect((await agent.get(`/invitations/${token}`)).text).toContain('Accept your invitation');
    const res = await postForm(agent, `/invitations/${token}`, { password: PASSWORD, displayName: 'Nina <b>N</b>' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('You joined the organization.');
    const nina = await ctx.store.read.users.getByEmail('nina@links.test');
    expect(nina).toMatchObject({ orgSid, role: 'admin', displayName: 'Nina <b>N</b>' });
    const again = await postForm(agent, `/invitations/${token}`, { password: PASSWORD });
    expect(again.status).toBe(400);
    expect(again.text).toContain('<code>token_invalid</code>');
    await signInWithPassword(ctx, agent, 'nina@links.test');
    expect((await agent.get('/api/v1/me').expect(200)).body).toMatchObject({ email: 'nina@links.test', role: 'admin' });
  });
});
