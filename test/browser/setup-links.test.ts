/**
 * Setup links in a real browser (issue 11): the Owner creates an SSO link and a SCIM link in the
 * Admin Center; the customer's IT admin, in a browser with no Orgward account or session, completes
 * them: SAML for Okta (the values to copy, the IdP's metadata, the test sign-in at the loopback test
 * IdP of idp-fixtures/saml/idp-server.ts, the attributes received), and SCIM (the token shown once,
 * then a push of a user and a group by a real HTTP SCIM client sending Okta's recorded bodies; the
 * page shows them). The Owner then finds every step on the audit log page. Screenshots go to
 * test-output/screenshots/.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startSamlIdp, type TestSamlIdp } from '../../idp-fixtures/saml/idp-server.js';
import type { TestContext } from '../support/app.js';
import { addVerifiedDomain, createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';
import { launchBrowser, shot, signedInAs, startOrgward } from './support.js';

let app: Awaited<ReturnType<typeof startOrgward>>;
let ctx: TestContext;
let base: string;
let browser: Browser;
let idp: TestSamlIdp;
let org: OrgWithOwner;
const DOMAIN = 'northwind.test';

beforeAll(async () => {
  [app, idp] = await Promise.all([startOrgward(), startSamlIdp()]);
  ({ ctx, base } = app);
  browser = await launchBrowser();
  org = await createOrgWithOwner(ctx, { ownerEmail: `olga@${DOMAIN}`, name: 'Northwind' });
  await addVerifiedDomain(ctx, org.org.sid, DOMAIN);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await idp?.close();
}, 60_000);

/** The Owner makes a link of `kind` on the Admin Center page; its URL, as shown once. */
async function createLink(page: Page, kind: 'sso' | 'scim', screenshot?: string): Promise<string> {
  await page.goto(`${base}/admin/setup-links`);
  await page.selectOption('#link-kind', kind);
  await page.fill('#link-days', '7');
  await page.click('#new-setup-link button[type=submit]');
  await expect(page.textContent('h1')).resolves.toBe('New setup link');
  const url = (await page.textContent('#secret-value'))!.trim();
  expect(url).toMatch(new RegExp(`^${base}/setup/sl_`));
  if (screenshot) await shot(page, screenshot);
  return url;
}

/** A browser of someone outside Orgward: no cookie at all. */
async function outsider(): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return { page: await context.newPage(), close: () => context.close() };
}

const fill = (text: string, values: Record<string, string>) => Object.entries(values).reduce((t, [k, v]) => t.split(`{{${k}}}`).join(v), text);
const recorded = (name: string) => fs.readFileSync(new URL(`../../idp-fixtures/scim/okta/${name}`, import.meta.url), 'utf8');

describe('setup links in a browser', () => {
  it('an IT admin completes a SAML setup link and a SCIM setup link without an Orgward account; the Owner finds each step in the audit log', async () => {
    const owner = await signedInAs(browser, ctx, base, org.owner.sid);
    const ssoUrl = await createLink(owner.page, 'sso', 'setup-link-created');
    const scimUrl = await createLink(owner.page, 'scim');

    // SAML for Okta, by someone with no Orgward account.
    const it1 = await outsider();
    await it1.page.goto(ssoUrl);
    await expect(it1.page.textContent('h1')).resolves.toBe('Single sign-on for Northwind');
    expect(await it1.page.context().cookies()).not.toContainEqual(expect.objectContaining({ name: 'orgward_session' }));
    await it1.page.check('input[name=idp][value=okta]');
    await it1.page.click('#choose-idp button[type=submit]');
    const acs = (await it1.page.textContent('#sp-acs'))!.trim();
    expect(acs).toMatch(new RegExp(`^${base}/sso/saml/[0-9a-f-]{36}/acs$`));
    await expect(it1.page.textContent('#attribute-mappings')).resolves.toContain('user.email');
    await shot(it1.page, 'setup-sso-okta');
    // The metadata Okta shows at its Metadata URL.
    await it1.page.fill('#saml-metadata', await (await fetch(idp.metadataUrl)).text());
    await it1.page.click('#idp-saml button[type=submit]');
    await expect(it1.page.textContent('.notice')).resolves.toContain('Now run the test sign-in');
    await it1.page.click('#start-test button[type=submit]');
    idp.nextLogin({ email: `ivan@${DOMAIN}`, givenName: 'Ivan', familyName: 'Petrov' });
    await it1.page.click('#test-link');
    await it1.page.waitForSelector('#continue');
    await it1.page.click('#continue');
    await expect(it1.page.textContent('body')).resolves.toContain('Test sign-in succeeded');
    await it1.page.goto(ssoUrl);
    await expect(it1.page.textContent('#last-test')).resolves.toContain('succeeded');
    await expect(it1.page.textContent('#test-attributes')).resolves.toContain(`ivan@${DOMAIN}`);
    await expect(it1.page.textContent('#step-4')).resolves.toContain('Single sign-on is set up.');
    await shot(it1.page, 'setup-sso-tested');
    await it1.close();

    // SCIM for Okta: the token shown once, then Okta's first pushes over HTTP.
    const it2 = await outsider();
    await it2.page.goto(scimUrl);
    await it2.page.check('input[name=idp][value=okta]');
    await it2.page.click('#choose-idp button[type=submit]');
    await expect(it2.page.textContent('#scim-base')).resolves.toBe(`${base}/scim/v2`);
    await it2.page.click('#new-token button[type=submit]');
    const token = (await it2.page.textContent('#secret-value'))!.trim();
    expect(token).toMatch(/^scim_/);
    await it2.page.click('text=Done');
    expect(await it2.page.content()).not.toContain(token);
    await expect(it2.page.textContent('#first-user')).resolves.toContain('none yet');
    const scim = (path: string, body: string) => fetch(`${base}/scim/v2${path}`, {
      method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' },
    });
    const user = await scim('/Users', fill(recorded('create-user.json'), { domain: DOMAIN }));
    expect(user.status).toBe(201);
    const userId = ((await user.json()) as { id: string }).id;
    const group = await scim('/Groups', fill(recorded('create-group.json'), { domain: DOMAIN, user: userId }));
    expect(group.status).toBe(201);
    await it2.page.goto(scimUrl);
    await expect(it2.page.textContent('#first-user')).resolves.toContain(`isabella.jones@${DOMAIN}`);
    await expect(it2.page.textContent('#first-group')).resolves.toContain('Test SCIMv2');
    await shot(it2.page, 'setup-scim-received');
    await it2.close();

    // The Owner: the links' steps, and each one in the audit log.
    await owner.page.goto(`${base}/admin/setup-links`);
    await shot(owner.page, 'setup-links');
    const links = await ctx.services.setupLinks.list(org.ownerActor, org.org.sid);
    const sso = links.find((l) => l.kind === 'sso')!;
    const scimLink = links.find((l) => l.kind === 'scim')!;
    await owner.page.click(`text=${sso.sid}`);
    const ssoLog = (await owner.page.textContent('#audit'))!;
    for (const action of ['setup_link.idp_chosen', 'sso.connection_added', 'sso.test_started']) {
      expect({ action, found: ssoLog.includes(action) }).toEqual({ action, found: true });
    }
    await shot(owner.page, 'audit-setup-link');
    await owner.page.goto(`${base}/admin/audit?target=${sso.connectionId}`);
    await expect(owner.page.textContent('#audit')).resolves.toContain('sso.connection_tested');
    await owner.page.goto(`${base}/admin/audit?actor=setup:${scimLink.sid}`);
    const scimLog = (await owner.page.textContent('#audit'))!;
    for (const action of ['setup_link.idp_chosen', 'scim.token_created']) {
      expect({ action, found: scimLog.includes(action) }).toEqual({ action, found: true });
    }
    await owner.page.goto(`${base}/admin/audit?action=setup_link.created`);
    await expect(owner.page.locator('#audit tbody tr').count()).resolves.toBe(2);
    // Nothing the links did enforced SSO or gave anyone a role.
    expect(await ctx.services.domains.get(org.ownerActor, org.org.sid, DOMAIN)).toMatchObject({ ssoEnforced: false, policy: 'restricted' });
    expect((await ctx.store.read.users.getByEmail(`isabella.jones@${DOMAIN}`))?.role).toBe('standard');
    await owner.context.close();
  }, 120_000);
});
