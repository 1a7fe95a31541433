/**
 * Admin Center in a browser, second scenario (issue 11): HIPAA after the BAA, a SCIM token shown
 * once, a group mapping previewed then saved, and a bulk import of 1,000 rows with its progress
 * bar and bad-line report; each found on the audit log page. Its own Orgward without SMTP (the
 * import's hundreds of mails stay in the outbox instead of being delivered at the end).
 */
import type { Browser } from 'playwright-core';
import type { TestContext } from '../support/app.js';
import { addAccount, addVerifiedDomain, createOrgWithOwner } from '../support/fixtures.js';
import { launchBrowser, operatorCli, shot, signedInAs, startOrgward } from './support.js';

let app: Awaited<ReturnType<typeof startOrgward>>;
let ctx: TestContext;
let base: string;
let browser: Browser;

beforeAll(async () => {
  app = await startOrgward();
  ({ ctx, base } = app);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
}, 60_000);

const signedIn = (userSid: string) => signedInAs(browser, ctx, base, userSid);

/** Runs the bulk import worker until no job is left (what the server's worker loop does). */
async function drainImports(): Promise<void> {
  while (await ctx.services.userImports.runNext('browser-test-worker')) { /* next job */ }
}

describe('Admin Center in a browser: HIPAA, SCIM, bulk import', () => {
  it('HIPAA after the BAA, a SCIM token shown once, a group mapping previewed then saved, bulk import of 1,000 rows with progress and the bad-line report; all on the audit log page', async () => {
    const org = await createOrgWithOwner(ctx, { ownerEmail: 'hana@hipaa.test', name: 'Health Co' });
    await addVerifiedDomain(ctx, org.org.sid, 'hipaa.test');
    const account = await addAccount(ctx, { ownerSid: org.owner.sid, orgSid: org.org.sid, name: 'Clinic' });
    // H1: the operator records the executed BAA (and turns bulk import on) with the CLI.
    const set = await operatorCli(ctx, ['org', 'set', '--org', org.org.sid, '--baa', 'on', '--bulk-import', 'on', '--json']);
    expect(set).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(set.stdout)).toMatchObject({ orgSid: org.org.sid, bulkImportEnabled: true, baaExecutedAt: expect.any(String) });
    const { context, page } = await signedIn(org.owner.sid);

    await page.goto(`${base}/admin/accounts/${account.sid}`);
    await page.click('text=Set the HIPAA flag');
    await expect(page.textContent('.notice')).resolves.toContain('HIPAA flag was changed');
    await expect(page.textContent('main')).resolves.toContain('flagged');

    // C1: the token is on the page that created it, and nowhere after.
    await page.goto(`${base}/admin/scim`);
    await page.fill('#token-description', 'Okta');
    await page.click('#new-token button[type=submit]');
    const token = (await page.textContent('#secret-value'))!.trim();
    expect(token.length).toBeGreaterThan(20);
    await shot(page, 'scim-token-once');
    await page.goto(`${base}/admin/scim`);
    expect(await page.content()).not.toContain(token);
    // C5: preview, then save.
    await page.fill('#map-group', 'Clinicians');
    await page.selectOption('#map-role', 'standard');
    await page.selectOption('#map-account', account.sid);
    await page.selectOption('#map-account-role', { label: 'Support' });
    await page.click('#new-mapping button[value=preview]');
    await expect(page.textContent('h1')).resolves.toBe('Preview of the mapping');
    await page.click('#save-mapping button[type=submit]');
    await expect(page.textContent('#mappings')).resolves.toContain('Clinicians');
    await shot(page, 'scim');

    // B2: 1,000 rows, 10 of them bad (a common mailbox domain, D2/D7).
    const rows = ['email,role,name'];
    for (let i = 1; i <= 1000; i += 1) rows.push(i % 100 === 0 ? `bad${i}@gmail.com,standard,Bad ${i}` : `person${i}@hipaa.test,standard,Person ${i}`);
    await page.goto(`${base}/admin/users/import`);
    await page.fill('#import-csv', rows.join('\n'));
    await page.click('#import-form button[type=submit]');
    await expect(page.textContent('#import-status')).resolves.toContain('queued');
    expect(await page.getAttribute('#import-progress', 'value')).toBe('0');
    await shot(page, 'bulk-import-progress');
    await drainImports();
    // The page refreshes itself (meta refresh) until the job is done.
    await page.waitForFunction(() => document.querySelector('#import-status')?.textContent?.includes('done'), undefined, { timeout: 20_000 });
    expect(await page.getAttribute('#import-progress', 'value')).toBe('100');
    const bad = (await page.textContent('#bad-rows'))!;
    expect(bad).toContain('bad100@gmail.com');
    expect(bad).toContain('bad1000@gmail.com');
    expect((await page.locator('#bad-rows tbody tr').count())).toBe(10);
    await shot(page, 'bulk-import-report');

    await page.goto(`${base}/admin/audit`);
    let log = (await page.textContent('#audit'))!;
    // Follow the pages of the log to its end (1,000 imports write many entries).
    while (await page.locator('a[rel=next]').count()) {
      await page.click('a[rel=next]');
      log += (await page.textContent('#audit')) ?? '';
    }
    for (const action of ['account.hipaa_flagged', 'scim.token_created', 'scim.group_mapped']) {
      expect({ action, found: log.includes(action) }).toEqual({ action, found: true });
    }
    await context.close();
  }, 180_000);

});
