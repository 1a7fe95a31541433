/**
 * The Owner's SSO scenario in a real browser (issue 11): headless Debian chromium against a real
 * Orgward on loopback, the loopback DNS server (D3) and the loopback SAML IdP of
 * idp-fixtures/saml/idp-server.ts. The Owner signs in (password and TOTP), registers and verifies
 * a domain, creates a SAML connection from the IdP's metadata URL, runs the test sign-in and sees
 * its result and the attributes received (S1; as the Owner, which links their identity, S6),
 * enforces SSO on the domain after the warning of the password sessions it will end (S7) and signs
 * in again through the IdP; the member's password session ends, the member signs in
 * through the IdP (S2) and reaches their page, and a password sign-in is sent to the IdP or
 * refused with sso_required (S7, U5); each step is on the audit log page (L1). Screenshots go to
 * test-output/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSamlIdp, type TestSamlIdp } from '../../idp-fixtures/saml/idp-server.js';
import { totpCode } from '../../src/services/totp.js';
import type { TestContext } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { addAccount, grantAccount } from '../support/fixtures.js';
import { PASSWORD, userWithPassword } from '../http/auth/support.js';
import { launchBrowser, shot, signedInAs, startOrgward } from './support.js';

const DOMAIN = 'fabrikam.test';
const ORG_SID = 'OR' + 'f'.repeat(32);
let app: Awaited<ReturnType<typeof startOrgward>>;
let ctx: TestContext;
let base: string;
let dns: TestDnsServer;
let idp: TestSamlIdp;
let browser: Browser;

beforeAll(async () => {
  [dns, idp] = await Promise.all([startDnsServer(), startSamlIdp()]);
  // The loopback IdP serves its metadata over plain http on 127.0.0.1: the operator allows that here.
  app = await startOrgward({ dnsServers: [dns.address], ssoMetadata: { allowPrivateTargets: true } });
  ({ ctx, base } = app);
  browser = await launchBrowser();
}, 60_000);

/** A new browser context that fails a wait within 10 s rather than playwright's 30 s. */
async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  return context;
}

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await Promise.all([idp?.close(), dns?.close()]);
}, 60_000);

/** Signs in through the sign-in pages: email, password, then the TOTP enrolled on this first sign-in. */
async function signInWithPassword(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.click('button[type=submit]');
  await page.waitForSelector('#password');
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  const secret = (await page.textContent('#totp-secret'))!.trim();
  await page.fill('#code', totpCode(secret, ctx.clock.now()));
  await page.click('button[type=submit]');
  await expect(page.textContent('body')).resolves.toContain(`You are signed in as ${email}`);
  return page;
}

/** S2: from the sign-in page, the email sends the browser to the IdP, which signs this person in. */
async function signInThroughIdp(page: Page, person: { email: string; givenName: string; familyName: string }): Promise<void> {
  await page.fill('#email', person.email);
  idp.nextLogin(person);
  await page.click('button[type=submit]');
  await page.waitForSelector('#continue');
  expect(page.url().startsWith(idp.ssoUrl)).toBe(true);
  await page.click('#continue');
}

describe('the Owner sets up and enforces SSO in a browser', () => {
  it('domain verified, SAML from the metadata URL, the Owner\'s test sign-in with its attributes, enforcement after the warning; the Owner and the member then sign in only through the IdP (S1, S2, S6, S7)', async () => {
    // The Owner's email is on the domain: enforcing SSO ends their password session too, and they
    // come back through the IdP with the identity their test sign-in linked (S6).
    const owner = await userWithPassword(ctx, `owen@${DOMAIN}`, null);
    await ctx.store.transaction(async (repos) => {
      await repos.organizations.insert({ sid: ORG_SID, name: 'Fabrikam' });
      await repos.users.join(owner.sid, ORG_SID, 'owner');
    });
    const member = await userWithPassword(ctx, `mia@${DOMAIN}`, ORG_SID, 'standard');
    await grantAccount(ctx, ORG_SID, member.sid, (await addAccount(ctx, { ownerSid: owner.sid, orgSid: ORG_SID, name: 'Field sales' })).sid);
    // The member is already signed in with a password: the session enforcement will end.
    const before = await signedInAs(browser, ctx, base, member.sid);
    await before.page.goto(`${base}/admin/me`);
    await expect(before.page.textContent('main')).resolves.toContain('Field sales');

    const ownerContext = await newContext();
    const page = await signInWithPassword(ownerContext, `owen@${DOMAIN}`);

    // D3: register, publish the TXT record shown, verify.
    await page.goto(`${base}/admin/domains`);
    await page.fill('#domain', DOMAIN);
    await page.click('#add-domain button[type=submit]');
    await expect(page.textContent('.notice')).resolves.toContain('publish the TXT record');
    dns.publish((await page.textContent(`[id="txt-name-${DOMAIN}"]`))!.trim(), (await page.textContent(`[id="txt-value-${DOMAIN}"]`))!.trim());
    await page.click(`text=Verify ${DOMAIN}`);
    await expect(page.textContent('.notice')).resolves.toContain('The domain is verified.');

    // S1: a SAML connection from the IdP's metadata URL, fetched by Orgward.
    await page.goto(`${base}/admin/sso`);
    await page.fill('#saml-metadata-url', idp.metadataUrl);
    await page.click('#new-saml button[type=submit]');
    await expect(page.textContent('main')).resolves.toContain(idp.entityId);
    await expect(page.textContent('main')).resolves.toContain('never tested');
    const connectionPage = page.url().split('?')[0]!;
    // Not ready to enforce: the connection has not passed a test yet.
    await page.goto(`${base}/admin/domains/${DOMAIN}/confirm/enforce`);
    await page.click('button:has-text("Enforce SSO")');
    await expect(page.textContent('.error')).resolves.toContain('sso_not_ready');

    // The test sign-in at the IdP as the Owner (S6: signed in with password and TOTP, the Owner
    // links their own identity this way), then its result and the attributes received.
    await page.goto(connectionPage);
    await page.click('button:has-text("Run a test sign-in")');
    idp.nextLogin({ email: `owen@${DOMAIN}`, givenName: 'Owen', familyName: 'Hart' });
    await page.click('#test-link');
    await page.waitForSelector('#continue');
    await page.click('#continue');
    await expect(page.textContent('body')).resolves.toContain('Test sign-in succeeded');
    await page.goto(connectionPage);
    await expect(page.textContent('#last-test')).resolves.toContain('succeeded');
    const attributes = (await page.textContent('#test-attributes'))!;
    for (const value of [`owen@${DOMAIN}`, 'Owen', 'Hart', idp.entityId]) expect({ value, shown: attributes.includes(value) }).toEqual({ value, shown: true });
    await shot(page, 'sso-connection-tested');

    // S7: enforcing, after the warning of how many password sessions end (the member's and the Owner's).
    await page.goto(`${base}/admin/domains`);
    await page.click('text=Enforce SSO…');
    await expect(page.textContent('main')).resolves.toContain('2 password sessions will end at once');
    await shot(page, 'sso-enforce-confirm');
    await page.click('button:has-text("Enforce SSO")');
    // The Owner's own password session ended with the others: back through the IdP (S2, S6).
    await page.waitForURL(/\/login/);
    await signInThroughIdp(page, { email: `owen@${DOMAIN}`, givenName: 'Owen', familyName: 'Hart' });
    // Back on the page the ended session was sent away from, signed in as the Owner through SSO.
    await page.waitForURL(`${base}/admin/domains`);
    await expect(page.textContent('header')).resolves.toContain(`owen@${DOMAIN} · Owner`);
    await expect(page.textContent('main')).resolves.toMatch(/SSO enforcement: on/);
    // L1: each step is on the audit log page.
    await page.goto(`${base}/admin/audit`);
    const log = (await page.textContent('#audit'))!;
    for (const action of ['domain.added', 'domain.verified', 'sso.connection_added', 'sso.test_started', 'sso.connection_tested', 'sso.identity_linked', 'domain.sso_enforced']) {
      expect({ action, found: log.includes(action) }).toEqual({ action, found: true });
    }
    await ownerContext.close();

    // S7: the member's password session ended.
    await before.page.goto(`${base}/admin/me`);
    expect(new URL(before.page.url()).pathname).toBe('/login');
    await before.context.close();

    // S2: the member, in a fresh browser, starts from the email and is sent to the IdP.
    const memberContext = await newContext({ width: 390, height: 844 });
    const memberPage = await memberContext.newPage();
    await memberPage.goto(`${base}/admin/me`);
    expect(new URL(memberPage.url()).pathname).toBe('/login');
    await signInThroughIdp(memberPage, { email: `mia@${DOMAIN}`, givenName: 'Mia', familyName: 'Lund' });
    // Back where the member started, signed in through SSO.
    await memberPage.waitForURL(`${base}/admin/me`);
    await expect(memberPage.textContent('main')).resolves.toContain(`mia@${DOMAIN}`);
    await expect(memberPage.textContent('main')).resolves.toContain('Field sales');
    await shot(memberPage, 'sso-member-signed-in-phone');
    await memberContext.close();

    // S7, U5: a password sign-in for the member is refused, whatever the form says.
    const passwordContext = await newContext();
    const passwordPage = await passwordContext.newPage();
    await passwordPage.goto(`${base}/login`);
    const csrf = (await passwordPage.getAttribute('input[name=_csrf]', 'value'))!;
    const refused = await passwordContext.request.post(`${base}/login/password`, {
      form: { _csrf: csrf, email: `mia@${DOMAIN}`, password: PASSWORD }, headers: { origin: base }, maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('sso_required');
    expect((await passwordContext.cookies()).map((c) => c.name)).not.toContain('orgward_session');
    await passwordContext.close();
  }, 120_000);
});
