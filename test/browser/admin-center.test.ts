/**
 * The Admin Center in a real browser (issue 11): headless Debian chromium driven by playwright-core
 * against a real Orgward listening on loopback, with the loopback DNS server (domain verification,
 * D3) and SMTP server (the invitation mail). Screenshots of the main pages go to
 * test-output/screenshots/.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { totpCode } from '../../src/services/totp.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { addAccount, addMember, addVerifiedDomain, createOrgWithOwner, grantAccount } from '../support/fixtures.js';
import { PASSWORD, userWithPassword } from '../http/auth/support.js';

const SHOTS = path.resolve('test-output/screenshots');
let ctx: TestContext;
let dns: TestDnsServer;
let smtp: TestSmtpServer;
let server: http.Server;
let base: string;
let browser: Browser;
let orgSid: string;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  [dns, smtp] = await Promise.all([startDnsServer(), startSmtpServer()]);
  // playwright launches chromium with a fresh temporary user-data dir of its own, removed on close.
  // Listen first: the app's base URL (links in mail, the CSRF origin check) is the real loopback address.
  let handler: http.RequestListener = (_req, res) => { res.statusCode = 503; res.end(); };
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx = await createTestContext({ baseUrl: base, dnsServers: [dns.address], smtpUrl: smtp.url });
  handler = ctx.app;
  const owner = await userWithPassword(ctx, 'olivia@corp.test', null);
  const org = await ctx.store.transaction(async (repos) => {
    await repos.organizations.insert({ sid: 'OR' + 'c'.repeat(32), name: 'Corp Inc' });
    await repos.users.join(owner.sid, 'OR' + 'c'.repeat(32), 'owner');
    return 'OR' + 'c'.repeat(32);
  });
  orgSid = org;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await ctx?.close();
  await Promise.all([dns?.close(), smtp?.close()]);
}, 60_000);

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Signs in through the sign-in pages: email, password, then the TOTP (enrolled on the first sign-in). */
async function signIn(context: BrowserContext, email: string, startAt: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}${startAt}`);
  expect(page.url()).toContain('/login');
  await page.fill('#email', email);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (!(await page.locator('#password').count())) throw new Error(`no password field: ${page.url()} ${await page.content()}`);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  const secret = (await page.textContent('#totp-secret'))!.trim();
  await page.fill('#code', totpCode(secret, ctx.clock.now()));
  await page.click('button[type=submit]');
  await page.goto(`${base}${startAt}`);
  return page;
}

/** A browser already signed in as `userSid` (a real session cookie; the sign-in pages are covered above). */
async function signedIn(userSid: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const session = await ctx.store.transaction((repos) => ctx.services.sessions.issue(repos, { userSid, method: 'password', passwordChangedAt: null }));
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: 'orgward_session', value: session.token, url: base }]);
  return { context, page: await context.newPage() };
}

describe('Admin Center in a browser', () => {
  it('an Owner signs in, registers and verifies a domain, sets Auto-enrollment, invites an Administrator who accepts through the mailed link, creates an account and a subaccount; each action is on the audit log page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context, 'olivia@corp.test', '/admin');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expect(page.textContent('h1')).resolves.toBe('Overview');
    await expect(page.textContent('main')).resolves.toContain('Corp Inc');
    await shot(page, 'overview');

    // D3: register, publish the TXT record shown, verify.
    await page.click('nav >> text=Domains');
    await page.fill('#domain', 'corp.test');
    await page.click('#add-domain button[type=submit]');
    await expect(page.textContent('.notice')).resolves.toContain('publish the TXT record');
    const txtName = (await page.textContent('[id="txt-name-corp.test"]'))!.trim();
    const txtValue = (await page.textContent('[id="txt-value-corp.test"]'))!.trim();
    await shot(page, 'domains-register');
    await page.click('text=Verify corp.test');
    await expect(page.textContent('.error')).resolves.toContain('dns_txt_missing');
    dns.publish(txtName, txtValue);
    await page.goto(`${base}/admin/domains`);
    await page.click('text=Verify corp.test');
    await expect(page.textContent('.notice')).resolves.toContain('The domain is verified.');
    // D6: Auto-enrollment.
    await page.selectOption('[id="policy-corp.test"]', 'auto_enrollment');
    await page.click('text=Save policy');
    await expect(page.textContent('.notice')).resolves.toContain('policy was changed');
    await shot(page, 'domains');

    // Invite an Administrator; they accept through the mailed link.
    await page.goto(`${base}/admin/invitations/new`);
    await page.fill('#emails', 'adam@corp.test');
    await page.selectOption('#invite-role', 'admin');
    await page.click('#invite-form button[type=submit]');
    await expect(page.textContent('.results')).resolves.toContain('adam@corp.test');
    const mail = await smtp.waitFor('adam@corp.test', 10_000);
    const link = mail.links.find((l) => l.includes('/invitations/'))!;
    const invitee = await (await browser.newContext()).newPage();
    await invitee.goto(link);
    await invitee.fill('input[name=password]', PASSWORD);
    await invitee.click('button[type=submit]');
    await expect(invitee.textContent('body')).resolves.toContain('You joined the organization.');
    const adam = await ctx.store.read.users.getByEmail('adam@corp.test');
    expect(adam?.role).toBe('admin');

    // Users page finds the new Administrator.
    await page.goto(`${base}/admin/users?q=adam`);
    await expect(page.textContent('#users')).resolves.toContain('adam@corp.test');
    await shot(page, 'users');
    await page.click('text=adam@corp.test');
    await shot(page, 'user');

    // An account and a subaccount.
    await page.goto(`${base}/admin/accounts`);
    await page.fill('#acc-name', 'Production');
    await page.click('#create-account button[type=submit]');
    await expect(page.textContent('.notice')).resolves.toContain('The account was created.');
    await page.fill('#sub-name', 'Production EU');
    await page.click('#create-subaccount button[type=submit]');
    await expect(page.textContent('#subaccounts')).resolves.toContain('Production EU');
    await shot(page, 'account');
    await page.goto(`${base}/admin/accounts`);
    await shot(page, 'accounts');

    // L1: each action is on the audit log page.
    await page.goto(`${base}/admin/audit`);
    const log = (await page.textContent('#audit'))!;
    for (const action of ['domain.added', 'domain.verified', 'domain.policy_changed', 'invitation.created', 'invitation.accepted', 'account.created', 'account.subaccount_created']) {
      expect({ action, found: log.includes(action) }).toEqual({ action, found: true });
    }
    await shot(page, 'audit-log');
    await context.close();
  }, 120_000);

  it('a Standard User sees only their accounts and gets no admin page (O3)', async () => {
    const member = await userWithPassword(ctx, 'sam@corp.test', orgSid, 'standard');
    const owner = await ctx.store.read.users.getByEmail('olivia@corp.test');
    const mine = await addAccount(ctx, { ownerSid: owner!.sid, orgSid, name: 'Support desk' });
    await addAccount(ctx, { ownerSid: owner!.sid, orgSid, name: 'Payroll' });
    await grantAccount(ctx, orgSid, member.sid, mine.sid);
    await addMember(ctx, orgSid, 'someone@corp.test');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await signIn(context, 'sam@corp.test', '/admin/me');
    const main = (await page.textContent('main'))!;
    expect(main).toContain('Support desk');
    expect(main).not.toContain('Payroll');
    expect(await page.locator('nav >> text=Users').count()).toBe(0);
    await shot(page, 'standard-user-profile-phone');
    for (const p of ['/admin/users', '/admin/domains', '/admin/audit', '/admin/roles', '/admin/invitations']) {
      const res = await page.goto(`${base}${p}`);
      expect({ p, status: res?.status() }).toEqual({ p, status: 403 });
      expect(await page.textContent('main')).not.toContain('someone@corp.test');
    }
    await context.close();
  }, 60_000);

  it('a merge is previewed by the Prime and accepted by the Candidate Owner', async () => {
    const prime = await createOrgWithOwner(ctx, { ownerEmail: 'pat@prime-b.test', name: 'Prime B' });
    await addVerifiedDomain(ctx, prime.org.sid, 'prime-b.test');
    const candidate = await createOrgWithOwner(ctx, { ownerEmail: 'cara@prime-b.test', name: 'Candidate C' });
    await addAccount(ctx, { ownerSid: candidate.owner.sid, orgSid: candidate.org.sid, name: 'Candidate account' });
    const primeBrowser = await signedIn(prime.owner.sid);
    await primeBrowser.page.goto(`${base}/admin/merge`);
    await primeBrowser.page.fill('#merge-email', 'cara@prime-b.test');
    await primeBrowser.page.click('#merge-invite button[type=submit]');
    await expect(primeBrowser.page.textContent('#merge-allowed')).resolves.toContain('yes');
    await expect(primeBrowser.page.textContent('#merge-accounts')).resolves.toContain('Candidate account');
    await shot(primeBrowser.page, 'merge-preview');

    const candidateBrowser = await signedIn(candidate.owner.sid);
    await candidateBrowser.page.goto(`${base}/admin/merge`);
    await candidateBrowser.page.click('#incoming a');
    await candidateBrowser.page.click('text=Accept: move everything into Prime B');
    await expect(candidateBrowser.page.textContent('.notice')).resolves.toContain('The merge is done');
    expect((await ctx.store.read.users.get(candidate.owner.sid))?.orgSid).toBe(prime.org.sid);

    await primeBrowser.page.goto(`${base}/admin/audit?action=organization.merged`);
    await expect(primeBrowser.page.textContent('#audit')).resolves.toContain('organization.merged');
    await primeBrowser.context.close();
    await candidateBrowser.context.close();
  }, 60_000);
});
