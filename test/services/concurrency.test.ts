/**
 * Races over separate transactions at once (Promise.all). On PostgreSQL the transactions really
 * overlap and the named constraints and row locks decide; PGlite runs them one after the other and
 * the rules decide. Either way exactly one attempt wins and the other gets a clear error (U1, D4,
 * U3 single use).
 */
import { enroll } from '../../src/services/enrollment.js';
import { createTestContext, type TestContext } from '../support/app.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { OPERATOR, addLoneUser, addMember, addVerifiedDomain, createOrgWithOwner, lastLinkTo, type OrgWithOwner } from '../support/fixtures.js';

let dns: TestDnsServer;
let ctx: TestContext;
let a: OrgWithOwner;
let b: OrgWithOwner;

beforeAll(async () => {
  dns = await startDnsServer();
  ctx = await createTestContext({ dnsServers: [dns.address] });
  a = await createOrgWithOwner(ctx, { ownerEmail: 'owner@a.test', name: 'A' });
  b = await createOrgWithOwner(ctx, { ownerEmail: 'owner@b.test', name: 'B' });
  await addVerifiedDomain(ctx, a.org.sid, 'people.test');
});
afterAll(async () => {
  await ctx.close();
  await dns.close();
});

/** Exactly one fulfilled; the others rejected with `code`. Returns the winner's index. */
function oneWinner(results: PromiseSettledResult<unknown>[], code: string): number {
  const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  expect(won).toHaveLength(1);
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code });
  return won[0]!;
}

/** Resolves after `ms` milliseconds. */
const pause = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });

describe('one organization per user (U1)', () => {
  it('R-U1: two organizations created at once for one user without an organization: one wins, the other member_of_other_org', async () => {
    for (let round = 0; round < 5; round += 1) {
      const email = `twice${round}@lone.test`;
      const lone = await addLoneUser(ctx, email);
      const results = await Promise.allSettled([
        ctx.services.organizations.create(OPERATOR, { name: `First ${round}`, ownerEmail: email }),
        ctx.services.organizations.create(OPERATOR, { name: `Second ${round}`, ownerEmail: email }),
      ]);
      oneWinner(results, 'member_of_other_org');
      expect((await ctx.store.read.users.get(lone.sid))?.role).toBe('owner');
    }
  });

  it('R-U1: joining one organization through enrollment while another is created for the same person: one wins', async () => {
    for (let round = 0; round < 5; round += 1) {
      const email = `race${round}@people.test`;
      const person = await addLoneUser(ctx, email);
      const results = await Promise.allSettled([
        ctx.store.transaction((repos) => enroll(repos, { kind: 'system' }, { path: 'import', email, targetOrgSid: a.org.sid, role: 'standard', now: ctx.clock.now() })),
        ctx.services.organizations.create(OPERATOR, { name: `Own ${round}`, ownerEmail: email }),
      ]);
      oneWinner(results, 'member_of_other_org');
      const member = (await ctx.store.read.users.get(person.sid))!;
      expect(member.orgSid === a.org.sid || member.role === 'owner').toBe(true);
    }
  });

  it('R-U1: the database refuses a second membership even when both transactions overlap past every check', async () => {
    const person = await addLoneUser(ctx, 'overlap@lone.test');
    let firstJoined!: () => void;
    const joined = new Promise<void>((resolve) => { firstJoined = resolve; });
    const first = ctx.store.transaction(async (repos) => {
      await repos.users.join(person.sid, a.org.sid, 'standard');
      firstJoined();
      await pause(150);
    });
    await joined;
    // On PostgreSQL this insert waits for the first transaction, then violates memberships_one_org_per_user.
    const second = ctx.store.transaction((repos) => repos.users.join(person.sid, b.org.sid, 'standard'));
    const results = await Promise.allSettled([first, second]);
    expect(oneWinner(results, 'member_of_other_org')).toBe(0);
    expect(await ctx.store.read.users.get(person.sid)).toMatchObject({ orgSid: a.org.sid });
  });
});

describe('one verifying organization per domain (D4)', () => {
  it('R-D4: two organizations verifying one domain at once: one wins, the other domain_claimed', async () => {
    for (let round = 0; round < 5; round += 1) {
      const domain = `contested${round}.test`;
      for (const org of [a, b]) {
        const record = await ctx.services.domains.add(org.ownerActor, org.org.sid, domain);
        dns.publish(record.txtName, record.txtValue);
      }
      const results = await Promise.allSettled([a, b].map((org) => ctx.services.domains.verify(org.ownerActor, org.org.sid, domain)));
      const winner = oneWinner(results, 'domain_claimed');
      const verified = await ctx.store.read.domains.findVerified(domain);
      expect(verified?.orgSid).toBe([a, b][winner]!.org.sid);
    }
  });

  it('R-D4: the database refuses a second verification even when both transactions overlap past every check', async () => {
    const ours = await ctx.services.domains.add(a.ownerActor, a.org.sid, 'overlap.test');
    const theirs = await ctx.services.domains.add(b.ownerActor, b.org.sid, 'overlap.test');
    const [ourRow, theirRow] = await Promise.all([ctx.store.read.domains.get(a.org.sid, ours.domain), ctx.store.read.domains.get(b.org.sid, theirs.domain)]);
    let firstMarked!: () => void;
    const marked = new Promise<void>((resolve) => { firstMarked = resolve; });
    const first = ctx.store.transaction(async (repos) => {
      await repos.domains.markVerified(ourRow!.id, ctx.clock.now());
      firstMarked();
      await pause(150);
    });
    await marked;
    // On PostgreSQL this update waits on domains_one_verifying_org, then fails when the first commits.
    const second = ctx.store.transaction((repos) => repos.domains.markVerified(theirRow!.id, ctx.clock.now()));
    const results = await Promise.allSettled([first, second]);
    expect(oneWinner(results, 'domain_claimed')).toBe(0);
  });
});

describe('single-use links', () => {
  it('R-U3: a reset link used twice at once works once', async () => {
    const member = await addMember(ctx, a.org.sid, 'double@people.test');
    await ctx.services.passwords.adminReset(a.ownerActor, a.org.sid, member.sid);
    const token = await lastLinkTo(ctx, 'double@people.test', '/password-reset/');
    const results = await Promise.allSettled([
      ctx.services.passwords.completeReset(token, 'first new password!'),
      ctx.services.passwords.completeReset(token, 'second new password'),
    ]);
    oneWinner(results, 'token_invalid');
  });

  it('an invitation accepted twice at once joins once', async () => {
    await ctx.services.invitations.invite(a.ownerActor, a.org.sid, { email: 'twice@people.test', role: 'standard' });
    const token = await lastLinkTo(ctx, 'twice@people.test', '/invitations/');
    const password = 'a long enough passphrase 42';
    const results = await Promise.allSettled([ctx.services.invitations.accept(token, { password }), ctx.services.invitations.accept(token, { password })]);
    oneWinner(results, 'token_invalid');
  });
});
