/**
 * Domains service over the real database and a real DNS server on loopback (D1-D4, D6, L1).
 */
import { createTestContext, type TestContext } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { addMember, asUser, createOrgWithOwner, type OrgWithOwner } from '../support/fixtures.js';

let dns: TestDnsServer;
let ctx: TestContext;
let acme: OrgWithOwner;
let globex: OrgWithOwner;
let initech: OrgWithOwner;

beforeAll(async () => {
  dns = await startDnsServer();
  ctx = await createTestContext({ dnsServers: [dns.address] });
  acme = await createOrgWithOwner(ctx, { ownerEmail: 'owner@acme.test', name: 'Acme' });
  globex = await createOrgWithOwner(ctx, { ownerEmail: 'owner@globex.test', name: 'Globex' });
  initech = await createOrgWithOwner(ctx, { ownerEmail: 'owner@initech.test', name: 'Initech' });
});
afterAll(async () => {
  await ctx.close();
  await dns.close();
});

const add = (o: OrgWithOwner, domain: string) => ctx.services.domains.add(o.ownerActor, o.org.sid, domain);
const verify = (o: OrgWithOwner, domain: string) => ctx.services.domains.verify(o.ownerActor, o.org.sid, domain);

describe('domains: register (D1, D2, D3)', () => {
  it('R-D1: stores the normal form: trimmed, lower-cased, trailing dot removed, punycode', async () => {
    expect((await add(acme, '  Norm.Example.COM. ')).domain).toBe('norm.example.com');
    expect((await add(acme, 'Bücher.example')).domain).toBe('xn--bcher-kva.example');
  });

  it.each([
    ['www.acme.test', 'acme.test'],
    ['https://acme.test/', 'acme.test'],
    ['acme.test:443', 'acme.test'],
    ['admin@acme.test', 'acme.test'],
    ['acme.test/path', 'acme.test'],
  ])('R-D1: refuses %s with invalid_domain and suggests %s', async (input, suggestion) => {
    await expect(add(acme, input)).rejects.toMatchObject({ code: 'invalid_domain', details: { suggestion } });
    expect((await ctx.services.domains.list(acme.ownerActor, acme.org.sid)).map((d) => d.domain)).not.toContain('acme.test');
  });

  it.each(['gmail.com', 'GMAIL.COM.', 'outlook.com', 'proton.me'])('R-D2: refuses the common mailbox domain %s', async (input) => {
    await expect(add(acme, input)).rejects.toMatchObject({ code: 'common_domain' });
  });

  it('R-D3: yields a TXT record under _orgward-verification with a random value per registration', async () => {
    const one = await add(acme, 'txt-one.test');
    const two = await add(globex, 'txt-one.test');
    expect(one).toMatchObject({ domain: 'txt-one.test', txtName: '_orgward-verification.txt-one.test', verified: false, policy: 'restricted' });
    expect(one.txtValue).toMatch(/^orgward-verification=[A-Za-z0-9_-]{40,}$/);
    expect(two.txtValue).not.toBe(one.txtValue);
  });

  it('refuses registering a domain twice in one organization with domain_exists, showing the same record', async () => {
    const first = await add(acme, 'twice.test');
    await expect(add(acme, 'TWICE.test')).rejects.toMatchObject({ code: 'domain_exists', details: { txtName: first.txtName, txtValue: first.txtValue } });
  });
});

describe('domains: verify (D3, D4)', () => {
  it('R-D3: verifies only when the exact TXT value is published', async () => {
    const record = await add(acme, 'exact.test');
    await expect(verify(acme, 'exact.test')).rejects.toMatchObject({ code: 'dns_txt_missing', details: { txtValue: record.txtValue } });
    dns.publish(record.txtName, `${record.txtValue}x`);
    dns.publish(record.txtName, record.txtValue.toUpperCase());
    dns.publish(record.txtName, ` ${record.txtValue}`);
    await expect(verify(acme, 'exact.test')).rejects.toMatchObject({
      code: 'dns_txt_mismatch', details: { txtValue: record.txtValue, found: expect.arrayContaining([`${record.txtValue}x`, record.txtValue.toUpperCase(), ` ${record.txtValue}`]) },
    });
    dns.publish(record.txtName, 'v=spf1 -all');
    dns.publish(record.txtName, record.txtValue);
    ctx.clock.advance(1000);
    const result = await verify(acme, 'exact.test');
    expect(result).toEqual({ domain: 'exact.test', verified: true, verifiedAt: ctx.clock.now() });
  });

  it('R-D3: fails with dns_txt_missing when the record is withheld again before verification', async () => {
    const record = await add(acme, 'withheld.test');
    dns.publish(record.txtName, record.txtValue);
    dns.withhold(record.txtName);
    await expect(verify(acme, 'withheld.test')).rejects.toMatchObject({ code: 'dns_txt_missing' });
    expect((await ctx.services.domains.list(acme.ownerActor, acme.org.sid)).find((d) => d.domain === 'withheld.test')?.verified).toBe(false);
  });

  it('R-D3: joins a TXT record split into several character-strings (RFC 7208 3.3)', async () => {
    const record = await add(acme, 'chunks.test');
    const value = record.txtValue;
    dns.publish(record.txtName, [value.slice(0, 10), value.slice(10, 25), value.slice(25)]);
    await expect(verify(acme, 'chunks.test')).resolves.toMatchObject({ verified: true });
  });

  it('R-D3: finds the record among many long records (answer over 512 bytes, retried over TCP)', async () => {
    const record = await add(acme, 'large.test');
    for (let i = 0; i < 6; i += 1) dns.publish(record.txtName, ['x'.repeat(255), 'y'.repeat(200)]);
    dns.publish(record.txtName, record.txtValue);
    await expect(verify(acme, 'large.test')).resolves.toMatchObject({ verified: true });
  });

  it('R-D3: a verified domain answers without another DNS lookup', async () => {
    const record = await add(acme, 'once.test');
    dns.publish(record.txtName, record.txtValue);
    const first = await verify(acme, 'once.test');
    const queries = dns.queries(record.txtName);
    dns.withhold(record.txtName);
    await expect(verify(acme, 'once.test')).resolves.toEqual(first);
    expect(dns.queries(record.txtName)).toBe(queries);
  });

  it('reports dns_lookup_failed when the DNS server fails, and changes nothing', async () => {
    const record = await add(acme, 'servfail.test');
    dns.publish(record.txtName, record.txtValue);
    dns.failAll(true);
    try {
      await expect(verify(acme, 'servfail.test')).rejects.toMatchObject({ code: 'dns_lookup_failed' });
    } finally {
      dns.failAll(false);
    }
    expect((await ctx.services.domains.list(acme.ownerActor, acme.org.sid)).find((d) => d.domain === 'servfail.test')?.verified).toBe(false);
  });

  it('R-D4: a domain verified by one organization cannot be verified or registered by another (domain_claimed)', async () => {
    const ours = await add(acme, 'claimed.test');
    const theirs = await add(globex, 'claimed.test');
    dns.publish(ours.txtName, ours.txtValue);
    dns.publish(theirs.txtName, theirs.txtValue);
    await verify(acme, 'claimed.test');
    await expect(verify(globex, 'claimed.test')).rejects.toMatchObject({ code: 'domain_claimed' });
    await expect(add(initech, 'claimed.test')).rejects.toMatchObject({ code: 'domain_claimed' });
  });

  it('R-D4: a subdomain is a separate domain that another organization may verify', async () => {
    const parent = await add(acme, 'corp.test');
    const sub = await add(globex, 'stage.corp.test');
    dns.publish(parent.txtName, parent.txtValue);
    dns.publish(sub.txtName, sub.txtValue);
    await expect(verify(acme, 'corp.test')).resolves.toMatchObject({ verified: true });
    await expect(verify(globex, 'stage.corp.test')).resolves.toMatchObject({ verified: true });
  });

  it('R-D4: removing a verified domain frees it for another organization', async () => {
    const ours = await add(acme, 'freed.test');
    dns.publish(ours.txtName, ours.txtValue);
    await verify(acme, 'freed.test');
    await expect(ctx.services.domains.remove(acme.ownerActor, acme.org.sid, 'freed.test')).resolves.toMatchObject({ domain: 'freed.test', removed: true });
    const theirs = await add(globex, 'freed.test');
    dns.publish(theirs.txtName, theirs.txtValue);
    await expect(verify(globex, 'freed.test')).resolves.toMatchObject({ verified: true });
  });

  it('R-D4/D6/U5: a verified domain that members use is removed only with force; the refusal says what would change', async () => {
    const ours = await add(initech, 'inuse.test');
    dns.publish(ours.txtName, ours.txtValue);
    await verify(initech, 'inuse.test');
    await ctx.services.domains.setPolicy(initech.ownerActor, initech.org.sid, 'inuse.test', 'auto_enrollment');
    await ctx.store.transaction(async (repos) => repos.domains.update((await repos.domains.get(initech.org.sid, 'inuse.test'))!.id, { ssoEnforced: true }));
    await addMember(ctx, initech.org.sid, 'ann@inuse.test');
    await addMember(ctx, initech.org.sid, 'Bob@InUse.test');
    await addMember(ctx, initech.org.sid, 'carl@stage.inuse.test');
    const error = await ctx.services.domains.remove(initech.ownerActor, initech.org.sid, 'inuse.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'domain_in_use', details: { domain: 'inuse.test', membersOnDomain: 2, ssoEnforced: true, policy: 'auto_enrollment' } });
    expect((error as Error).message).toMatch(/2 members.*--force/s);
    expect((error as Error).message).toContain('auto-enrollment policy stops applying');
    expect(await ctx.store.read.domains.get(initech.org.sid, 'inuse.test')).toBeDefined();
    const removed = await ctx.services.domains.remove(initech.ownerActor, initech.org.sid, 'inuse.test', { force: true });
    expect(removed).toMatchObject({ removed: true, summary: { membersOnDomain: 2 } });
    expect(await ctx.store.read.domains.get(initech.org.sid, 'inuse.test')).toBeUndefined();
    // Unverified, or verified without members: removed at once.
    await add(initech, 'unused.test');
    await expect(ctx.services.domains.remove(initech.ownerActor, initech.org.sid, 'unused.test')).resolves.toMatchObject({ removed: true });
  });

  it('R-D4: the operator finds which organization verified a domain (the fix domain_claimed names); members cannot', async () => {
    const ours = await add(acme, 'held.test');
    dns.publish(ours.txtName, ours.txtValue);
    await verify(acme, 'held.test');
    await expect(ctx.services.domains.holder({ kind: 'operator' }, 'Held.test')).resolves.toMatchObject({ domain: 'held.test', orgSid: acme.org.sid, orgName: 'Acme' });
    await expect(ctx.services.domains.holder(globex.ownerActor, 'held.test')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ctx.services.domains.holder({ kind: 'operator' }, 'nobody-holds.test')).rejects.toMatchObject({ code: 'not_found' });
    const refusal = await add(globex, 'held.test').catch((e: unknown) => e);
    expect((refusal as Error).message).toContain('orgward domain holder held.test');
  });

  it('answers not_found for a domain the organization did not register', async () => {
    await expect(verify(acme, 'never-added.test')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('domains: policy (D6)', () => {
  it('R-D6: a policy can be chosen only for a verified domain', async () => {
    await add(acme, 'unverified-policy.test');
    await expect(ctx.services.domains.setPolicy(acme.ownerActor, acme.org.sid, 'unverified-policy.test', 'blocked'))
      .rejects.toMatchObject({ code: 'domain_not_verified' });
  });

  it('R-D6: starts Restricted, accepts auto-enrollment and blocked, refuses anything else', async () => {
    const record = await add(acme, 'policy.test');
    dns.publish(record.txtName, record.txtValue);
    await verify(acme, 'policy.test');
    const set = (policy: string) => ctx.services.domains.setPolicy(acme.ownerActor, acme.org.sid, 'policy.test', policy);
    await expect(set('auto-enrollment')).resolves.toMatchObject({ policy: 'auto_enrollment' });
    await expect(set('blocked')).resolves.toMatchObject({ policy: 'blocked' });
    await expect(set('open')).rejects.toMatchObject({ code: 'invalid_input' });
    const log = await ctx.services.auditLog.list(acme.ownerActor, acme.org.sid, { action: 'domain.policy_changed', limit: 500 });
    expect(log.entries.filter((e) => e.target === 'policy.test').map((e) => e.after)).toEqual([{ policy: 'auto_enrollment' }, { policy: 'blocked' }]);
  });
});

describe('domains: who may manage them (O3, U6, L1)', () => {
  it('R-O3: a Standard User cannot register domains', async () => {
    const standard = await addMember(ctx, acme.org.sid, 'standard@acme.test', 'standard');
    await expect(ctx.services.domains.add(asUser(standard), acme.org.sid, 'standard.test')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('R-U6: an administrator of another organization sees not_found', async () => {
    await expect(ctx.services.domains.list(globex.ownerActor, acme.org.sid)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('R-L1: registration and verification are audited without the TXT token', async () => {
    const record = await add(acme, 'audited.test');
    dns.publish(record.txtName, record.txtValue);
    await verify(acme, 'audited.test');
    const { entries } = await ctx.services.auditLog.list(acme.ownerActor, acme.org.sid, { limit: 500 });
    const mine = entries.filter((e) => e.target === 'audited.test');
    expect(mine.map((e) => e.action)).toEqual(['domain.added', 'domain.verified']);
    const token = record.txtValue.split('=')[1]!;
    expect(JSON.stringify(mine)).not.toContain(token);
  });
});
