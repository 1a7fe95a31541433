// The merge invitation page (M1-M3), end to end over HTTP with the link followed out of real mail.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addVerifiedDomain, asUser, grantAccount, OPERATOR } from '../../support/fixtures.js';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp-server.js';
import { mailedLink, orgOwnedBy, signInFromLink, submit } from './link-support.js';
import { signInWithPassword, userWithPassword } from './support.js';

let smtp: TestSmtpServer;
let ctx: TestContext;
let n = 0;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ctx = await createTestContext({ smtpUrl: smtp.url });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

/** A Prime (verified domain, SSO enforced on a second domain) and a Candidate owned by someone on the Prime's domain. */
async function invited() {
  n += 1;
  const domain = `prime${n}.test`;
  const prime = await orgOwnedBy(ctx, `olga@${domain}`, `Prime ${n}`);
  await addVerifiedDomain(ctx, prime.org.sid, domain);
  const ssoDomain = await addVerifiedDomain(ctx, prime.org.sid, `sso${n}.test`);
  await ctx.store.transaction((repos) => repos.domains.update(ssoDomain.id, { ssoEnforced: true }));
  const candidate = await orgOwnedBy(ctx, `cora@${domain}`, `Candidate ${n}`);
  const admin = await userWithPassword(ctx, `adam@elsewhere${n}.test`, candidate.org.sid, 'admin');
  const sso = await userWithPassword(ctx, `una@sso${n}.test`, candidate.org.sid, 'standard');
  const account = await addAccount(ctx, { ownerSid: candidate.owner.sid, orgSid: candidate.org.sid, name: `Cora main ${n}` });
  await grantAccount(ctx, candidate.org.sid, sso.sid, account.sid);
  await ctx.services.merges.invite(asUser(prime.owner), prime.org.sid, candidate.owner.email);
  const { path } = await mailedLink(smtp, candidate.owner.email, '/merges/');
  return { domain, prime, candidate, admin, sso, account, path };
}

describe('merge invitation page (M1-M3)', () => {
  it('R-M3: the Candidate Owner signs in, comes back, sees the preview and accepts; everything moves; the link then says it was used', async () => {
    const s = await invited();
    const agent = request.agent(ctx.app);
    const { first, page } = await signInFromLink(ctx, agent, s.path, s.candidate.owner.email);
    // Signed out, the page names the inviter and nothing of the preview.
    expect(first.text).toContain(s.prime.org.name);
    expect(first.text).not.toContain(s.account.name);

    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain(s.account.name);
    expect(page.text).toContain(s.account.sid);
    expect(page.text).toContain(`<code>cora@${s.domain}</code>: Owner → Standard User`);
    expect(page.text).toContain(`<code>adam@elsewhere${n}.test</code>: Administrator → Standard User`);
    expect(page.text).toContain('1 account(s) would move');
    // M3: the Prime's SSO enforcement applies to those it covers at once.
    expect(page.text).toMatch(new RegExp(`requires single sign-on[\\s\\S]*<code>una@sso${n}.test</code>`));
    expect(page.text).toContain(`action="${s.path}/accept"`);
    expect(page.text).toContain(`action="${s.path}/decline"`);

    const done = await submit(agent, `${s.path}/accept`, page);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Merge complete');
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.prime.org.sid);
    expect(await ctx.store.read.users.get(s.candidate.owner.sid)).toMatchObject({ orgSid: s.prime.org.sid, role: 'standard' });
    expect(await ctx.store.read.organizations.get(s.candidate.org.sid)).toBeUndefined();

    const again = await agent.get(s.path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link was already used.');
    expect(again.text).not.toContain('<form');
  });

  it('R-M1: the invitee declines: nothing moves, the invitation ends (audited), the link says it was used', async () => {
    const s = await invited();
    const agent = request.agent(ctx.app);
    const { page } = await signInFromLink(ctx, agent, s.path, s.candidate.owner.email);
    const res = await submit(agent, `${s.path}/decline`, page);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Merge declined');
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.candidate.org.sid);
    const [entry] = await ctx.store.read.audit.list(s.prime.org.sid, { action: 'merge.declined' });
    expect(entry).toMatchObject({ actor: s.candidate.owner.sid });
    await expect(ctx.testDb.db('merge_requests').where({ prime_org_sid: s.prime.org.sid }).first()).resolves.toMatchObject({ status: 'declined' });
    const again = await agent.get(s.path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('send a new merge invitation');
  });

  it('R-M2: a merge no longer allowed shows the refusal in the preview, and accepting it is a clear refusal page', async () => {
    const s = await invited();
    const agent = request.agent(ctx.app);
    const { page } = await signInFromLink(ctx, agent, s.path, s.candidate.owner.email);
    await addVerifiedDomain(ctx, s.candidate.org.sid, `cand${n}.test`);
    const now = await agent.get(s.path).expect(200);
    expect(now.text).toContain('The other organization has verified domains of its own');
    expect(now.text).not.toContain(`action="${s.path}/accept"`);
    // A form loaded before the change is refused with the reason, not applied.
    const res = await submit(agent, `${s.path}/accept`, page);
    expect(res.status).toBe(409);
    expect(res.text).toContain('The merge was not completed');
    expect(res.text).toContain('<code>merge_not_allowed</code>');
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.candidate.org.sid);
  });

  it('R-M1: signed in as someone else, the page shows no preview and offers to sign in as the invitee', async () => {
    const s = await invited();
    const agent = request.agent(ctx.app);
    await signInWithPassword(ctx, agent, s.admin.email);
    const res = await agent.get(s.path);
    expect(res.status).toBe(403);
    expect(res.text).toContain('sent to someone else');
    expect(res.text).not.toContain(s.account.name);
    expect(res.text).toContain('action="/logout"');
  });

  it('refuses an accept without the CSRF token, and one from a signed-out browser', async () => {
    const s = await invited();
    const agent = request.agent(ctx.app);
    await signInFromLink(ctx, agent, s.path, s.candidate.owner.email);
    const forged = await agent.post(`${s.path}/accept`).type('form').send({});
    expect(forged.status).toBe(403);
    const stranger = request.agent(ctx.app);
    const page = await stranger.get('/signup');
    const signedOut = await submit(stranger, `${s.path}/accept`, page);
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.location).toBe(`/login?next=${encodeURIComponent(s.path)}`);
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.candidate.org.sid);
  });

  it('an expired link says so at once, before any sign-in, with the next step', async () => {
    const s = await invited();
    ctx.clock.advance(15 * 24 * 60 * 60 * 1000);
    try {
      const res = await request(ctx.app).get(s.path);
      expect(res.status).toBe(410);
      expect(res.text).toContain('This link has expired.');
      expect(res.text).toContain('Ask an administrator of the organization that invited you');
      expect(res.text).not.toContain('Sign in to continue');
    } finally {
      ctx.clock.advance(-15 * 24 * 60 * 60 * 1000);
    }
    expect((await request(ctx.app).get('/merges/not-a-real-token')).status).toBe(404);
  });
});

describe('merge invitation page and the account limit (M3, O5)', () => {
  /** The Prime holds one account and may hold one; the Candidate brings one more. */
  async function atLimit() {
    const s = await invited();
    await addAccount(ctx, { ownerSid: s.prime.owner.sid, orgSid: s.prime.org.sid, name: `Prime main ${n}` });
    await ctx.services.organizations.updateSettings(OPERATOR, s.prime.org.sid, { accountLimit: 1 });
    return s;
  }

  it('R-M3: the preview shows that the merge would pass the limit and offers no accept button', async () => {
    const s = await atLimit();
    const agent = request.agent(ctx.app);
    const { page } = await signInFromLink(ctx, agent, s.path, s.candidate.owner.email);
    expect(page.status).toBe(200);
    expect(page.text).toContain('past its limit of 1 accounts');
    expect(page.text).not.toContain(`action="${s.path}/accept"`);
    expect(page.text).toContain(`action="${s.path}/decline"`);
  });

  it('R-M3: an accept posted anyway is refused with account_limit_reached and the operator command; nothing moves', async () => {
    const s = await atLimit();
    const agent = request.agent(ctx.app);
    const { page } = await signInFromLink(ctx, agent, s.path, s.candidate.owner.email);
    const res = await submit(agent, `${s.path}/accept`, page);
    expect(res.status).toBe(409);
    expect(res.text).toContain('account_limit_reached');
    expect(res.text).toContain(`orgward org set --org ${s.prime.org.sid} --account-limit N`);
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.candidate.org.sid);

    // Once an operator raises the limit, the same link completes the merge.
    await ctx.services.organizations.updateSettings(OPERATOR, s.prime.org.sid, { accountLimit: 2 });
    const review = await agent.get(s.path);
    expect(review.text).toContain(`action="${s.path}/accept"`);
    expect((await submit(agent, `${s.path}/accept`, review)).text).toContain('Merge complete');
    expect((await ctx.store.read.accounts.get(s.account.sid))?.orgSid).toBe(s.prime.org.sid);
  });
});
