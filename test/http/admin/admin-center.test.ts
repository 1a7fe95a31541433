/**
 * The Admin Center over HTTP (issue 11): sign-in redirect with the return path, CSP without inline
 * code, CSRF on every form, the role check of every route (O3: a Standard User gets 403 from each
 * organization-management page and never another user's data), keyset paging of Users, escaping.
 */
import request from 'supertest';
import { adminRouteTable } from '../../../src/http/admin/index.js';
import { BUILT_IN_ROLE_SIDS, DEVELOPER_ROLE_SID } from '../../../src/rules/role-catalogue.js';
import { can } from '../../../src/rules/roles.js';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, addVerifiedDomain, createOrgWithOwner, grantAccount } from '../../support/fixtures.js';
import type { Account, Member } from '../../../src/types.js';
import { CSRF, get, post, sessionCookie } from './support.js';

let ctx: TestContext;
let owner: Member;
let admin: Member;
let standard: Member;
let orgSid: string;
let ownerCookie: string;
let adminCookie: string;
let standardCookie: string;
let ownAccount: Account;
let otherAccount: Account;

beforeAll(async () => {
  ctx = await createTestContext();
  const org = await createOrgWithOwner(ctx, { ownerEmail: 'owner@acme.test', name: 'Acme' });
  owner = org.owner;
  orgSid = org.org.sid;
  await addVerifiedDomain(ctx, orgSid, 'acme.test');
  admin = await addMember(ctx, orgSid, 'admin@acme.test', 'admin');
  standard = await addMember(ctx, orgSid, 'standard@acme.test', 'standard');
  ownAccount = await addAccount(ctx, { ownerSid: owner.sid, orgSid, name: 'Granted account' });
  otherAccount = await addAccount(ctx, { ownerSid: owner.sid, orgSid, name: 'Secret account' });
  await grantAccount(ctx, orgSid, standard.sid, ownAccount.sid);
  ownerCookie = await sessionCookie(ctx, owner.sid);
  adminCookie = await sessionCookie(ctx, admin.sid);
  standardCookie = await sessionCookie(ctx, standard.sid);
});
afterAll(async () => ctx.close());

describe('Admin Center: sign-in and headers', () => {
  it('sends a browser without a session to sign in, coming back to the page afterwards', async () => {
    const res = await request(ctx.app).get('/admin/users').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fusers');
    const login = await request(ctx.app).get(res.headers.location as string).expect(200);
    expect(String(login.headers['set-cookie'])).toContain('orgward_return=%2Fadmin%2Fusers');
  });

  it('serves pages with a CSP that allows only its own script and style files, and the files themselves', async () => {
    const res = await get(ctx, ownerCookie, '/admin').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle=|<style/);
    expect(res.text).toContain('<script src="/admin/assets/admin.js" defer></script>');
    const js = await request(ctx.app).get('/admin/assets/admin.js').expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    await request(ctx.app).get('/admin/assets/admin.css').expect(200).expect('Content-Type', /css/);
    expect((await request(ctx.app).get('/admin/assets/../index.ts')).status).toBeGreaterThanOrEqual(403);
  });

  it('shows the Overview to the Owner: name, SID, Owner and counts', async () => {
    const res = await get(ctx, ownerCookie, '/admin').expect(200);
    expect(res.text).toContain('Acme');
    expect(res.text).toContain(orgSid);
    expect(res.text).toContain('owner@acme.test');
    expect(res.text).toMatch(/<strong>3<\/strong> users/);
  });
});

describe('Admin Center: CSRF on every form', () => {
  it('refuses a form without the CSRF token, with a wrong one, or from another origin, and changes nothing', async () => {
    const path = `/admin/users/${standard.sid}/role`;
    const missing = await request(ctx.app).post(path).set('Cookie', adminCookie).type('form').send({ role: 'admin' }).expect(403);
    expect(missing.text).toContain('forbidden');
    await post(ctx, adminCookie, path, { role: 'admin', _csrf: 'B'.repeat(43) }).expect(403);
    await post(ctx, adminCookie, path, { role: 'admin' }).set('Origin', 'https://evil.example').expect(403);
    expect((await ctx.services.members.get({ kind: 'operator' }, orgSid, standard.sid)).role).toBe('standard');
  });

  it('applies a form with the token (POST, then a redirect to the page with a notice)', async () => {
    const target = await addMember(ctx, orgSid, 'promote@acme.test');
    const res = await post(ctx, adminCookie, `/admin/users/${target.sid}/role`, { role: 'admin' }).expect(303);
    expect(res.headers.location).toBe(`/admin/users/${target.sid}?notice=role_changed`);
    expect((await ctx.services.members.get({ kind: 'operator' }, orgSid, target.sid)).role).toBe('admin');
    const page = await get(ctx, adminCookie, res.headers.location as string).expect(200);
    expect(page.text).toContain('The role was changed.');
    const audit = await get(ctx, adminCookie, `/admin/audit?action=user.role_changed&target=${target.sid}`).expect(200);
    expect(audit.text).toContain(admin.sid);
  });
});

/** A concrete path for a route pattern (another user's SID, an account of the organization, …). */
function concrete(path: string): string {
  return `/admin${path === '/' ? '' : path}`
    .replace(':sid', path.startsWith('/accounts') ? otherAccount.sid : owner.sid)
    .replace(':what', 'suspend').replace(':domain', 'acme.test').replace(':id', '00000000-0000-4000-8000-000000000000')
    .replace(':assignment', `IY${'0'.repeat(32)}`);
}

describe('Admin Center: roles (O3)', () => {
  const routes = adminRouteTable();
  const managing = routes.filter((r) => r.action !== 'self' && !can('standard', r.action));

  it('has organization-management routes to check', () => {
    expect(managing.length).toBeGreaterThan(20);
  });

  it.each(managing.map((r) => [r.method.toUpperCase(), r.path, r] as const))('O3: a Standard User gets 403 from %s %s, with no other user\'s data', async (_m, _p, route) => {
    const path = concrete(route.path);
    const res = route.method === 'get' ? await get(ctx, standardCookie, path) : await post(ctx, standardCookie, path, { role: 'admin', name: 'x', domain: 'x.test' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('forbidden');
    for (const secret of ['owner@acme.test', 'admin@acme.test', 'Secret account', otherAccount.sid]) expect(res.text).not.toContain(secret);
  });

  it('nothing changed for the refused writes', async () => {
    expect((await ctx.services.members.get({ kind: 'operator' }, orgSid, owner.sid)).role).toBe('owner');
    expect((await ctx.services.domains.list({ kind: 'operator' }, orgSid)).map((d) => d.domain)).toEqual(['acme.test']);
  });

  it('a Standard User sees their profile and only their own accounts, with their role there', async () => {
    const home = await get(ctx, standardCookie, '/admin').expect(303);
    expect(home.headers.location).toBe('/admin/me');
    const me = await get(ctx, standardCookie, '/admin/me').expect(200);
    expect(me.text).toContain('standard@acme.test');
    expect(me.text).toContain('Granted account');
    expect(me.text).not.toContain('Secret account');
    expect(me.text).not.toContain('href="/admin/users"');
    const accounts = await get(ctx, standardCookie, '/admin/accounts').expect(200);
    expect(accounts.text).toContain('Granted account');
    expect(accounts.text).not.toContain('Secret account');
    await get(ctx, standardCookie, `/admin/accounts/${otherAccount.sid}`).expect(404);
  });

  it('an Administrator cannot act on the Owner, nor hand over the Owner role (O2, U6)', async () => {
    const res = await post(ctx, adminCookie, `/admin/users/${owner.sid}/suspend`);
    expect([403, 409]).toContain(res.status);
    expect(res.text).toContain('Owner');
    await post(ctx, adminCookie, `/admin/users/${standard.sid}/hand-over`).expect(403);
    const confirm = await get(ctx, adminCookie, `/admin/users/${standard.sid}/confirm/hand-over`).expect(409);
    expect(confirm.text).toContain('owner_required');
    expect(confirm.text).not.toContain('action="/admin/users/');
    expect((await ctx.services.members.get({ kind: 'operator' }, orgSid, owner.sid)).status).toBe('active');
  });

  it('another organization\'s user is not found (U6)', async () => {
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'boss@other.test' });
    const res = await get(ctx, adminCookie, `/admin/users/${other.owner.sid}`).expect(404);
    expect(res.text).not.toContain('boss@other.test');
  });
});

describe('Admin Center: a user\'s sessions', () => {
  it('lists the open sessions (method and times, never a token); suspension ends them (C3)', async () => {
    const target = await addMember(ctx, orgSid, 'sessions@acme.test');
    const cookie = await sessionCookie(ctx, target.sid);
    await sessionCookie(ctx, target.sid);
    const page = await get(ctx, adminCookie, `/admin/users/${target.sid}`).expect(200);
    expect(page.text).toContain('2 open sessions');
    expect(page.text.match(/<td>Password<\/td>/g)).toHaveLength(2);
    expect(page.text).not.toContain(/orgward_session=([^;]+)/.exec(cookie)![1]);
    await ctx.services.members.suspend({ kind: 'operator' }, orgSid, target.sid);
    expect((await get(ctx, adminCookie, `/admin/users/${target.sid}`).expect(200)).text).toContain('No open Orgward session.');
  });
});

describe('Admin Center: who holds each role (R1)', () => {
  it('counts the holders of every role and lists an account role\'s holders with account and source, within the organization only (U6)', async () => {
    const other = await createOrgWithOwner(ctx, { ownerEmail: 'owner@holders.test', name: 'Holders' });
    const dev = await addMember(ctx, other.org.sid, 'dev@holders.test');
    const account = await addAccount(ctx, { ownerSid: other.owner.sid, orgSid: other.org.sid, name: 'Holders account' });
    await grantAccount(ctx, other.org.sid, dev.sid, account.sid);
    const cookie = await sessionCookie(ctx, other.owner.sid);
    const page = (await get(ctx, cookie, '/admin/roles').expect(200)).text;
    const heldBy = (sid: string) => new RegExp(`<code>${sid}</code>.*?<a href="([^"]+)">(\\d+) (?:person|people)</a>`).exec(page)?.slice(1);
    expect(heldBy(DEVELOPER_ROLE_SID)).toEqual([`/admin/roles/${DEVELOPER_ROLE_SID}`, '1']);
    expect(heldBy(BUILT_IN_ROLE_SIDS.account.Support)).toEqual([`/admin/roles/${BUILT_IN_ROLE_SIDS.account.Support}`, '0']);
    expect(heldBy(BUILT_IN_ROLE_SIDS.organization['Standard User'])).toEqual(['/admin/users?role=standard', '1']);
    expect(heldBy(BUILT_IN_ROLE_SIDS.organization.Administrator)).toEqual(['/admin/users?role=admin', '0']);

    const holders = (await get(ctx, cookie, `/admin/roles/${DEVELOPER_ROLE_SID}`).expect(200)).text;
    expect(holders).toMatch(/dev@holders\.test.*Holders account.*granted directly/s);
    // Acme's Standard User holds Developer on Acme's account: not this organization's business.
    expect(holders).not.toContain('standard@acme.test');
    await get(ctx, cookie, `/admin/roles/IX${'0'.repeat(32)}`).expect(404);
  });
});

describe('Admin Center: Users list', () => {
  beforeAll(async () => {
    await ctx.store.transaction(async (repos) => {
      for (let i = 0; i < 120; i += 1) {
        const sid = `US${i.toString(16).padStart(32, 'a')}`;
        await repos.users.insert({ sid, email: `bulk${String(i).padStart(3, '0')}@acme.test`, displayName: i === 7 ? '<script>alert(1)</script>' : null });
        await repos.users.join(sid, orgSid, 'standard');
      }
    });
  });

  it('pages by keyset: 50 a page, the next link continues where the page ended, no user twice', async () => {
    const seen = new Set<string>();
    const forward: string[][] = [];
    let path: string | null = '/admin/users?q=bulk';
    let text = '';
    const link = (rel: string) => new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(text)?.[1]?.replace(/&amp;/g, '&') ?? null;
    const emailsOn = () => [...text.matchAll(/>(bulk\d{3}@acme\.test)</g)].map((m) => m[1]!);
    while (path) {
      text = (await get(ctx, adminCookie, path).expect(200)).text;
      for (const e of emailsOn()) { expect(seen.has(e)).toBe(false); seen.add(e); }
      forward.push(emailsOn());
      path = link('next');
      expect(forward.length).toBeLessThan(5);
    }
    expect(seen.size).toBe(120);
    expect(forward).toHaveLength(3);
    // The Previous links walk back through the same pages.
    const backward = [emailsOn()];
    while ((path = link('prev'))) {
      text = (await get(ctx, adminCookie, path).expect(200)).text;
      backward.unshift(emailsOn());
      expect(backward.length).toBeLessThan(5);
    }
    expect(backward).toEqual(forward);
  });

  it('filters by sign-in method (SSO or password)', async () => {
    await ctx.testDb.db('sso_identities').insert({ org_sid: orgSid, issuer: 'https://idp.acme.test', subject: 'bulk-7', user_sid: `US${(7).toString(16).padStart(32, 'a')}` });
    const sso = await get(ctx, adminCookie, '/admin/users?method=sso').expect(200);
    expect([...sso.text.matchAll(/>(bulk\d{3}@acme\.test)</g)].map((m) => m[1])).toEqual(['bulk007@acme.test']);
    expect(sso.text).toContain('<option value="sso" selected>');
    const password = await get(ctx, adminCookie, '/admin/users?q=bulk&method=password').expect(200);
    expect(password.text).toContain('No user matches.');
  });

  it('searches by SID and filters by role and status', async () => {
    const bySid = await get(ctx, adminCookie, `/admin/users?q=${admin.sid}`).expect(200);
    expect(bySid.text).toContain('admin@acme.test');
    expect(bySid.text).not.toContain('owner@acme.test');
    const owners = await get(ctx, adminCookie, '/admin/users?role=owner').expect(200);
    expect(owners.text).toContain('owner@acme.test');
    expect(owners.text).not.toContain('bulk000@acme.test');
  });

  it('escapes what users typed (a display name with markup)', async () => {
    const res = await get(ctx, adminCookie, '/admin/users?q=bulk007').expect(200);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert(1)</script>');
  });

  it('refuses a page link it did not make, with the code and the fix', async () => {
    const res = await get(ctx, adminCookie, '/admin/users?after=bm90LWpzb24').expect(400);
    expect(res.text).toContain('invalid_input');
    expect(res.text).toContain('Start again from the first page');
  });
});

describe('Admin Center: errors show the API code and the fix', () => {
  it('an invalid domain shows invalid_domain and the form to enter (D1)', async () => {
    const res = await post(ctx, ownerCookie, '/admin/domains', { domain: 'https://www.acme.test/x' }).expect(400);
    expect(res.text).toContain('invalid_domain');
    expect(res.text).toContain('href="/admin/domains"');
  });

  it('an unknown page is a 404 page of the Admin Center', async () => {
    const res = await get(ctx, ownerCookie, '/admin/nothing-here').expect(404);
    expect(res.text).toContain('not_found');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('the CSRF cookie the tests use is a real token shape', () => {
    expect(CSRF).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
