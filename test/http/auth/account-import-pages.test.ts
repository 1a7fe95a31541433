// The account-import confirmation page (A3), end to end over HTTP with the link followed out of real mail.
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addVerifiedDomain, asUser } from '../../support/fixtures.js';
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

/** An organization asks to import an account of someone on its verified domain; the mail's link. */
async function requested(options: { independent?: boolean } = {}) {
  n += 1;
  const domain = `imports${n}.test`;
  const o = await orgOwnedBy(ctx, `olga@${domain}`, `Importer ${n}`);
  await addVerifiedDomain(ctx, o.org.sid, domain);
  const owner = await userWithPassword(ctx, `amy@${domain}`, null);
  const account = await addAccount(ctx, {
    ownerSid: owner.sid, name: `Amy app ${n}`,
    ...(options.independent && { orgSid: o.org.sid, management: 'independent' as const }),
  });
  const sub = await addAccount(ctx, { ownerSid: owner.sid, parentSid: account.sid, name: `Amy sub ${n}`, ...(options.independent && { orgSid: o.org.sid, management: 'independent' as const }) });
  await ctx.services.accounts.importBySid(asUser(o.owner), o.org.sid, account.sid);
  const { path } = await mailedLink(smtp, owner.email, '/account-imports/');
  return { o, owner, account, sub, path };
}

describe('account import confirmation page (A3)', () => {
  it('R-A3: the owner signs in, comes back and confirms; the account is managed; the link then says it was used', async () => {
    const s = await requested();
    const agent = request.agent(ctx.app);
    const { first, page } = await signInFromLink(ctx, agent, s.path, s.owner.email);
    expect(first.text).toContain(s.o.org.name);
    expect(page.status).toBe(200);
    expect(page.text).toContain(s.account.sid);
    expect(page.text).toContain(`action="${s.path}/confirm"`);
    const res = await submit(agent, `${s.path}/confirm`, page);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Account import confirmed');
    expect(await ctx.store.read.accounts.get(s.account.sid)).toMatchObject({ orgSid: s.o.org.sid, management: 'managed' });
    const again = await agent.get(s.path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link was already used.');
    expect(again.text).not.toContain('<form');
  });

  it('R-A3: the owner declines: the account and its subaccount go back outside the organization; audited', async () => {
    const s = await requested();
    const agent = request.agent(ctx.app);
    const { page } = await signInFromLink(ctx, agent, s.path, s.owner.email);
    const res = await submit(agent, `${s.path}/decline`, page);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Account import declined');
    expect(await ctx.store.read.accounts.get(s.account.sid)).toMatchObject({ orgSid: null, management: null });
    expect(await ctx.store.read.accounts.get(s.sub.sid)).toMatchObject({ orgSid: null, management: null });
    const [entry] = await ctx.store.read.audit.list(s.o.org.sid, { action: 'account.import_declined' });
    expect(entry).toMatchObject({ actor: s.owner.sid, target: s.account.sid });
    expect((await agent.get(s.path)).status).toBe(410);
  });

  it('R-A3: a declined import of an independent account leaves it independent in the organization', async () => {
    const s = await requested({ independent: true });
    const agent = request.agent(ctx.app);
    const { page } = await signInFromLink(ctx, agent, s.path, s.owner.email);
    await submit(agent, `${s.path}/decline`, page).expect(200);
    expect(await ctx.store.read.accounts.get(s.account.sid)).toMatchObject({ orgSid: s.o.org.sid, management: 'independent' });
    expect(await ctx.store.read.accounts.get(s.sub.sid)).toMatchObject({ orgSid: s.o.org.sid, management: 'independent' });
  });

  it("R-A3: only the account's owner may answer: the organization's Owner signed in gets no form, and a forged post is refused", async () => {
    const s = await requested();
    const agent = request.agent(ctx.app);
    await signInWithPassword(ctx, agent, s.o.owner.email);
    const res = await agent.get(s.path);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Only the account&#39;s owner');
    expect(res.text).not.toContain(`action="${s.path}/confirm"`);
    const forged = await submit(agent, `${s.path}/confirm`, res);
    expect(forged.status).toBe(403);
    expect((await ctx.store.read.accounts.get(s.account.sid))?.management).toBe('pending');
    const noCsrf = await request.agent(ctx.app).post(`${s.path}/confirm`).type('form').send({});
    expect(noCsrf.status).toBe(403);
  });

  it('an expired link says so at once, with the next step', async () => {
    const s = await requested();
    ctx.clock.advance(8 * 24 * 60 * 60 * 1000);
    try {
      const res = await request(ctx.app).get(s.path);
      expect(res.status).toBe(410);
      expect(res.text).toContain('This link has expired.');
      expect(res.text).toContain('ask its administrator to request the import again');
    } finally {
      ctx.clock.advance(-8 * 24 * 60 * 60 * 1000);
    }
  });
});
