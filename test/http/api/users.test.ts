/**
 * Users over the Organizations API (issue 10): search and keyset paging, fetch, role and status
 * changes, removal (C4), the administrator resets (U3, U4) and direct grants (O3, A7), with each
 * role on each route (O3), 404 across organizations (U6), and strict validation.
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { addAccount, addMember, asUser } from '../../support/fixtures.js';
import { call, operatorCaller, orgWithCallers, sessionOf, type Caller, type OrgCallers } from './users-support.js';

let ctx: TestContext;
let a: OrgCallers;
let b: OrgCallers;
let operator: Caller;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await orgWithCallers(ctx, 'users-a.example');
  b = await orgWithCallers(ctx, 'users-b.example');
  operator = await operatorCaller(ctx);
});
afterAll(() => ctx.close());

const LIST = '/Organizations/{OrganizationSid}/Users';
const ONE = '/Organizations/{OrganizationSid}/Users/{UserSid}';
const users = (orgSid: string) => `/Organizations/${orgSid}/Users`;
const sidsOf = (body: { content: { user_sid: string }[] }) => body.content.map((u) => u.user_sid);
const relative = (url: string) => { const u = new URL(url); return u.pathname + u.search; };

async function named(orgSid: string, email: string, displayName: string | null, role: 'admin' | 'standard' = 'standard') {
  const member = await addMember(ctx, orgSid, email, role);
  if (displayName !== null) await ctx.store.transaction((repos) => repos.users.update(member.sid, { displayName }));
  return member;
}

describe('GET /Organizations/{sid}/Users', () => {
  let org: OrgCallers;
  beforeAll(async () => {
    org = await orgWithCallers(ctx, 'search.example');
    for (let i = 0; i < 7; i++) await named(org.org.org.sid, `zed${i}@search.example`, `Zed Number ${i}`);
    // Matches "ali" by display name only, and by email.
    await named(org.org.org.sid, 'a.person@search.example', 'Alice Liddell');
    await named(org.org.org.sid, 'ali@search.example', null);
    const alison = await named(org.org.org.sid, 'alison@search.example', 'Not Matching By Name', 'admin');
    await ctx.store.transaction((repos) => repos.users.update(alison.sid, { email: 'Alison@Search.example' }));
  });

  it('pages every member once, in email order, following next_page_url in Twilio\'s envelope', async () => {
    const seen: string[] = [];
    let url: string | null = `${users(org.org.org.sid)}?PageSize=3`;
    let pages = 0;
    while (url !== null) {
      const res = await call(ctx, org.adminClient, 'get', LIST, url);
      expect(res.status).toBe(200);
      expect(res.body.meta).toMatchObject({ key: 'content', page: pages, page_size: 3 });
      expect(res.body.meta.previous_page_url === null).toBe(pages === 0);
      seen.push(...sidsOf(res.body));
      url = res.body.meta.next_page_url === null ? null : relative(res.body.meta.next_page_url as string);
      pages += 1;
    }
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
    const all = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?PageSize=100`);
    const emails = (all.body.content as { email: string }[]).map((u) => u.email.toLowerCase());
    expect(emails).toEqual([...emails].sort());
    expect(sidsOf(all.body)).toEqual(seen);
  });

  it('searches a prefix of the email (case-insensitive), then of the display name, across pages without repeats', async () => {
    const first = await call(ctx, org.ownerSession, 'get', LIST, `${users(org.org.org.sid)}?Search=ALI&PageSize=1`);
    expect(first.status).toBe(200);
    const emails: string[] = first.body.content.map((u: { email: string }) => u.email);
    let next: string | null = first.body.meta.next_page_url;
    while (next !== null) {
      const res = await call(ctx, org.ownerSession, 'get', LIST, relative(next));
      emails.push(...res.body.content.map((u: { email: string }) => u.email));
      next = res.body.meta.next_page_url;
    }
    // Email matches first (email order), then the display-name-only match.
    expect(emails).toEqual(['ali@search.example', 'Alison@Search.example', 'a.person@search.example']);
    expect(new URL(first.body.meta.next_page_url).searchParams.get('Search')).toBe('ALI');
  });

  it('walks back with previous_page_url through the same pages, across the email and display-name matches', async () => {
    for (const query of ['PageSize=3', 'Search=ALI&PageSize=1', 'Search=ali&PageSize=2']) {
      const forward: string[][] = [];
      let res = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?${query}`);
      forward.push(sidsOf(res.body));
      while (res.body.meta.next_page_url !== null) {
        res = await call(ctx, org.adminClient, 'get', LIST, relative(res.body.meta.next_page_url));
        forward.push(sidsOf(res.body));
      }
      const backward: string[][] = [sidsOf(res.body)];
      while (res.body.meta.previous_page_url !== null) {
        const previous = new URL(res.body.meta.previous_page_url);
        expect(previous.searchParams.get('PageSize')).toBe(new URLSearchParams(query).get('PageSize'));
        res = await call(ctx, org.adminClient, 'get', LIST, relative(res.body.meta.previous_page_url));
        expect(res.status).toBe(200);
        expect(res.body.meta.page).toBe(forward.length - backward.length - 1);
        backward.unshift(sidsOf(res.body));
      }
      expect({ query, pages: backward }).toEqual({ query, pages: forward });
    }
  });

  it('finds a user by exact SID, filters by role and status, and takes LIKE wildcards literally', async () => {
    const bySid = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?Search=${org.standard.sid.toUpperCase().replace(/^US/, 'US')}`);
    expect(sidsOf(bySid.body)).toEqual([org.standard.sid]);
    const admins = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?Role=admin`);
    expect((admins.body.content as { role: string }[]).every((u) => u.role === 'admin')).toBe(true);
    expect(admins.body.content).toHaveLength(2);
    await ctx.services.members.suspend(org.org.ownerActor, org.org.org.sid, org.standard.sid);
    const suspended = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?Status=suspended`);
    expect(sidsOf(suspended.body)).toEqual([org.standard.sid]);
    await ctx.services.members.restore(org.org.ownerActor, org.org.org.sid, org.standard.sid);
    const wildcard = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?Search=${encodeURIComponent('%')}`);
    expect(wildcard.body.content).toEqual([]);
    const underscore = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?Search=z_d`);
    expect(underscore.body.content).toEqual([]);
  });

  it('filters by sign-in method: SSO (an identity from an IdP) or password, kept in next_page_url', async () => {
    const methods = await orgWithCallers(ctx, 'methods.example');
    const sso = await named(methods.org.org.sid, 'sso@methods.example', null);
    const both = await named(methods.org.org.sid, 'both@methods.example', null);
    const pwd = await named(methods.org.org.sid, 'pwd@methods.example', null);
    await ctx.testDb.db('users').whereIn('sid', [both.sid, pwd.sid]).update({ password_hash: 'not-a-real-hash' });
    for (const [user, subject] of [[sso, 'idp-sso'], [both, 'idp-both']] as const) {
      await ctx.testDb.db('sso_identities').insert({ org_sid: methods.org.org.sid, issuer: 'https://idp.methods.example', subject, user_sid: user.sid });
    }
    // Another organization's identity for the same issuer does not count here (U6).
    await ctx.testDb.db('sso_identities').insert({ org_sid: org.org.org.sid, issuer: 'https://idp.methods.example', subject: 'other', user_sid: org.standard.sid });
    const list = async (query: string) => {
      const res = await call(ctx, methods.adminClient, 'get', LIST, `${users(methods.org.org.sid)}?${query}`);
      expect(res.status).toBe(200);
      return sidsOf(res.body).sort();
    };
    expect(await list('SignInMethod=sso')).toEqual([both.sid, sso.sid].sort());
    expect(await list('SignInMethod=password')).toEqual([both.sid, pwd.sid].sort());
    expect(await list('SignInMethod=sso&Search=both')).toEqual([both.sid]);
    const first = await call(ctx, methods.adminClient, 'get', LIST, `${users(methods.org.org.sid)}?SignInMethod=sso&PageSize=1`);
    expect(new URL(first.body.meta.next_page_url).searchParams.get('SignInMethod')).toBe('sso');
    const bad = await call(ctx, methods.adminClient, 'get', LIST, `${users(methods.org.org.sid)}?SignInMethod=magic`);
    expect(bad.status).toBe(400);
  });

  it('pages past members with long emails and display names (the token carries them)', async () => {
    const long = await orgWithCallers(ctx, 'long.example');
    for (let i = 0; i < 3; i++) await named(long.org.org.sid, `${'l'.repeat(250)}${i}@long.example`, `${'Ü'.repeat(300)} ${i}`);
    for (const search of [undefined, 'lll', 'ÜÜ']) {
      const seen: string[] = [];
      let url: string | null = `${users(long.org.org.sid)}?PageSize=1${search ? `&Search=${encodeURIComponent(search)}` : ''}`;
      while (url !== null) {
        const res = await call(ctx, long.adminClient, 'get', LIST, url);
        expect(res.status).toBe(200);
        seen.push(...sidsOf(res.body));
        url = res.body.meta.next_page_url === null ? null : relative(res.body.meta.next_page_url as string);
      }
      expect({ search, count: new Set(seen).size }).toEqual({ search, count: search === undefined ? 6 : 3 });
    }
  });

  it('refuses unknown parameters, bad values and forged page tokens with 400', async () => {
    for (const query of ['Color=red', 'Role=owner2', 'Status=gone', 'PageSize=0', 'PageSize=1001', 'PageToken=bm9wZQ', `PageToken=${Buffer.from('[1,"email",5]').toString('base64url')}`, 'Search=']) {
      const res = await call(ctx, org.adminClient, 'get', LIST, `${users(org.org.org.sid)}?${query}`);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'invalid_input' });
    }
  });

  it('R-O3: the Owner, Administrators, API clients (read-only too) and the operator list users; a Standard User cannot', async () => {
    for (const caller of [a.ownerSession, a.adminSession, a.adminClient, a.readOnlyClient, operator]) {
      expect((await call(ctx, caller, 'get', LIST, users(a.org.org.sid))).status).toBe(200);
    }
    const res = await call(ctx, a.standardSession, 'get', LIST, users(a.org.org.sid));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('R-U6: another organization\'s callers get 404, by path and by SID search', async () => {
    for (const caller of [b.adminClient, b.readOnlyClient, b.ownerSession, b.standardSession]) {
      const res = await call(ctx, caller, 'get', LIST, users(a.org.org.sid));
      expect(res.status).toBe(404);
    }
    const search = await call(ctx, a.adminClient, 'get', LIST, `${users(a.org.org.sid)}?Search=${b.standard.sid}`);
    expect(search.body.content).toEqual([]);
  });
});

describe('GET /Organizations/{sid}/Users/{UserSid}', () => {
  it('shows role, status, grants and sign-in methods (never a secret), with an ETag', async () => {
    const account = await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: a.org.owner.sid, name: 'Granted' });
    await ctx.services.members.grantAccount(a.org.ownerActor, a.org.org.sid, a.standard.sid, account.sid);
    const res = await call(ctx, a.adminClient, 'get', ONE, `${users(a.org.org.sid)}/${a.standard.sid}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user_sid: a.standard.sid, email: 'standard@users-a.example', role: 'standard', status: 'active', account_sids: [account.sid],
      sign_in: { password: false, second_factor: false, sso: [] },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/hash|secret/i);
    expect(res.headers.etag).toMatch(/^"/);
  });

  it('R-O3: a Standard User sees themselves but not another member', async () => {
    expect((await call(ctx, a.standardSession, 'get', ONE, `${users(a.org.org.sid)}/${a.standard.sid}`)).status).toBe(200);
    expect((await call(ctx, a.standardSession, 'get', ONE, `${users(a.org.org.sid)}/${a.admin.sid}`)).status).toBe(403);
  });

  it('R-U6: a user of another organization is 404 by either path, and the answer does not name it', async () => {
    const viaOwn = await call(ctx, a.adminClient, 'get', ONE, `${users(a.org.org.sid)}/${b.standard.sid}`);
    expect(viaOwn.status).toBe(404);
    expect(JSON.stringify(viaOwn.body)).not.toContain(b.org.org.sid);
    expect((await call(ctx, a.adminClient, 'get', ONE, `${users(b.org.org.sid)}/${b.standard.sid}`)).status).toBe(404);
    expect((await call(ctx, a.adminClient, 'get', ONE, `${users(a.org.org.sid)}/nope`)).status).toBe(400);
  });
});

describe('POST /Organizations/{sid}/Users/{UserSid} (role, status)', () => {
  it('R-O3: an Administrator changes a Standard User\'s role; If-Match is checked; unknown fields and the Owner role are 400', async () => {
    const member = await addMember(ctx, a.org.org.sid, 'promote@users-a.example');
    const url = `${users(a.org.org.sid)}/${member.sid}`;
    const before = await call(ctx, a.adminSession, 'get', ONE, url);
    const stale = await request(ctx.app).post(url).set(a.adminSession).set('If-Match', '"stale"').send({ role: 'admin' });
    expect(stale.status).toBe(412);
    const res = await request(ctx.app).post(url).set(a.adminSession).set('If-Match', before.headers.etag!).send({ role: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('admin');
    expect(res.headers.etag).not.toBe(before.headers.etag);
    expect((await call(ctx, a.adminSession, 'post', ONE, url, { role: 'owner' })).status).toBe(400);
    expect((await call(ctx, a.adminSession, 'post', ONE, url, { role: 'admin', color: 'red' })).status).toBe(400);
    // One change per request, so a refused second change can never leave the first half-applied.
    const both = await call(ctx, a.adminSession, 'post', ONE, url, { role: 'standard', status: 'suspended' });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toContain('Send either role or status');
    expect(await call(ctx, a.adminSession, 'post', ONE, url, {})).toMatchObject({ status: 400 });
    expect(await ctx.store.read.users.get(member.sid)).toMatchObject({ role: 'admin', status: 'active' });
  });

  it('R-O2: nobody changes the Owner\'s role or suspends the Owner this way; an Administrator is refused', async () => {
    const url = `${users(a.org.org.sid)}/${a.org.owner.sid}`;
    const byOwner = await call(ctx, a.ownerSession, 'post', ONE, url, { role: 'admin' });
    expect(byOwner.status).toBe(409);
    expect(byOwner.body.error.code).toBe('owner_required');
    for (const caller of [a.adminSession, a.adminClient]) {
      expect((await call(ctx, caller, 'post', ONE, url, { role: 'standard' })).body.error.code).toBe('owner_required');
      const res = await call(ctx, caller, 'post', ONE, url, { status: 'suspended' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('owner_required');
    }
    expect((await ctx.store.read.users.get(a.org.owner.sid))?.status).toBe('active');
  });

  it('R-C3: suspending ends the member\'s sessions at once; reactivating restores them; Idempotency-Key replays', async () => {
    const member = await addMember(ctx, a.org.org.sid, 'suspend@users-a.example');
    const session = await sessionOf(ctx, member.sid);
    expect((await call(ctx, session, 'get', ONE, `${users(a.org.org.sid)}/${member.sid}`)).status).toBe(200);
    const url = `${users(a.org.org.sid)}/${member.sid}`;
    const first = await request(ctx.app).post(url).set(a.adminClient).set('Idempotency-Key', 'suspend-1').send({ status: 'suspended' }).expect(200);
    expect(first.body.status).toBe('suspended');
    expect((await call(ctx, session, 'get', ONE, url)).status).toBe(401);
    const again = await request(ctx.app).post(url).set(a.adminClient).set('Idempotency-Key', 'suspend-1').send({ status: 'suspended' }).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await call(ctx, a.adminClient, 'post', ONE, url, { status: 'active' })).body.status).toBe('active');
  });

  it('R-O3: a read-only client and a Standard User cannot change a user; another organization\'s client gets 404', async () => {
    const url = `${users(a.org.org.sid)}/${a.standard.sid}`;
    expect((await call(ctx, a.readOnlyClient, 'post', ONE, url, { status: 'suspended' })).status).toBe(403);
    expect((await call(ctx, a.standardSession, 'post', ONE, url, { status: 'suspended' })).status).toBe(403);
    expect((await call(ctx, b.adminClient, 'post', ONE, url, { status: 'suspended' })).status).toBe(404);
    expect((await call(ctx, a.adminClient, 'post', ONE, `${users(a.org.org.sid)}/${b.standard.sid}`, { status: 'suspended' })).status).toBe(404);
    expect((await call(ctx, b.adminSession, 'post', ONE, `${users(b.org.org.sid)}/${a.standard.sid}`, { role: 'admin' })).status).toBe(404);
  });

  it('writes from a console session need the CSRF token', async () => {
    const session = await sessionOf(ctx, a.org.owner.sid);
    const res = await request(ctx.app).post(`${users(a.org.org.sid)}/${a.standard.sid}`).set('Cookie', session.Cookie!).send({ status: 'active' });
    expect(res.status).toBe(403);
  });
});

describe('DELETE /Organizations/{sid}/Users/{UserSid}', () => {
  it('R-C4: removes a member; the accounts they owned pass to the Owner; a second DELETE is 404', async () => {
    const member = await addMember(ctx, a.org.org.sid, 'leaver@users-a.example');
    const owned = await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: member.sid, name: 'Leaver' });
    const url = `${users(a.org.org.sid)}/${member.sid}`;
    const res = await call(ctx, a.adminClient, 'delete', ONE, url);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_sid: member.sid, owner_sid: a.org.owner.sid, accounts_passed_to_owner: [owned.sid] });
    expect((await ctx.services.accounts.get(a.org.ownerActor, owned.sid)).ownerSid).toBe(a.org.owner.sid);
    expect((await call(ctx, a.adminClient, 'delete', ONE, url)).status).toBe(404);
  });

  it('R-O2, R-O3, R-U6: the Owner cannot be removed; read-only, Standard Users and other organizations cannot remove', async () => {
    expect((await call(ctx, a.adminClient, 'delete', ONE, `${users(a.org.org.sid)}/${a.org.owner.sid}`)).status).toBe(409);
    expect((await call(ctx, a.ownerSession, 'delete', ONE, `${users(a.org.org.sid)}/${a.org.owner.sid}`)).body.error.code).toBe('owner_required');
    for (const caller of [a.readOnlyClient, a.standardSession]) {
      expect((await call(ctx, caller, 'delete', ONE, `${users(a.org.org.sid)}/${a.admin.sid}`)).status).toBe(403);
    }
    expect((await call(ctx, b.adminClient, 'delete', ONE, `${users(a.org.org.sid)}/${a.admin.sid}`)).status).toBe(404);
    expect((await call(ctx, a.adminClient, 'delete', ONE, `${users(a.org.org.sid)}/${b.admin.sid}`)).status).toBe(404);
  });
});

describe('administrator resets', () => {
  const RESET = '/Organizations/{OrganizationSid}/Users/{UserSid}/PasswordReset';
  const TWO_FA = '/Organizations/{OrganizationSid}/Users/{UserSid}/SecondFactorReset';

  it('R-U3: an Administrator\'s password reset signs the user out everywhere and mails a 24-hour link', async () => {
    const member = await addMember(ctx, a.org.org.sid, 'reset@users-a.example');
    const session = await sessionOf(ctx, member.sid);
    const res = await call(ctx, a.adminSession, 'post', RESET, `${users(a.org.org.sid)}/${member.sid}/PasswordReset`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_sid: member.sid, sessions_revoked: 1, link_expires_at: expect.any(String) });
    expect((await call(ctx, session, 'get', ONE, `${users(a.org.org.sid)}/${member.sid}`)).status).toBe(401);
    const mail = await ctx.store.read.outbox.listTo('reset@users-a.example');
    expect(mail.at(-1)?.bodyText).toMatch(/\/reset-password\/|reset/i);
  });

  it('R-U3, R-O3: an Administrator, signed in or through an admin API client, cannot act on the Owner\'s credentials', async () => {
    for (const caller of [a.adminSession, a.adminClient]) {
      for (const [path, suffix] of [[RESET, 'PasswordReset'], [TWO_FA, 'SecondFactorReset']] as const) {
        const res = await call(ctx, caller, 'post', path, `${users(a.org.org.sid)}/${a.org.owner.sid}/${suffix}`);
        expect({ suffix, status: res.status, code: res.body.error?.code }).toEqual({ suffix, status: 403, code: 'forbidden' });
      }
    }
    // The Owner's password was not touched.
    const owner = await ctx.store.read.users.get(a.org.owner.sid);
    expect(owner?.passwordChangedAt).toBeNull();
  });

  it('R-U4: a 2FA reset removes the second factor and requires a new one at the next sign-in', async () => {
    const member = await addMember(ctx, a.org.org.sid, 'twofa@users-a.example');
    await ctx.store.transaction((repos) => repos.users.update(member.sid, { secondFactorRequired: false }));
    const res = await call(ctx, a.adminClient, 'post', TWO_FA, `${users(a.org.org.sid)}/${member.sid}/SecondFactorReset`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_sid: member.sid, had_second_factor: false });
    const after = await call(ctx, a.adminClient, 'get', ONE, `${users(a.org.org.sid)}/${member.sid}`);
    expect(after.body.sign_in.second_factor_required).toBe(true);
  });

  it('R-O3, R-U6: read-only clients and Standard Users cannot reset; another organization gets 404; the operator can', async () => {
    const target = await addMember(ctx, a.org.org.sid, 'operator-reset@users-a.example');
    for (const [path, suffix] of [[RESET, 'PasswordReset'], [TWO_FA, 'SecondFactorReset']] as const) {
      expect((await call(ctx, a.readOnlyClient, 'post', path, `${users(a.org.org.sid)}/${a.admin.sid}/${suffix}`)).status).toBe(403);
      expect((await call(ctx, a.standardSession, 'post', path, `${users(a.org.org.sid)}/${a.admin.sid}/${suffix}`)).status).toBe(403);
      expect((await call(ctx, b.adminClient, 'post', path, `${users(a.org.org.sid)}/${a.admin.sid}/${suffix}`)).status).toBe(404);
      expect((await call(ctx, a.adminClient, 'post', path, `${users(a.org.org.sid)}/${b.admin.sid}/${suffix}`)).status).toBe(404);
      expect((await call(ctx, operator, 'post', path, `${users(a.org.org.sid)}/${target.sid}/${suffix}`)).status).toBe(200);
    }
  });
});

describe('direct account grants', () => {
  const GRANT = '/Organizations/{OrganizationSid}/Users/{UserSid}/Accounts';
  const REVOKE = '/Organizations/{OrganizationSid}/Users/{UserSid}/Accounts/{AccountSid}';

  it('R-O3: grants and withdraws an account; the Standard User then sees it', async () => {
    const member = await addMember(ctx, a.org.org.sid, 'grantee@users-a.example');
    const account = await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: a.org.owner.sid, name: 'Shared' });
    const url = `${users(a.org.org.sid)}/${member.sid}/Accounts`;
    const granted = await call(ctx, a.adminClient, 'post', GRANT, url, { account_sid: account.sid });
    expect(granted.body).toEqual({ user_sid: member.sid, account_sid: account.sid, changed: true });
    expect((await call(ctx, a.adminClient, 'post', GRANT, url, { account_sid: account.sid })).body.changed).toBe(false);
    expect((await ctx.services.accounts.list(asUser(member), a.org.org.sid)).map((x) => x.sid)).toEqual([account.sid]);
    const revoked = await call(ctx, a.adminClient, 'delete', REVOKE, `${url}/${account.sid}`);
    expect(revoked.body.changed).toBe(true);
    expect(await ctx.services.accounts.list(asUser(member), a.org.org.sid)).toEqual([]);
  });

  it('R-A7: a subaccount is refused; R-U6: another organization\'s account is 404', async () => {
    const parent = await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: a.org.owner.sid, name: 'Parent' });
    const child = await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: a.org.owner.sid, name: 'Child', parentSid: parent.sid });
    const url = `${users(a.org.org.sid)}/${a.standard.sid}/Accounts`;
    const sub = await call(ctx, a.adminClient, 'post', GRANT, url, { account_sid: child.sid });
    expect(sub.status).toBe(400);
    expect(sub.body.error.code).toBe('subaccount_not_grantable');
    const foreign = await addAccount(ctx, { orgSid: b.org.org.sid, ownerSid: b.org.owner.sid, name: 'B' });
    expect((await call(ctx, a.adminClient, 'post', GRANT, url, { account_sid: foreign.sid })).status).toBe(404);
    expect((await call(ctx, a.adminClient, 'post', GRANT, url, { account_sid: 'AC1' })).status).toBe(400);
  });

  it('R-O3: read-only clients and Standard Users cannot grant', async () => {
    const account = await addAccount(ctx, { orgSid: a.org.org.sid, ownerSid: a.org.owner.sid, name: 'Nope' });
    for (const caller of [a.readOnlyClient, a.standardSession]) {
      expect((await call(ctx, caller, 'post', GRANT, `${users(a.org.org.sid)}/${a.standard.sid}/Accounts`, { account_sid: account.sid })).status).toBe(403);
    }
    expect((await call(ctx, b.ownerSession, 'post', GRANT, `${users(a.org.org.sid)}/${a.standard.sid}/Accounts`, { account_sid: account.sid })).status).toBe(404);
  });
});
