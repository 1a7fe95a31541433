/**
 * Domains over HTTP (issue 10): register with the TXT record to publish (D1-D4), verify through a
 * real DNS server on loopback (D3: missing, wrong value, verified), policy (D6), SSO enforcement
 * (S1, S7), remove (domain_in_use without force), list and fetch; tenant isolation (U6) and
 * each role on each route (O3).
 */
import request from 'supertest';
import { createTestContext, type TestContext } from '../../support/app.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';
import { addMember, addUnverifiedDomain, addVerifiedDomain, OPERATOR } from '../../support/fixtures.js';
import { IDP_A_KEY } from '../../../idp-fixtures/keys.js';
import { allRoutes } from '../../../src/http/api/index.js';
import { CALLERS, roleCallers, type Caller, type RoleCallers } from './role-callers.js';

let dns: TestDnsServer;
let ctx: TestContext;
let r: RoleCallers;
let orgSid: string;

beforeAll(async () => {
  dns = await startDnsServer();
  ctx = await createTestContext({ dnsServers: [dns.address] });
  r = await roleCallers(ctx, 'dom-api.example');
  orgSid = r.org.org.sid;
});
afterAll(async () => {
  await ctx.close();
  await dns.close();
});

const base = () => `/Organizations/${orgSid}/Domains`;

/** Every response checked here must validate against the schema the OpenAPI document shows. */
function documented(method: string, path: string, status: number, body: unknown): void {
  const route = allRoutes(ctx.services, ctx.baseUrl).find((x) => x.method === method && x.path === path);
  const schema = route?.responses[status]?.schema;
  expect(schema).toBeDefined();
  expect(schema!.safeParse(body).error?.issues ?? []).toEqual([]);
}

describe('POST /Organizations/{sid}/Domains (D1-D4)', () => {
  it('R-D3: registers the normal form and answers the TXT record to publish', async () => {
    const res = await request(ctx.app).post(base()).set(r.headers('adminClient')).send({ domain: '  Register.Dom-Api.Example. ' }).expect(201);
    documented('post', '/Organizations/{OrganizationSid}/Domains', 201, res.body);
    expect(res.body).toMatchObject({
      domain: 'register.dom-api.example', txt_name: '_orgward-verification.register.dom-api.example', txt_value: expect.stringMatching(/^orgward-verification=/),
      verified: false, date_verified: null, policy: 'restricted', sso_enforced: false, url: `${ctx.baseUrl}${base()}/register.dom-api.example`,
    });
    expect(res.headers.etag).toMatch(/^"/);
    const again = await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'register.dom-api.example' }).expect(409);
    expect(again.body.error).toMatchObject({ code: 'domain_exists', details: { txtName: res.body.txt_name, txtValue: res.body.txt_value } });
  });

  it.each([
    ['https://www.corp-form.example/', 400, 'invalid_domain'],
    ['admin@corp-form.example', 400, 'invalid_domain'],
    ['gmail.com', 400, 'common_domain'],
  ])('R-D1/D2: %s → %i %s', async (domain, status, code) => {
    const res = await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain }).expect(status);
    expect(res.body.error.code).toBe(code);
  });

  it('R-D1: a refused form says what to enter instead', async () => {
    const res = await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'www.corp-form.example' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_domain', details: { suggestion: 'corp-form.example' } });
  });

  it('R-D4: a domain verified by another organization is domain_claimed; its subdomain is free', async () => {
    await addVerifiedDomain(ctx, r.other.org.sid, 'claimed-dom.example');
    const res = await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'claimed-dom.example' }).expect(409);
    expect(res.body.error.code).toBe('domain_claimed');
    expect(JSON.stringify(res.body)).not.toContain(r.other.org.sid);
    await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'stage.claimed-dom.example' }).expect(201);
  });

  it('refuses unknown fields and a missing domain (400)', async () => {
    await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'x-dom.example', policy: 'blocked' }).expect(400);
    await request(ctx.app).post(base()).set(r.headers('owner')).send({}).expect(400);
  });
});

describe('POST /Organizations/{sid}/Domains/{Domain}/Verification (D3)', () => {
  it('R-D3: no record is dns_txt_missing, another value is dns_txt_mismatch, the exact value verifies', async () => {
    const added = (await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'verify-dom.example' }).expect(201)).body;
    const url = `${base()}/verify-dom.example/Verification`;
    const missing = await request(ctx.app).post(url).set(r.headers('adminClient')).expect(409);
    expect(missing.body.error).toMatchObject({ code: 'dns_txt_missing', details: { txtName: added.txt_name, txtValue: added.txt_value } });

    dns.publish(added.txt_name, `${added.txt_value}-old`);
    const wrong = await request(ctx.app).post(url).set(r.headers('adminClient')).expect(409);
    expect(wrong.body.error).toMatchObject({ code: 'dns_txt_mismatch', details: { txtValue: added.txt_value, found: [`${added.txt_value}-old`] } });
    expect(wrong.body.error.message).toContain(`${added.txt_value}-old`);

    dns.publish(added.txt_name, added.txt_value);
    const verified = await request(ctx.app).post(url).set(r.headers('adminClient')).expect(200);
    documented('post', '/Organizations/{OrganizationSid}/Domains/{Domain}/Verification', 200, verified.body);
    expect(verified.body).toMatchObject({ domain: 'verify-dom.example', verified: true, date_verified: ctx.clock.now().toISOString() });
    expect(dns.queries(added.txt_name)).toBeGreaterThanOrEqual(3);
  });

  it('R-D4: verifying a name another organization verified meanwhile is domain_claimed', async () => {
    const added = (await request(ctx.app).post(base()).set(r.headers('owner')).send({ domain: 'race-dom.example' }).expect(201)).body;
    dns.publish(added.txt_name, added.txt_value);
    await addVerifiedDomain(ctx, r.other.org.sid, 'race-dom.example');
    const res = await request(ctx.app).post(`${base()}/race-dom.example/Verification`).set(r.headers('owner')).expect(409);
    expect(res.body.error.code).toBe('domain_claimed');
  });

  it('a domain the organization did not register is 404', async () => {
    await request(ctx.app).post(`${base()}/never-added-dom.example/Verification`).set(r.headers('owner')).expect(404);
  });
});

describe('policy, fetch and list (D6)', () => {
  it('R-D6: sets the policy of a verified domain, guarded by If-Match; an unverified one is refused', async () => {
    await addVerifiedDomain(ctx, orgSid, 'policy-dom.example');
    const url = `${base()}/policy-dom.example`;
    const read = await request(ctx.app).get(url).set(r.headers('readOnlyClient')).expect(200);
    documented('get', '/Organizations/{OrganizationSid}/Domains/{Domain}', 200, read.body);
    const set = await request(ctx.app).post(url).set(r.headers('admin')).set('If-Match', read.headers.etag!).send({ policy: 'auto-enrollment' }).expect(200);
    documented('post', '/Organizations/{OrganizationSid}/Domains/{Domain}', 200, set.body);
    expect(set.body.policy).toBe('auto-enrollment');
    const stale = await request(ctx.app).post(url).set(r.headers('admin')).set('If-Match', read.headers.etag!).send({ policy: 'blocked' }).expect(412);
    expect(stale.body.error.code).toBe('precondition_failed');
    await request(ctx.app).post(url).set(r.headers('admin')).set('If-Match', set.headers.etag!).send({ policy: 'blocked' }).expect(200);
    await request(ctx.app).post(url).set(r.headers('admin')).send({ policy: 'open' }).expect(400);

    await addUnverifiedDomain(ctx, orgSid, 'pending-dom.example');
    const refused = await request(ctx.app).post(`${base()}/pending-dom.example`).set(r.headers('owner')).send({ policy: 'blocked' }).expect(400);
    expect(refused.body.error.code).toBe('domain_not_verified');
  });

  it('lists the domains by name with paging; a name that is not a domain is 400', async () => {
    const org = await roleCallers(ctx, 'list-dom.example');
    for (const name of ['c-list.example', 'a-list.example', 'b-list.example']) await addUnverifiedDomain(ctx, org.org.org.sid, name);
    const first = await request(ctx.app).get(`/Organizations/${org.org.org.sid}/Domains?PageSize=2`).set(org.headers('readOnlyClient')).expect(200);
    documented('get', '/Organizations/{OrganizationSid}/Domains', 200, first.body);
    expect(first.body.content.map((d: { domain: string }) => d.domain)).toEqual(['a-list.example', 'b-list.example']);
    const next = new URL(first.body.meta.next_page_url);
    const second = await request(ctx.app).get(next.pathname + next.search).set(org.headers('readOnlyClient')).expect(200);
    expect(second.body.content.map((d: { domain: string }) => d.domain)).toEqual(['c-list.example']);
    expect(second.body.meta.next_page_url).toBeNull();
    await request(ctx.app).get(`/Organizations/${org.org.org.sid}/Domains?PageToken=${Buffer.from('../x').toString('base64url')}`).set(org.headers('owner')).expect(400);
    await request(ctx.app).get(`/Organizations/${org.org.org.sid}/Domains/www.a-list.example`).set(org.headers('owner')).expect(400);
  });
});

describe('POST /Organizations/{sid}/Domains/{Domain}/SsoEnforcement (S1, S7)', () => {
  it('R-S1: sso_not_ready until an enabled connection passed a test sign-in; then on, ending the password sessions on the domain (S7)', async () => {
    const org = await roleCallers(ctx, 'sso-dom.example');
    const sid = org.org.org.sid;
    await addVerifiedDomain(ctx, sid, 'sso-dom.example');
    const url = `/Organizations/${sid}/Domains/sso-dom.example/SsoEnforcement`;
    const notReady = await request(ctx.app).post(url).set(org.headers('owner')).send({ enforced: true }).expect(409);
    expect(notReady.body.error.code).toBe('sso_not_ready');
    const added = await ctx.services.sso.addSaml(OPERATOR, sid, { idpEntityId: 'https://idp.sso-dom.example', ssoUrl: 'https://idp.sso-dom.example/sso', certificates: [IDP_A_KEY.cert] });
    const stillNotReady = await request(ctx.app).post(url).set(org.headers('owner')).send({ enforced: true }).expect(409);
    expect(stillNotReady.body.error.code).toBe('sso_not_ready');
    await ctx.store.transaction((repos) => repos.ssoConnections.markTested(added.connectionId, ctx.clock.now()));

    // Owner, Administrator and Standard User of sso-dom.example each hold a password session.
    const on = await request(ctx.app).post(url).set(org.headers('adminClient')).send({ enforced: true }).expect(200);
    documented('post', '/Organizations/{OrganizationSid}/Domains/{Domain}/SsoEnforcement', 200, on.body);
    expect(on.body).toEqual({ domain: 'sso-dom.example', sso_enforced: true, sessions_ended: 3 });
    // S7: those sessions end on their next request.
    await request(ctx.app).get(`/Organizations/${sid}/Accounts`).set(org.headers('standard')).expect(401);
    const fetched = await request(ctx.app).get(`/Organizations/${sid}/Domains/sso-dom.example`).set(org.headers('operator')).expect(200);
    expect(fetched.body.sso_enforced).toBe(true);
    const off = await request(ctx.app).post(url).set(org.headers('operator')).send({ enforced: false }).expect(200);
    expect(off.body).toEqual({ domain: 'sso-dom.example', sso_enforced: false, sessions_ended: 0 });
  });
});

describe('DELETE /Organizations/{sid}/Domains/{Domain}', () => {
  it('R-D4: a verified domain with members is domain_in_use (with the summary) unless force=true', async () => {
    await addVerifiedDomain(ctx, orgSid, 'remove-dom.example');
    await addMember(ctx, orgSid, 'someone@remove-dom.example');
    const refused = await request(ctx.app).delete(`${base()}/remove-dom.example`).set(r.headers('owner')).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'domain_in_use', details: { domain: 'remove-dom.example', membersOnDomain: 1, verified: true } });
    expect(refused.body.error.message).toContain('force=true');
    const removed = await request(ctx.app).delete(`${base()}/remove-dom.example?force=true`).set(r.headers('owner')).expect(200);
    documented('delete', '/Organizations/{OrganizationSid}/Domains/{Domain}', 200, removed.body);
    expect(removed.body).toMatchObject({ domain: 'remove-dom.example', removed: true, summary: { members_on_domain: 1, policy: 'restricted' } });
    await request(ctx.app).get(`${base()}/remove-dom.example`).set(r.headers('owner')).expect(404);
    await request(ctx.app).delete(`${base()}/remove-dom.example?force=yes`).set(r.headers('owner')).expect(400);
  });

  it('an unverified domain goes at once', async () => {
    await addUnverifiedDomain(ctx, orgSid, 'unused-dom.example');
    const res = await request(ctx.app).delete(`${base()}/unused-dom.example`).set(r.headers('adminClient')).expect(200);
    expect(res.body.summary).toMatchObject({ verified: false, members_on_domain: 0 });
  });
});

describe('tenant isolation (U6)', () => {
  it('a client of another organization gets 404 on every domain route; a domain of another organization is 404 under ours', async () => {
    await addVerifiedDomain(ctx, orgSid, 'isolated-dom.example');
    await addVerifiedDomain(ctx, r.other.org.sid, 'theirs-dom.example');
    const foreign = r.headers('otherOrgClient');
    const calls = [
      request(ctx.app).get(base()).set(foreign),
      request(ctx.app).post(base()).set(foreign).send({ domain: 'new-foreign.example' }),
      request(ctx.app).get(`${base()}/isolated-dom.example`).set(foreign),
      request(ctx.app).post(`${base()}/isolated-dom.example`).set(foreign).send({ policy: 'blocked' }),
      request(ctx.app).post(`${base()}/isolated-dom.example/Verification`).set(foreign),
      request(ctx.app).post(`${base()}/isolated-dom.example/SsoEnforcement`).set(foreign).send({ enforced: false }),
      request(ctx.app).delete(`${base()}/isolated-dom.example?force=true`).set(foreign),
      request(ctx.app).get(`${base()}/theirs-dom.example`).set(r.headers('owner')),
      request(ctx.app).delete(`${base()}/theirs-dom.example?force=true`).set(r.headers('owner')),
    ];
    for (const call of calls) {
      const res = await call;
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(r.other.org.sid);
    }
    expect((await ctx.services.domains.list(OPERATOR, orgSid)).find((d) => d.domain === 'isolated-dom.example')).toMatchObject({ policy: 'restricted' });
    expect((await ctx.services.domains.list(OPERATOR, r.other.org.sid)).map((d) => d.domain)).toContain('theirs-dom.example');
  });
});

describe('roles on every domain route (O3)', () => {
  let n = 0;
  /** A fresh verified domain of the organization for each call (no members on it). */
  const fresh = async () => {
    n += 1;
    const name = `role-${n}.dom-api.example`;
    await addVerifiedDomain(ctx, orgSid, name);
    return name;
  };
  const reads = { owner: 200, admin: 200, standard: 403, adminClient: 200, readOnlyClient: 200, operator: 200, otherOrgClient: 404 } as const;
  const writes = { owner: 200, admin: 200, standard: 403, adminClient: 200, readOnlyClient: 403, operator: 200, otherOrgClient: 404 } as const;
  const cases: { name: string; call: (d: string, c: Caller) => request.Test; expected: Record<Caller, number> }[] = [
    { name: 'list', call: (_d, c) => request(ctx.app).get(base()).set(r.headers(c)), expected: reads },
    { name: 'fetch', call: (d, c) => request(ctx.app).get(`${base()}/${d}`).set(r.headers(c)), expected: reads },
    { name: 'register', call: (d, c) => request(ctx.app).post(base()).set(r.headers(c)).send({ domain: `new.${d}` }), expected: { ...writes, owner: 201, admin: 201, adminClient: 201, operator: 201 } },
    { name: 'verify', call: (d, c) => request(ctx.app).post(`${base()}/${d}/Verification`).set(r.headers(c)), expected: writes },
    { name: 'policy', call: (d, c) => request(ctx.app).post(`${base()}/${d}`).set(r.headers(c)).send({ policy: 'blocked' }), expected: writes },
    { name: 'SSO enforcement off', call: (d, c) => request(ctx.app).post(`${base()}/${d}/SsoEnforcement`).set(r.headers(c)).send({ enforced: false }), expected: writes },
    { name: 'remove', call: (d, c) => request(ctx.app).delete(`${base()}/${d}`).set(r.headers(c)), expected: writes },
  ];
  for (const { name, call, expected } of cases) {
    it(`R-O3: ${name}: ${CALLERS.map((c) => `${c} ${expected[c]}`).join(', ')}`, async () => {
      const got: Record<string, number> = {};
      for (const caller of CALLERS) got[caller] = (await call(await fresh(), caller)).status;
      expect(got).toEqual(expected);
    });
  }
});
