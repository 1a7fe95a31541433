/**
 * Admin Center SSO page (S1): a SAML connection from fields, the SP values to give the IdP, the
 * test sign-in link (single use, same origin), disable, delete behind a confirmation; Standard
 * Users get 403.
 */
import request from 'supertest';
import { IDP_A_KEY } from '../../../idp-fixtures/keys.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addMember, addVerifiedDomain, createOrgWithOwner } from '../../support/fixtures.js';
import { get, post, sessionCookie } from './support.js';

let ctx: TestContext;
let orgSid: string;
let adminCookie: string;
let standardCookie: string;

beforeAll(async () => {
  ctx = await createTestContext();
  orgSid = (await createOrgWithOwner(ctx, { ownerEmail: 'owner@sso.test' })).org.sid;
  await addVerifiedDomain(ctx, orgSid, 'sso.test');
  adminCookie = await sessionCookie(ctx, (await addMember(ctx, orgSid, 'admin@sso.test', 'admin')).sid);
  standardCookie = await sessionCookie(ctx, (await addMember(ctx, orgSid, 'std@sso.test')).sid);
});
afterAll(async () => ctx.close());

describe('SSO page (S1)', () => {
  it('adds a SAML connection from fields, shows the SP values, a test link, disables and deletes it', async () => {
    const added = await post(ctx, adminCookie, '/admin/sso/saml', { entityId: 'https://idp.sso.test/entity', ssoUrl: 'https://idp.sso.test/sso', certificate: IDP_A_KEY.cert }).expect(303);
    const location = added.headers.location as string;
    expect(location).toMatch(/^\/admin\/sso\/[^/?]+\?notice=sso_added$/);
    const page = await get(ctx, adminCookie, location).expect(200);
    expect(page.text).toContain('never tested');
    expect(page.text).toContain('id="sp-acs"');
    expect(page.text).toContain('https://idp.sso.test/entity');
    const id = location.split('/')[3]!.split('?')[0]!;
    const test = await post(ctx, adminCookie, `/admin/sso/${id}/test`).expect(200);
    expect(test.text).toMatch(/href="http:\/\/orgward\.test\/sso\/test\/sst_[A-Za-z0-9_-]+"/);
    // Enforcement is not ready: the connection has never passed a test (S1).
    const domains = await get(ctx, adminCookie, '/admin/domains').expect(200);
    expect(domains.text).toContain('Not ready');
    await post(ctx, adminCookie, `/admin/domains/sso.test/enforcement`, { on: 'true' }).expect(409);
    await post(ctx, adminCookie, `/admin/sso/${id}/enabled`, { enabled: 'false' }).expect(303);
    expect((await get(ctx, adminCookie, '/admin/sso').expect(200)).text).toMatch(/<td>never<\/td><td>no<\/td>/);
    const confirm = await get(ctx, adminCookie, `/admin/sso/${id}/confirm/delete`).expect(200);
    expect(confirm.text).toContain(`action="/admin/sso/${id}/delete"`);
    await post(ctx, adminCookie, `/admin/sso/${id}/delete`).expect(303);
    expect(await ctx.services.sso.list({ kind: 'operator' }, orgSid)).toHaveLength(0);
  });

  it('R-S7: the confirmation before enforcing says how many password sessions on the domain will end', async () => {
    const before = await get(ctx, adminCookie, '/admin/domains/sso.test/confirm/enforce').expect(200);
    // The Administrator's and the Standard User's console sessions are password sessions on sso.test.
    expect(before.text).toContain('2 password sessions will end at once');
    const elsewhere = await createOrgWithOwner(ctx, { ownerEmail: 'owner@elsewhere.test' });
    await sessionCookie(ctx, elsewhere.owner.sid);
    await sessionCookie(ctx, (await addMember(ctx, orgSid, 'third@sso.test')).sid);
    const after = await get(ctx, adminCookie, '/admin/domains/sso.test/confirm/enforce').expect(200);
    expect(after.text).toContain('3 password sessions will end at once');
    await get(ctx, standardCookie, '/admin/domains/sso.test/confirm/enforce').expect(403);
  });

  it('refuses metadata that is not IdP metadata, with the code', async () => {
    const res = await post(ctx, adminCookie, '/admin/sso/saml', { metadata: '<nope/>' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<code>[a-z_]+<\/code>/);
  });

  it('O3: a Standard User gets 403', async () => {
    await get(ctx, standardCookie, '/admin/sso').expect(403);
    await post(ctx, standardCookie, '/admin/sso/saml', { entityId: 'x' }).expect(403);
    expect((await request(ctx.app).get('/admin/sso')).status).toBe(303);
  });
});
