/**
 * Admin Center SCIM and API client pages (C1, C5): a new SCIM token or client secret is shown once,
 * on the response of the POST that made it, and no page shows it again; the token works against
 * the SCIM endpoint; a group mapping is previewed (nothing saved) and then saved.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, addVerifiedDomain, createOrgWithOwner } from '../../support/fixtures.js';
import type { Member } from '../../../src/types.js';
import { get, post, sessionCookie } from './support.js';

let ctx: TestContext;
let orgSid: string;
let owner: Member;
let adminCookie: string;
let standardCookie: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@scim.test' });
  orgSid = org.org.sid;
  owner = org.owner;
  await addVerifiedDomain(ctx, orgSid, 'scim.test');
  adminCookie = await sessionCookie(ctx, (await addMember(ctx, orgSid, 'admin@scim.test', 'admin')).sid);
  standardCookie = await sessionCookie(ctx, (await addMember(ctx, orgSid, 'std@scim.test')).sid);
});
afterAll(async () => ctx.close());

const secretOn = (html: string): string => /<code class="copyable" id="secret-value">([^<]+)<\/code>/.exec(html)?.[1] ?? '';

describe('SCIM page (C1)', () => {
  it('shows a new token once: it works against /scim/v2, and no later page shows it', async () => {
    const created = await post(ctx, adminCookie, '/admin/scim/tokens', { description: 'Okta' }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = secretOn(created.text);
    expect(token.length).toBeGreaterThan(20);
    await request(ctx.app).get('/scim/v2/Users').set('Authorization', `Bearer ${token}`).expect(200);
    const page = await get(ctx, adminCookie, '/admin/scim').expect(200);
    expect(page.text).toContain('Okta');
    expect(page.text).not.toContain(token);
    const audit = await get(ctx, adminCookie, '/admin/audit').expect(200);
    expect(audit.text).not.toContain(token);
  });

  it('revokes a token', async () => {
    const token = secretOn((await post(ctx, adminCookie, '/admin/scim/tokens', { description: 'old' }).expect(201)).text);
    const [live] = (await ctx.services.scimTokens.list({ kind: 'operator' }, orgSid)).filter((t) => t.description === 'old');
    await post(ctx, adminCookie, `/admin/scim/tokens/${live!.id}/revoke`).expect(303);
    await request(ctx.app).get('/scim/v2/Users').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('shows the IdP\'s recent provisioning activity, newest first, from every token of the organization (revoked too)', async () => {
    const scim = (token: string, body: object) => request(ctx.app).post('/scim/v2/Users').set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
    const user = (email: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, emails: [{ value: email, primary: true }], active: true });
    const first = secretOn((await post(ctx, adminCookie, '/admin/scim/tokens', { description: 'first' }).expect(201)).text);
    const second = secretOn((await post(ctx, adminCookie, '/admin/scim/tokens', { description: 'second' }).expect(201)).text);
    await scim(first, user('pushed-1@scim.test')).expect(201);
    const [firstToken] = (await ctx.services.scimTokens.list({ kind: 'operator' }, orgSid)).filter((t) => t.description === 'first');
    await ctx.services.scimTokens.revoke({ kind: 'operator' }, orgSid, firstToken!.id);
    await scim(second, user('pushed-2@scim.test')).expect(201);
    const page = (await get(ctx, adminCookie, '/admin/scim').expect(200)).text;
    const section = page.slice(page.indexOf('Recent provisioning activity'));
    expect(section.indexOf('pushed-2@scim.test')).toBeGreaterThan(0);
    expect(section.indexOf('pushed-1@scim.test')).toBeGreaterThan(section.indexOf('pushed-2@scim.test'));
    // What the Administrator did by hand is not the IdP's activity.
    expect(section).not.toContain('scim.token_created');
  });

  it('C5: previews a mapping without saving it, then saves it', async () => {
    const account = await addAccount(ctx, { ownerSid: owner.sid, orgSid, name: 'Ops' });
    const preview = await post(ctx, adminCookie, '/admin/scim/mappings', { group: 'Engineers', role: 'admin', account: account.sid, accountRole: 'Developer', intent: 'preview' }).expect(200);
    expect(preview.text).toContain('Save the mapping');
    expect(await ctx.services.scimGroups.listMappings({ kind: 'operator' }, orgSid)).toHaveLength(0);
    await post(ctx, adminCookie, '/admin/scim/mappings', { group: 'Engineers', role: 'admin', account: account.sid, accountRole: 'Developer', intent: 'save' }).expect(303);
    const [mapping] = await ctx.services.scimGroups.listMappings({ kind: 'operator' }, orgSid);
    expect(mapping).toMatchObject({ groupRef: 'Engineers', role: 'admin' });
    expect((await get(ctx, adminCookie, '/admin/scim').expect(200)).text).toContain('Developer on ' + account.sid);
  });

  it('O3: a Standard User gets 403 and no token', async () => {
    await get(ctx, standardCookie, '/admin/scim').expect(403);
    const res = await post(ctx, standardCookie, '/admin/scim/tokens').expect(403);
    expect(secretOn(res.text)).toBe('');
  });
});

describe('API clients page', () => {
  it('shows a new secret once; the client gets a token with it; revoking needs a confirmation page', async () => {
    const created = await post(ctx, adminCookie, '/admin/api-clients', { name: 'Billing sync', role: 'read-only' }).expect(201);
    const secret = secretOn(created.text);
    const clientId = /<dt>Client ID<\/dt><dd><code>([^<]+)<\/code>/.exec(created.text)?.[1] ?? '';
    expect(secret).not.toBe('');
    await request(ctx.app).post('/v1/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).expect(200);
    const list = await get(ctx, adminCookie, '/admin/api-clients').expect(200);
    expect(list.text).toContain(clientId);
    expect(list.text).not.toContain(secret);
    const confirm = await get(ctx, adminCookie, `/admin/api-clients/${clientId}/confirm/revoke`).expect(200);
    expect(confirm.text).toContain(`action="/admin/api-clients/${clientId}/revoke"`);
    await post(ctx, adminCookie, `/admin/api-clients/${clientId}/revoke`).expect(303);
    await request(ctx.app).post('/v1/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).expect(401);
  });
});
